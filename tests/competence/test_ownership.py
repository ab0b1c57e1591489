"""Competences have an owner: a municipality's own, or shared ones that only a regional Infohus
or a superuser changes (issue 8, security 2)."""

import importlib

import pytest
from django.apps import apps as global_apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from lms.competence import access as competence_access
from lms.competence.models import Competence
from lms.competence.services import competences as competence_services
from lms.competence.services import requirements as requirement_services
from lms.people.models import OrgUnit, Role
from tests.factories import CompetenceFactory, UserFactory, org_unit, requirement


@pytest.fixture
def hj_own(tree):
    return CompetenceFactory(code="HJ_OWN", name="Hjørrings egen", owner=tree["HJ"])


@pytest.fixture
def region(db):
    """A regional Infohus above two municipalities of its own."""
    top = org_unit(code="NORD", name="Infohus Nordjylland", kind=OrgUnit.Kind.POLICE)
    for code in ("AA", "BR"):
        org_unit(code=code, name=f"{code} Kommune", kind=OrgUnit.Kind.MUNICIPALITY, parent=top)
    top.refresh_from_db()
    return top


def _update(competence, by, **changes):
    fields = {
        "code": competence.code,
        "name": competence.name,
        "description": competence.description,
        "validity_months": competence.validity_months,
        "active": competence.active,
        **changes,
    }
    return competence_services.competence_update(competence=competence, by=by, **fields)


def test_a_coordinator_edits_their_municipalitys_own(make_staff, tree, hj_own):
    hj = make_staff(Role.COORDINATOR, tree["HJ"])
    _update(hj_own, hj, name="Nyt navn")
    assert Competence.objects.get(pk=hj_own.pk).name == "Nyt navn"


def test_another_municipalitys_coordinator_cannot(make_staff, tree, hj_own):
    fr = make_staff(Role.COORDINATOR, tree["FR"])
    with pytest.raises(ValidationError) as error:
        _update(hj_own, fr, name="Kapret", active=False)
    assert error.value.code == "permission_denied"
    hj_own.refresh_from_db()
    assert (hj_own.name, hj_own.active) == ("Hjørrings egen", True)


def test_a_shared_one_only_by_a_regional_infohus_or_a_superuser(make_staff, tree, signs, region):
    for user in (
        make_staff(Role.COORDINATOR, tree["HJ"]),
        make_staff(Role.COORDINATOR, tree["FR"]),
    ):
        with pytest.raises(ValidationError) as error:
            _update(signs, user, active=False)
        assert error.value.code == "permission_denied"
        assert "regional" in str(error.value) or "Infohus" in str(error.value)
    assert Competence.objects.get(pk=signs.pk).active
    regional = make_staff(Role.COORDINATOR, region)
    assert competence_access.manages_shared_competences(regional)
    _update(signs, regional, name="Regionalt navn")
    signs.refresh_from_db()
    _update(signs, UserFactory(is_superuser=True), validity_months=12)
    signs.refresh_from_db()
    assert (signs.name, signs.validity_months) == ("Regionalt navn", 12)


def test_a_coordinator_creates_own_not_shared(make_staff, tree):
    hj = make_staff(Role.COORDINATOR, tree["HJ"])
    with pytest.raises(ValidationError):
        competence_services.competence_create(code="X", name="X", owner=None, by=hj)
    with pytest.raises(ValidationError):
        competence_services.competence_create(code="X", name="X", owner=tree["FR"], by=hj)
    assert not Competence.objects.filter(code="X").exists()
    made = competence_services.competence_create(code="X", name="X", owner=tree["HJ"], by=hj)
    assert made.owner == tree["HJ"]


def test_requirements_name_shared_or_own_only(make_staff, tree, jobs, signs, hj_own):
    fr = make_staff(Role.COORDINATOR, tree["FR"])
    with pytest.raises(ValidationError) as error:
        requirement_services.requirement_create(
            competence=hj_own, org_unit=tree["FR"], job_categories=[jobs["teacher"]], by=fr
        )
    assert "competence" in error.value.message_dict
    requirement_services.requirement_create(
        competence=signs, org_unit=tree["FR"], job_categories=[jobs["teacher"]], by=fr
    )
    hj = make_staff(Role.COORDINATOR, tree["HJ"])
    requirement_services.requirement_create(
        competence=hj_own, org_unit=tree["HJ-BFU"], job_categories=[jobs["teacher"]], by=hj
    )


# --- Admin --------------------------------------------------------------------------------------


@pytest.fixture
def sign_in(client, make_staff, mfa):
    def login(role, unit):
        user = mfa(make_staff(role, unit))
        client.force_login(user)
        return user

    return login


def test_admin_listing_shows_owner_and_scopes_edit_buttons(client, sign_in, tree, hj_own, signs):
    sign_in(Role.COORDINATOR, tree["FR"])
    html = client.get(reverse("competences:index")).content.decode()
    # FR sees the shared one and not HJ's own; it may edit neither.
    assert "Kender bekymringstegn" in html and "Hjørrings egen" not in html
    assert "Fælles" in html
    assert reverse("competences:edit", args=[signs.pk]) not in html
    client.logout()
    sign_in(Role.COORDINATOR, tree["HJ"])
    html = client.get(reverse("competences:index")).content.decode()
    assert "HJ Kommune" in html
    assert reverse("competences:edit", args=[hj_own.pk]) in html
    assert reverse("competences:edit", args=[signs.pk]) not in html


def test_admin_refuses_another_municipalitys_competence(client, sign_in, tree, hj_own, signs):
    sign_in(Role.COORDINATOR, tree["FR"])
    for pk in (hj_own.pk, signs.pk):
        url = reverse("competences:edit", args=[pk])
        assert client.get(url).status_code in (403, 404)
        response = client.post(
            url, {"code": "HIJACK", "name": "Kapret", "description": "", "validity_months": 1}
        )
        assert response.status_code in (403, 404)
    hj_own.refresh_from_db()
    signs.refresh_from_db()
    assert hj_own.name == "Hjørrings egen" and hj_own.active
    assert signs.code == "SIGNS" and signs.active


def test_admin_edit_by_owner(client, sign_in, tree, hj_own):
    sign_in(Role.COORDINATOR, tree["HJ"])
    response = client.post(
        reverse("competences:edit", args=[hj_own.pk]),
        {
            "code": "HJ_OWN",
            "name": "Omdøbt",
            "description": "",
            "validity_months": 12,
            "active": "on",
            "owner": tree["HJ"].pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    hj_own.refresh_from_db()
    assert hj_own.name == "Omdøbt"


# --- The migration --------------------------------------------------------------------------------


def test_the_migration_gives_single_municipality_competences_an_owner(tree, jobs):
    migration = importlib.import_module("lms.competence.migrations.0003_competence_owner")
    only_hj = CompetenceFactory(code="ONLY_HJ")
    both = CompetenceFactory(code="BOTH")
    CompetenceFactory(code="UNUSED")
    requirement(competence=only_hj, org_unit=tree["HJ-SKOLE"], job_categories=[jobs["teacher"]])
    requirement(competence=only_hj, org_unit=tree["HJ"], job_categories=[jobs["teacher"]])
    requirement(competence=both, org_unit=tree["HJ"], job_categories=[jobs["teacher"]])
    requirement(competence=both, org_unit=tree["FR-BFU"], job_categories=[jobs["teacher"]])
    migration.assign_owners(global_apps, None)
    owners = dict(Competence.objects.values_list("code", "owner_id"))
    assert owners["ONLY_HJ"] == tree["HJ"].pk
    assert owners["BOTH"] is None
    assert owners["UNUSED"] is None
