"""The organisation admin: each role against each area, inside and outside its scope."""

import csv
import io
import re

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from lms.people.models import JobCategory, OrgUnit, Person, Role, RoleAssignment
from tests.factories import JobCategoryFactory, PersonFactory, RoleAssignmentFactory, UserFactory

HOME = {
    "coordinator": "HJ",
    "department_contact": "HJ-BFU",
    "institution_coordinator": "HJ-GYM",
    "steering_group": "HJ",
}
LOGIN = "/konto/login/"
ADMIN_HOME = "/admin/"


@pytest.fixture
def login(client, tree, mfa):
    """login(role) -> the signed-in user (staff get TOTP so the MFA gate lets them in)."""

    def sign_in(role: str):
        if role == "anonymous":
            return None
        if role == "superuser":
            user = UserFactory(is_superuser=True, is_staff=True)
        else:
            user = UserFactory()
        if role == "employee":
            PersonFactory(org_unit=tree["HJ-SKOLE"], user=user, email=user.email)
        elif role != "superuser":
            RoleAssignmentFactory(user=user, role=Role(role), org_unit=tree[HOME[role]])
        if role != "employee":
            mfa(user)
        client.force_login(user)
        return user

    return sign_in


def outcome(response) -> str:
    """200, 404, 'login' (sent to sign in) or 'denied' (Wagtail's refusal: back to the admin home
    with an error message)."""
    if response.status_code == 302:
        if response.url.startswith(LOGIN):
            return "login"
        if response.url == ADMIN_HOME:
            return "denied"
        if response.url == "/":
            return "front page"
        return f"302 {response.url}"
    return response.status_code


def table(response) -> str:
    """The listing's table body: filter choices and search inputs left out."""
    html = response.content.decode()
    start = html.find('<table class="listing')
    if start == -1:
        return ""
    return html[start : html.find("</table>", start)]


def options(response, name: str) -> set[str]:
    """The option values of the <select name=...> in the page."""
    html = response.content.decode()
    match = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert match, name
    return set(re.findall(r'<option value="([^"]*)"', match.group(1))) - {""}


# A signed-in employee has no admin: sent to the sign-in page (Wagtail's default) or to the
# front page (the identity area avoids a sign-in loop for already signed-in users).
AWAY = frozenset({"login", "front page"})


def matches(got, want) -> bool:
    return got in want if isinstance(want, frozenset) else got == want


AREAS = ["org_units", "persons", "job_categories", "role_assignments"]
INDEX_EXPECTED = {
    # role: (admin home, org units, people, job categories, role assignments)
    "coordinator": (200, 200, 200, 200, 200),
    # Data minimisation: a department contact sees coverage, not the named roster.
    "department_contact": (200, 200, "denied", 200, "denied"),
    "institution_coordinator": (200, 200, 200, 200, "denied"),
    "steering_group": (200, 200, "denied", 200, "denied"),
    "employee": (AWAY, AWAY, AWAY, AWAY, AWAY),
    "anonymous": ("login", "login", "login", "login", "login"),
    "superuser": (200, 200, 200, 200, 200),
}


def test_superuser_lists_everything(login, client, roster):
    login("superuser")
    html = table(client.get(reverse("persons:index")))
    assert all(person.email in html for person in roster.values())


@pytest.mark.parametrize("role", list(INDEX_EXPECTED))
def test_each_role_against_each_admin_area(role, login, client):
    login(role)
    expected = INDEX_EXPECTED[role]
    assert matches(outcome(client.get(ADMIN_HOME)), expected[0])
    for area, want in zip(AREAS, expected[1:], strict=True):
        assert matches(outcome(client.get(reverse(f"{area}:index"))), want), area


