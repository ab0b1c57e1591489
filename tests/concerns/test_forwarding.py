"""Outcome (d), not about extremism: the case is forwarded to a service on its Infohus's own list
(name, what it handles, contact, active), and the case and its audit trail record who forwarded
it, when and to whom. The list is kept in the admin by the Infohus's coordinators only."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from wagtail.models import ModelLogEntry

from lms.concerns.models import Concern, ForwardingService
from lms.concerns.services.settings import (
    forwarding_service_create,
    forwarding_service_delete,
    forwarding_service_update,
)

from .builders import concern_make
from .test_steps import advance, to_outcome

pytestmark = pytest.mark.django_db

SETTINGS = reverse("concerns_admin:settings_index")


@pytest.fixture
def case(cast):
    return concern_make(infohus=cast.units["HJ"], kind="partner")


@pytest.fixture
def service(cast):
    return forwarding_service_create(
        by=cast.coordinator,
        infohus=cast.units["HJ"],
        name="Familierådgivningen",
        handles="Negativ social kontrol, tvangsægteskab",
        contact="Springvandspladsen 5, 9800 Hjørring",
    )


def test_a_forwarded_case_records_the_service_who_and_when(cast, case, service):
    to_outcome(case, cast.coordinator)

    done = advance(
        case, cast.coordinator, "outcome", outcome="forwarded", forwarded_service=service.pk
    )

    assert done.route == "forwarded" and done.forwarded_service == service
    assert done.forwarded_to == "Familierådgivningen"
    assert done.forwarded_by == cast.coordinator and done.forwarded_at is not None
    entry = ModelLogEntry.objects.filter(object_id=str(case.pk), action="lms.concern.advance")
    last = entry.order_by("-timestamp", "-pk").first()
    assert last.user == cast.coordinator
    assert last.data["forwarded_service"] == service.pk
    assert last.data["forwarded_to"] == "Familierådgivningen"


@pytest.mark.parametrize("which", ["none", "inactive", "other_municipality", "garbage"])
def test_forwarding_needs_an_active_service_of_the_cases_own_list(cast, case, service, which):
    to_outcome(case, cast.coordinator)
    if which == "inactive":
        forwarding_service_update(
            by=cast.coordinator,
            service=service,
            name=service.name,
            handles=service.handles,
            contact="",
            active=False,
        )
        value = service.pk
    elif which == "other_municipality":
        value = ForwardingService.objects.create(
            infohus=cast.units["FR"], name="Frederikshavn rådgivning", handles="Tvangsægteskab"
        ).pk
    else:
        value = {"none": None, "garbage": "x'; --"}[which]

    with pytest.raises(ValidationError) as error:
        advance(case, cast.coordinator, "outcome", outcome="forwarded", forwarded_service=value)

    assert "forwarded_service" in error.value.message_dict
    fresh = Concern.objects.get(pk=case.pk)
    assert fresh.status == "assessment" and fresh.forwarded_service is None
    assert fresh.route != "forwarded"


def test_the_outcome_form_offers_only_the_cases_own_active_services(client, cast, case, service):
    ForwardingService.objects.create(
        infohus=cast.units["HJ"], name="Nedlagt tilbud", handles="X", active=False
    )
    ForwardingService.objects.create(
        infohus=cast.units["FR"], name="Frederikshavn rådgivning", handles="Y"
    )
    to_outcome(case, cast.coordinator)
    client.force_login(cast.coordinator)
    url = reverse("concerns_admin:advance", args=(case.pk,))

    html = client.get(url).content.decode()
    assert "Familierådgivningen" in html
    assert "Nedlagt tilbud" not in html and "Frederikshavn" not in html

    assert client.post(url, {"outcome": "forwarded"}).status_code == 400
    assert Concern.objects.get(pk=case.pk).status == "assessment"

    response = client.post(url, {"outcome": "forwarded", "forwarded_service": service.pk})
    assert response.status_code == 302
    html = client.get(reverse("concerns_admin:item", args=(case.pk,))).content.decode()
    assert "videresendt til Familierådgivningen" in html
    assert cast.coordinator.email in html


def test_a_coordinator_keeps_the_list_in_the_admin(client, cast, intake_site):
    client.force_login(cast.coordinator)
    assert client.get(SETTINGS).status_code == 200
    add = reverse("concerns_admin:service_add", args=(cast.units["HJ"].pk,))

    bad = client.post(add, {"name": "", "handles": ""})
    assert bad.status_code == 400 and not ForwardingService.objects.exists()

    data = {"name": "Familierådgivningen", "handles": "Tvangsægteskab", "active": "on"}
    assert client.post(add, data).status_code == 302
    service = ForwardingService.objects.get()
    assert service.infohus == cast.units["HJ"] and service.active

    twice = client.post(add, data)
    assert twice.status_code == 400 and ForwardingService.objects.count() == 1
    assert "allerede" in twice.content.decode()

    edit = reverse("concerns_admin:service_edit", args=(service.pk,))
    assert client.post(edit, {**data, "active": ""}).status_code == 302
    assert not ForwardingService.objects.get().active
    assert "Familierådgivningen" in client.get(SETTINGS).content.decode()

    delete = reverse("concerns_admin:service_delete", args=(service.pk,))
    assert client.post(delete).status_code == 302
    assert not ForwardingService.objects.exists()


def test_a_service_cases_were_forwarded_to_is_deactivated_not_deleted(cast, case, service):
    to_outcome(case, cast.coordinator)
    advance(case, cast.coordinator, "outcome", outcome="forwarded", forwarded_service=service.pk)

    with pytest.raises(ValidationError):
        forwarding_service_delete(by=cast.coordinator, service=service)

    assert ForwardingService.objects.filter(pk=service.pk).exists()


@pytest.mark.parametrize(
    "who", ["ssp", "police", "contact", "steering", "other_coordinator", "superuser", "employee"]
)
def test_nobody_but_the_coordinators_keeps_the_list(client, cast, intake_site, service, who):
    user = getattr(cast, who)
    with pytest.raises(PermissionDenied):
        forwarding_service_create(
            by=user, infohus=cast.units["HJ"], name="Andet tilbud", handles="Y"
        )
    with pytest.raises(PermissionDenied):
        forwarding_service_delete(by=user, service=service)

    client.force_login(user)
    add = reverse("concerns_admin:service_add", args=(cast.units["HJ"].pk,))
    edit = reverse("concerns_admin:service_edit", args=(service.pk,))
    assert client.get(SETTINGS).status_code in (302, 403)
    assert client.post(add, {"name": "Andet tilbud", "handles": "Y"}).status_code in (302, 403)
    assert client.post(edit, {"name": "Omdøbt", "handles": "Y"}).status_code in (302, 403)
    assert list(ForwardingService.objects.values_list("name", flat=True)) == ["Familierådgivningen"]
