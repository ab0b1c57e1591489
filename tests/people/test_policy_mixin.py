"""PolicyRequiredMixin: the one guard of class-based views that the access policy decides."""

import re
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django.views import View

from lms.competence import access as competence_access
from lms.people import policy
from lms.people.views.guards import PolicyRequiredMixin, policy_required
from tests.factories import UserFactory

A = competence_access.Action


class Guarded(PolicyRequiredMixin, View):
    policy_action = A.EVIDENCE_RECORD
    reached = False

    def get(self, request, *args, **kwargs):
        type(self).reached = True
        return HttpResponse("ok")


def call(view_class, user, **kwargs):
    request = RequestFactory().get("/")
    request.user = user
    return view_class.as_view()(request, **kwargs)


def test_a_user_the_policy_grants_reaches_the_view(db):
    assert call(Guarded, UserFactory(is_superuser=True)).content == b"ok"


def test_a_user_without_the_action_is_refused_before_the_view_runs(db):
    Guarded.reached = False
    with pytest.raises(PermissionDenied):
        call(Guarded, UserFactory())
    assert Guarded.reached is False


def test_the_view_names_the_object_the_action_is_asked_about(db, monkeypatch):
    asked = []

    def can(user, action, obj=None):
        asked.append((action, obj))
        return obj == "unit 7"

    monkeypatch.setattr(policy, "can", can)

    class OnObject(Guarded):
        def get_policy_object(self):
            return f"unit {self.kwargs['pk']}"

    assert call(OnObject, UserFactory(), pk=7).content == b"ok"
    with pytest.raises(PermissionDenied):
        call(OnObject, UserFactory(), pk=8)
    assert asked == [(A.EVIDENCE_RECORD, "unit 7"), (A.EVIDENCE_RECORD, "unit 8")]


def _function_view(allowed):
    reached = []

    @policy_required(allowed)
    def view(request, pk=None):
        reached.append(pk)
        return HttpResponse("ok")

    def call_view(user, **kwargs):
        request = RequestFactory().get("/")
        request.user = user
        return view(request, **kwargs)

    return call_view, reached


def test_a_function_view_asks_the_policy_about_an_action_first(db):
    call_view, reached = _function_view(A.EVIDENCE_RECORD)
    assert call_view(UserFactory(is_superuser=True), pk=3).content == b"ok"
    with pytest.raises(PermissionDenied):
        call_view(UserFactory(), pk=4)
    assert reached == [3]


def test_a_function_view_may_ask_a_features_question_instead(db):
    asked = []

    def may(user):
        asked.append(user)
        return user.is_superuser

    call_view, reached = _function_view(may)
    staff, stranger = UserFactory(is_superuser=True), UserFactory()
    assert call_view(staff).content == b"ok"
    with pytest.raises(PermissionDenied):
        call_view(stranger)
    assert asked == [staff, stranger] and reached == [None]


GUARD_BY_HAND = re.compile(
    r"^(\s*)if not \(?\s*(?:policy\.can|access\.may_\w+|_may_\w+)"
    r"\(request\.user(?:, (?:access|A)\.[\w.]+)?\)\)?:\n"
    r"\1    raise PermissionDenied$",
    re.MULTILINE,
)


def test_no_view_writes_the_guard_by_hand():
    """ "if not policy.can(request.user, ...): raise PermissionDenied" as a view's first lines is
    @policy_required (or @guarded, or PolicyRequiredMixin), not a copy per view (issue 9)."""
    root = Path(__file__).resolve().parents[2]
    apps = ["attendance", "courses", "newsletters", "reports", "lms"]
    modules = [
        path
        for app in apps
        for layer in ("views", "viewsets")
        for path in [*(root / app).rglob(f"{layer}/*.py"), *(root / app).rglob(f"{layer}.py")]
    ]
    assert modules
    copies = [
        f"{path.relative_to(root)}:{path.read_text()[: m.start()].count(chr(10)) + 1}"
        for path in modules
        for m in GUARD_BY_HAND.finditer(path.read_text())
    ]
    assert copies == []