ADD_EXPECTED = {
    # role: (org units, people, job categories, role assignments)
    # Job categories are shared by every municipality: only a superuser adds them.
    "coordinator": (200, 200, "denied", 200),
    "department_contact": ("denied", "denied", "denied", "denied"),
    "institution_coordinator": ("denied", 200, "denied", "denied"),
    "steering_group": ("denied", "denied", "denied", "denied"),
    "employee": (AWAY, AWAY, AWAY, AWAY),
}


@pytest.mark.parametrize("role", list(ADD_EXPECTED))
def test_add_forms_by_role(role, login, client):
    login(role)
    for area, want in zip(AREAS, ADD_EXPECTED[role], strict=True):
        assert matches(outcome(client.get(reverse(f"{area}:add"))), want), area


def test_staff_without_totp_is_sent_to_totp_setup(tree, client):
    user = UserFactory()
    RoleAssignmentFactory(user=user, role=Role.COORDINATOR, org_unit=tree["HJ"])
    client.force_login(user)
    response = client.get(reverse("persons:index"))
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_menu_shows_only_usable_areas(login, client):
    login("department_contact")
    html = client.get(ADMIN_HOME).content.decode()
    assert reverse("org_units:index") in html
    assert reverse("persons:index") not in html
    client.logout()
    login("steering_group")
    html = client.get(ADMIN_HOME).content.decode()
    assert reverse("org_units:index") in html
    assert reverse("job_categories:index") in html
    assert reverse("persons:index") not in html
    assert reverse("role_assignments:index") not in html
    assert "Organisation" in html


def test_wagtail_users_and_groups_are_for_superusers_only(login, client):
    login("coordinator")
    html = client.get(ADMIN_HOME).content.decode()
    assert reverse("persons:index") in html
    assert reverse("wagtailusers_users:index") not in html
    assert outcome(client.get(reverse("wagtailusers_users:index"))) == "denied"
    assert outcome(client.get(reverse("wagtailusers_groups:index"))) == "denied"


def test_superuser_sees_wagtail_users(login, client):
    login("superuser")
    assert client.get(reverse("wagtailusers_users:index")).status_code == 200


# --- People -------------------------------------------------------------------------------------


@pytest.fixture
def roster(tree):
    return {code: PersonFactory(org_unit=unit, name=f"Navn {code}") for code, unit in tree.items()}


