"""PolicyRequiredMixin: the one guard of class-based views that the access policy decides."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django.views import View

from lms.competence import access as competence_access
from lms.people import policy
from lms.people.views.guards import PolicyRequiredMixin
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
