"""Who reads cases in the admin: only the members of the case's own Infohus (coordinator, SSP
consultant, police representative), never a superuser without such a role, the steering group,
an institution, or anyone of another municipality. A department contact learns only that a
concern from their administration is open. Every read is in the case's audit trail."""

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from lms.concerns import access
from lms.people.models import Role
from tests.factories import RoleAssignmentFactory

from .builders import concern_make

pytestmark = pytest.mark.django_db

INDEX = reverse("concerns_admin:index")


def item_url(concern):
    return reverse("concerns_admin:item", args=(concern.pk,))


@pytest.fixture
def case(cast):
    return concern_make(
        infohus=cast.units["HJ"],
        by=cast.employee,
        kind="staff",
        reporter_unit=cast.units["HJ-SKOLE"],
    )


def views(concern):
    return ModelLogEntry.objects.filter(object_id=str(concern.pk), action="lms.concern.view")


@pytest.mark.parametrize("who", ["coordinator", "ssp", "police"])
def test_the_infohus_members_read_the_case_and_each_read_is_recorded(client, cast, case, who):
    user = getattr(cast, who)
    client.force_login(user)

    listing = client.get(INDEX)
    assert listing.status_code == 200
    assert case.reference in listing.content.decode()
    assert "Karl Hemmelig" not in listing.content.decode()  # the list shows no content

    response = client.get(item_url(case))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Karl Hemmelig" in html and "hellig krig" in html
    assert list(views(case).values_list("user_id", flat=True)) == [user.pk]
    # The audit trail is on the case: the receipt and this read, with who.
    assert "Bekymring modtaget" in html and "Bekymring åbnet" in html
    assert user.email in html


@pytest.mark.parametrize(
    "who", ["contact", "other_contact", "institution", "steering", "superuser", "employee"]
)
def test_nobody_else_reads_a_case(client, cast, case, who):
    client.force_login(getattr(cast, who))

    for url in (INDEX, item_url(case)):
        response = client.get(url)
        # Refused: the admin's home page, or the front page for someone without admin access.
        assert response.status_code == 302, url
        assert response["Location"] in (reverse("wagtailadmin_home"), "/"), url
        assert "Karl Hemmelig" not in response.content.decode()
    assert not views(case).exists()


@pytest.mark.parametrize("who", ["other_coordinator", "other_ssp"])
def test_another_municipalitys_infohus_neither_lists_nor_opens_the_case(client, cast, case, who):
    client.force_login(getattr(cast, who))

    assert case.reference not in client.get(INDEX).content.decode()
    assert client.get(item_url(case)).status_code == 404
    assert not views(case).exists()


def test_a_superuser_reads_cases_only_through_an_infohus_role(client, cast, case):
    client.force_login(cast.superuser)
    response = client.get(item_url(case))
    # The admin answers a refusal by sending back to its home page.
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    assert not views(case).exists()

    RoleAssignmentFactory(user=cast.superuser, role=Role.COORDINATOR, org_unit=cast.units["HJ"])
    assert client.get(item_url(case)).status_code == 200


def test_signed_out_visitors_are_sent_to_sign_in(client, case):
    response = client.get(item_url(case))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_menu_item_is_for_case_readers_only(client, cast):
    from wagtail.admin.menu import admin_menu

    from lms.concerns.viewsets.cases import CasesMenuItem

    item = next(i for i in admin_menu.registered_menu_items if isinstance(i, CasesMenuItem))

    class Fake:
        def __init__(self, user):
            self.user = user

    for who in ("coordinator", "ssp", "police", "other_coordinator"):
        assert item.is_shown(Fake(getattr(cast, who))), who
    for who in ("contact", "steering", "institution", "superuser", "employee"):
        assert not item.is_shown(Fake(getattr(cast, who))), who


def test_a_department_contact_sees_only_that_a_concern_from_their_administration_is_open(
    client, cast, case
):
    client.force_login(cast.contact)  # HJ-BFU, above the reporter's school
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "1 bekymring meldt fra din forvaltning er åben hos Infohuset." in html
    assert case.reference not in html and "Karl Hemmelig" not in html

    client.force_login(cast.other_contact)  # HJ-SÆH: not their administration
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "0 bekymringer meldt fra din forvaltning er åbne hos Infohuset." in html

    client.force_login(cast.coordinator)  # the Infohus has the list itself, not the panel
    assert (
        "meldt fra din forvaltning" not in client.get(reverse("wagtailadmin_home")).content.decode()
    )


def test_staff_without_totp_are_sent_to_set_it_up_before_reading_a_case(
    client, case, tree, make_staff
):
    ssp = make_staff(Role.SSP_CONSULTANT, tree["HJ"])
    client.force_login(ssp)
    response = client.get(item_url(case))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    assert not views(case).exists()


def test_the_access_rules_ignore_the_superuser_flag(cast, case):
    assert not access.may_view_cases(cast.superuser)
    assert not access.may_view_case(cast.superuser, case)
    assert access.may_view_case(cast.police, case)
    assert set(access.route_recipients(route="ssp_consultant", infohus=case.infohus)) == {cast.ssp}