@pytest.mark.parametrize(
    "role,visible",
    [
        ("coordinator", {"HJ", "HJ-BFU", "HJ-SKOLE", "HJ-GYM"}),
        ("institution_coordinator", {"HJ-GYM"}),
    ],
)
def test_people_list_and_export_show_only_scope(role, visible, login, client, roster):
    login(role)
    html = client.get(reverse("persons:index")).content.decode()
    for code, person in roster.items():
        assert (person.email in html) is (code in visible), code
    response = client.get(reverse("persons:index") + "?export=csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert {row["E-mail"] for row in rows} == {roster[c].email for c in visible}
    response = client.get(reverse("persons:index") + "?export=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.parametrize("role", ["steering_group", "department_contact"])
def test_export_refused_without_the_grant(role, login, client, roster):
    login(role)
    assert outcome(client.get(reverse("persons:index") + "?export=csv")) == "denied"


def test_people_filter_by_unit_includes_subtree(login, client, tree, roster):
    login("coordinator")
    url = reverse("persons:index") + f"?org_unit={tree['HJ-BFU'].pk}"
    html = client.get(url).content.decode()
    assert roster["HJ-BFU"].email in html
    assert roster["HJ-SKOLE"].email in html
    assert roster["HJ-GYM"].email not in html
    assert roster["HJ"].email not in html
    # A unit outside the scope is not a valid choice and reveals nothing.
    html = client.get(reverse("persons:index") + f"?org_unit={tree['FR'].pk}").content.decode()
    assert roster["FR-SKOLE"].email not in html


def test_people_filter_and_search(login, client, tree, roster):
    login("coordinator")
    inactive = PersonFactory(org_unit=tree["HJ-SKOLE"], active=False, left_on="2024-01-01")
    html = client.get(reverse("persons:index") + "?active=false").content.decode()
    assert inactive.email in html and roster["HJ-SKOLE"].email not in html
    category = roster["HJ-GYM"].job_category
    html = client.get(reverse("persons:index") + f"?job_category={category.pk}").content.decode()
    assert roster["HJ-GYM"].email in html and roster["HJ-SKOLE"].email not in html
    html = client.get(
        reverse("persons:index") + f"?q={roster['HJ-GYM'].employee_number}"
    ).content.decode()
    assert roster["HJ-GYM"].email in html and roster["HJ-SKOLE"].email not in html
    # Searching for someone outside the scope finds nothing.
    html = client.get(reverse("persons:index") + "?q=Navn FR-GYM").content.decode()
    assert roster["FR-GYM"].email not in html


def test_filter_choices_are_scoped(login, client, tree, make_staff, mfa):
    user = mfa(make_staff(Role.INSTITUTION_COORDINATOR, tree["HJ-BFU"]))
    client.force_login(user)
    response = client.get(reverse("persons:index"))
    assert options(response, "org_unit") == {str(tree["HJ-BFU"].pk), str(tree["HJ-SKOLE"].pk)}


@pytest.mark.parametrize("view", ["edit", "inspect", "history"])
def test_person_outside_scope_cannot_be_opened(view, login, client, roster):
    login("coordinator")
    response = client.get(reverse(f"persons:{view}", args=[roster["FR-SKOLE"].pk]))
    assert response.status_code == 404
    response = client.get(reverse(f"persons:{view}", args=[roster["HJ-SKOLE"].pk]))
    assert response.status_code == 200


def test_roles_without_person_view_cannot_open_a_person(login, client, roster):
    login("department_contact")
    for view in ("inspect", "edit", "history"):
        response = client.get(reverse(f"persons:{view}", args=[roster["HJ-SKOLE"].pk]))
        assert outcome(response) in {"denied", 404}, view


def person_form(person, **changes):
    data = {
        "name": person.name,
        "email": person.email,
        "employee_number": person.employee_number,
        "org_unit": person.org_unit_id,
        "job_category": person.job_category_id or "",
        "manager": person.manager_id or "",
        "active": "on" if person.active else "",
        "left_on": person.left_on or "",
    }
    data.update(changes)
    if not data["active"]:
        del data["active"]  # an unticked checkbox is not posted
    return data


def test_edit_outside_scope_is_refused_and_changes_nothing(login, client, roster):
    login("coordinator")
    person = roster["FR-SKOLE"]
    response = client.post(
        reverse("persons:edit", args=[person.pk]), person_form(person, name="Hacked")
    )
    assert response.status_code == 404
    person.refresh_from_db()
    assert person.name == "Navn FR-SKOLE"


def test_edit_inside_scope_goes_through_the_service(login, client, tree, roster):
    user = login("institution_coordinator")
    person = roster["HJ-GYM"]
    response = client.post(
        reverse("persons:edit", args=[person.pk]), person_form(person, name="Nyt Navn")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    person.refresh_from_db()
    assert person.name == "Nyt Navn"
    entry = ModelLogEntry.objects.get(action="lms.person.update", object_id=str(person.pk))
    assert entry.user == user and entry.data["fields"] == ["name"]
    # The history page shows the change in Danish.
    html = client.get(reverse("persons:history", args=[person.pk])).content.decode()
    assert "Person redigeret" in html


def test_edit_cannot_move_person_out_of_scope(login, client, tree, roster):
    login("institution_coordinator")
    person = roster["HJ-GYM"]
    response = client.post(
        reverse("persons:edit", args=[person.pk]),
        person_form(person, org_unit=tree["HJ-SKOLE"].pk),
    )
    assert response.status_code == 200  # the form again, with an error
    person.refresh_from_db()
    assert person.org_unit == tree["HJ-GYM"]


def test_person_form_choices_are_scoped(login, client, tree, roster):
    login("institution_coordinator")
    response = client.get(reverse("persons:add"))
    assert options(response, "org_unit") == {str(tree["HJ-GYM"].pk)}
    assert options(response, "manager") == {str(roster["HJ-GYM"].pk)}


def test_create_person_through_admin(login, client, tree):
    user = login("coordinator")
    category = JobCategoryFactory()
    data = {
        "name": "Ny Pædagog",
        "email": "NY@example.dk",
        "employee_number": "N1",
        "org_unit": tree["HJ-SKOLE"].pk,
        "job_category": category.pk,
        "manager": "",
        "active": "on",
        "left_on": "",
    }
    response = client.post(reverse("persons:add"), data)
    assert response.status_code == 302
    person = Person.objects.get(employee_number="N1")
    assert person.email == "ny@example.dk"
    assert ModelLogEntry.objects.get(action="lms.person.create").user == user
    # The same email again (other case) is refused with a clear error, nothing saved.
    data["employee_number"] = "N2"
    data["email"] = "Ny@Example.dk"
    response = client.post(reverse("persons:add"), data)
    assert response.status_code == 200
    assert "Der findes allerede en person med denne e-mailadresse." in response.content.decode()
    assert Person.objects.count() == 1
    # The form has no copy of the rules: every refusal comes from the service.
    data["email"] = "andet@example.dk"
    data["employee_number"] = "N1"
    response = client.post(reverse("persons:add"), data)
    assert response.status_code == 200
    assert "Der findes allerede en person med dette medarbejdernummer." in response.content.decode()
    data["employee_number"] = "N2"
    data.pop("active")  # inactive without a left date
    response = client.post(reverse("persons:add"), data)
    assert response.status_code == 200
    assert "skal have en fratrædelsesdato" in response.content.decode()
    assert Person.objects.count() == 1
    assert ModelLogEntry.objects.filter(action="lms.person.create").count() == 1


def test_create_person_outside_scope_refused(login, client, tree):
    login("coordinator")
    data = {"name": "X", "email": "x@example.dk", "org_unit": tree["FR-SKOLE"].pk, "active": "on"}
    response = client.post(reverse("persons:add"), data)
    assert response.status_code == 200
    assert not Person.objects.filter(email="x@example.dk").exists()


def test_inactive_without_left_date_is_a_form_error(login, client, tree, roster):
    login("coordinator")
    person = roster["HJ-SKOLE"]
    data = person_form(person)
    data.pop("active")
    response = client.post(reverse("persons:edit", args=[person.pk]), data)
    assert response.status_code == 200
    assert "skal have en fratrædelsesdato" in response.content.decode()
    person.refresh_from_db()
    assert person.active


def test_people_cannot_be_deleted_in_the_admin(login, client, roster):
    # People are marked left and later anonymised, never deleted: not even by a superuser.
    login("superuser")
    assert client.post(reverse("persons:delete", args=[roster["HJ"].pk])).status_code == 404
    assert Person.objects.filter(pk=roster["HJ"].pk).exists()


# Session, user, roles, MFA, Wagtail's own permission lookups, count, the filter choices, the page
# of people: the same for 10 and for 200 people.
PEOPLE_LIST_QUERIES = 15


@pytest.mark.parametrize("count", [10, 200])
def test_people_list_query_count_does_not_grow(count, login, client, tree, assert_queries):
    login("coordinator")
    categories = [JobCategoryFactory() for _ in range(3)]
    units = [tree["HJ"], tree["HJ-BFU"], tree["HJ-SKOLE"], tree["HJ-GYM"]]
    Person.objects.bulk_create(
        Person(
            name=f"P{i}",
            email=f"p{i}@example.dk",
            org_unit=units[i % 4],
            job_category=categories[i % 3],
        )
        for i in range(count)
    )
    url = reverse("persons:index")
    response = assert_queries(
        PEOPLE_LIST_QUERIES, lambda: client.get(url + "?active=true&ordering=name")
    )
    assert response.status_code == 200


# --- Org units ----------------------------------------------------------------------------------


def test_org_unit_list_is_the_scoped_tree(login, client, tree):
    login("department_contact")
    html = table(client.get(reverse("org_units:index")))
    assert "HJ BFU" in html and "HJ Skole" in html
    assert "HJ Gymnasium" not in html and "FR Skole" not in html
    assert html.index("HJ BFU") < html.index("HJ Skole")


def test_org_unit_list_filter_and_search(login, client, tree):
    login("coordinator")
    html = table(client.get(reverse("org_units:index") + "?kind=institution"))
    assert "HJ Gymnasium" in html and "HJ Skole" not in html and "FR Gymnasium" not in html
    html = table(client.get(reverse("org_units:index") + "?q=HJ-SKOLE"))
    assert "HJ Skole" in html and "HJ Gymnasium" not in html
    assert "HJ BFU" in html  # the parent column
    html = table(client.get(reverse("org_units:index") + f"?within={tree['HJ-BFU'].pk}"))
    assert "HJ Skole" in html and "HJ BFU" in html and "HJ Gymnasium" not in html


def test_org_unit_create_under_scoped_parent(login, client, tree):
    login("coordinator")
    response = client.get(reverse("org_units:add"))
    assert options(response, "parent") == {
        str(tree[c].pk) for c in ("HJ", "HJ-BFU", "HJ-SKOLE", "HJ-GYM")
    }
    data = {"code": "HJ-NY", "name": "Ny skole", "kind": "workplace", "parent": tree["HJ-BFU"].pk}
    assert client.post(reverse("org_units:add"), data).status_code == 302
    assert OrgUnit.objects.get(code="HJ-NY").get_parent() == tree["HJ-BFU"]
    assert ModelLogEntry.objects.filter(action="lms.orgunit.create").count() == 1
    # Outside the scope, or without a parent (a new root), is refused.
    for parent in (tree["FR"].pk, ""):
        data = {"code": "X", "name": "X", "kind": "workplace", "parent": parent}
        assert client.post(reverse("org_units:add"), data).status_code == 200
    assert not OrgUnit.objects.filter(code="X").exists()


def test_org_unit_edit_moves_through_the_service(login, client, tree):
    login("coordinator")
    unit = tree["HJ-SKOLE"]
    data = {
        "code": unit.code,
        "name": "Nordskolen",
        "kind": "workplace",
        "parent": tree["HJ-GYM"].pk,
    }
    assert client.post(reverse("org_units:edit", args=[unit.pk]), data).status_code == 302
    unit = OrgUnit.objects.get(pk=unit.pk)
    assert unit.name == "Nordskolen" and unit.get_parent() == tree["HJ-GYM"]
    assert ModelLogEntry.objects.filter(action="lms.orgunit.move").count() == 1
    # The top of one's own area keeps its place (no parent field), other fields still edit.
    html = client.get(reverse("org_units:edit", args=[tree["HJ"].pk])).content.decode()
    assert 'name="parent"' not in html
    assert client.get(reverse("org_units:edit", args=[tree["FR"].pk])).status_code == 404


# --- Job categories -----------------------------------------------------------------------------


def test_job_categories_create_and_refuse(login, client):
    login("superuser")
    data = {"code": "PAED", "name": "Pædagog", "is_frontline": "on"}
    assert client.post(reverse("job_categories:add"), data).status_code == 302
    assert ModelLogEntry.objects.filter(action="lms.jobcategory.create").count() == 1
    category = JobCategory.objects.get(code="PAED")
    # Shared by every municipality: a coordinator may read the list but not change it.
    for role in ("coordinator", "steering_group"):
        client.logout()
        login(role)
        assert "Pædagog" in client.get(reverse("job_categories:index")).content.decode()
        data = {"code": "X", "name": "X"}
        assert outcome(client.post(reverse("job_categories:add"), data)) == "denied"
        edit = reverse("job_categories:edit", args=[category.pk])
        assert outcome(client.post(edit, {"code": "PAED", "name": "Ændret"})) == "denied"
    assert list(JobCategory.objects.values_list("code", "name")) == [("PAED", "Pædagog")]


# --- Role assignments ---------------------------------------------------------------------------


def test_role_assignments_list_only_scope(login, client, tree):
    login("coordinator")
    inside = RoleAssignmentFactory(role=Role.STEERING_GROUP, org_unit=tree["HJ-BFU"])
    outside = RoleAssignmentFactory(role=Role.STEERING_GROUP, org_unit=tree["FR"])
    html = client.get(reverse("role_assignments:index")).content.decode()
    assert inside.user.email in html and outside.user.email not in html
    delete_url = reverse("role_assignments:delete", args=[outside.pk])
    assert client.post(delete_url).status_code == 404
    assert RoleAssignment.objects.filter(pk=outside.pk).exists()


def test_coordinator_grants_and_revokes_within_scope_only(login, client, tree):
    login("coordinator")
    grantee = UserFactory()
    PersonFactory(org_unit=tree["HJ-SKOLE"], user=grantee, email=grantee.email)
    stranger = UserFactory()
    PersonFactory(org_unit=tree["FR-SKOLE"], user=stranger, email=stranger.email)
    response = client.get(reverse("role_assignments:add"))
    assert options(response, "user") == {str(grantee.pk)}
    assert str(tree["FR"].pk) not in options(response, "org_unit")

    url = reverse("role_assignments:add")
    refused = {"user": grantee.pk, "role": "coordinator", "org_unit": tree["FR"].pk}
    assert client.post(url, refused).status_code == 200
    refused = {"user": stranger.pk, "role": "coordinator", "org_unit": tree["HJ"].pk}
    assert client.post(url, refused).status_code == 200
    assert not RoleAssignment.objects.filter(user__in=[grantee, stranger]).exists()

    granted = {"user": grantee.pk, "role": "department_contact", "org_unit": tree["HJ-BFU"].pk}
    assert client.post(url, granted).status_code == 302
    assignment = RoleAssignment.objects.get(user=grantee)
    assert assignment.org_unit == tree["HJ-BFU"]
    assert client.post(reverse("role_assignments:delete", args=[assignment.pk])).status_code == 302
    assert not RoleAssignment.objects.filter(user=grantee).exists()
    actions = set(ModelLogEntry.objects.values_list("action", flat=True))
    assert {"lms.role.create", "lms.role.delete"} <= actions


@pytest.mark.parametrize("role", ["coordinator", "superuser"])
def test_every_admin_page_renders(role, login, client, tree, roster):
    login(role)
    assignment = RoleAssignmentFactory(role=Role.STEERING_GROUP, org_unit=tree["HJ-BFU"])
    category = roster["HJ-SKOLE"].job_category
    objects = {
        "org_units": tree["HJ-SKOLE"],
        "persons": roster["HJ-SKOLE"],
        "job_categories": category,
        "role_assignments": assignment,
    }
    for area, obj in objects.items():
        # Job categories are read-only below the superuser.
        read_only = area == "job_categories" and role != "superuser"
        for view in ("index",) if read_only else ("index", "add"):
            assert client.get(reverse(f"{area}:{view}")).status_code == 200, (area, view)
        # A role assignment is granted or revoked, never edited.
        if area == "role_assignments":
            views = ["inspect", "history", "delete"]
        elif read_only:
            views = ["inspect"]
            for view in ("edit", "history"):
                response = client.get(reverse(f"{area}:{view}", args=[obj.pk]))
                assert outcome(response) == "denied", (area, view)
        else:
            views = ["inspect", "history", "usage", "edit"]
        for view in views:
            response = client.get(reverse(f"{area}:{view}", args=[obj.pk]))
            assert response.status_code == 200, (area, view)
