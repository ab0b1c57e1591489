"""Site editors: Wagtail page and collection permissions derived from role assignments.

Two municipalities (HJ and FR, the `tree` fixture) each have a site. A coordinator of a
municipality edits exactly that site's pages and files; other roles edit nothing; losing the role
(revoked, left) takes the permission away; the sync is idempotent with a bounded query count.
"""

import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page, Site
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from lms.people import policy, services
from lms.people.models import OrgUnit, Person, Role, RoleAssignment
from lms.site.models import HomePage, InformationPage
from lms.site.services import editors
from lms.site.services.pages import site_seed
from tests.conftest import shared_open
from tests.factories import PersonFactory, RoleAssignmentFactory, UserFactory, org_unit

from .builders import group_of, members

A = policy.Action
ADMIN_HOME = "/admin/"

# Every test starts from the same two sites (see module_db).
pytestmark = pytest.mark.usefixtures("homes_module")


def _site_for(unit, *, hostname: str, name: str) -> HomePage:
    site = Site.objects.filter(hostname=hostname).first() or Site.objects.create(
        hostname=hostname, port=80, root_page=Page.get_first_root_node()
    )
    return site_seed(site=site, infohus_name=name, org_unit=unit).home


def _homes_make(tree) -> dict[str, HomePage]:
    hj = site_seed(infohus_name="Infohus HJ", org_unit=tree["HJ"]).home
    fr = _site_for(tree["FR"], hostname="fr.example", name="Infohus FR")
    return {"HJ": hj, "FR": fr}


@pytest.fixture(scope="module")
def homes_module(module_db, tree_module):
    """The two sites, built once for the module (see module_db): home page keys, or None."""
    if module_db is None:
        return None
    with module_db.unblock():
        tree = {code: OrgUnit.objects.get(pk=pk) for code, pk in tree_module.items()}
        return {code: home.pk for code, home in _homes_make(tree).items()}


@pytest.fixture
def homes(tree, homes_module):
    """The home pages of HJ's and FR's sites, linked to their municipalities."""
    if not shared_open(homes_module):
        return _homes_make(tree)
    return {code: HomePage.objects.get(pk=pk) for code, pk in homes_module.items()}


@pytest.fixture
def staff(tree, mfa):
    """staff(role, unit_code) -> a user on the roster of that unit holding the role over it,
    with TOTP (the admin's MFA gate), made through the service so the editors follow."""

    def make(role: Role, code: str):
        user = UserFactory()
        PersonFactory(org_unit=tree[code], user=user, email=user.email)
        services.role_assignment_create(user=user, role=role, org_unit=tree[code])
        mfa(user)
        return user

    return make


def outcome(response):
    """200, 'denied' (Wagtail's refusal: back to the admin home with a message), 'front page'
    (the MFA/access middleware's refusal) or another status."""
    if response.status_code == 302:
        if response.url == ADMIN_HOME:
            return "denied"
        if response.url == "/":
            return "front page"
        return f"302 {response.url}"
    return response.status_code


def add_url(parent, model) -> str:
    meta = model._meta
    return reverse("wagtailadmin_pages:add", args=(meta.app_label, meta.model_name, parent.pk))


def edit_url(page) -> str:
    return reverse("wagtailadmin_pages:edit", args=(page.pk,))


def information_page_data(title: str, slug: str, **extra) -> dict:
    return nested_form_data(
        {
            "title": title,
            "slug": slug,
            "intro": rich_text("<p>Indledning.</p>"),
            "body": streamfield([("rich_text", rich_text("<p>Tekst</p>"))]),
            **extra,
        }
    )


def concern_page(home) -> InformationPage:
    return InformationPage.objects.child_of(home).get(slug="er-du-bekymret")


def png(name="lesson.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    PILImage.new("RGB", (8, 8), "navy").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


# --- the policy -----------------------------------------------------------------------------------


def test_only_coordinators_hold_page_edit():
    assert [role for role in Role if A.PAGE_EDIT in policy.GRANTS[role]] == [Role.COORDINATOR]
    assert A.PAGE_EDIT not in policy.UNSCOPED_ACTIONS


def test_role_holders_by_unit_agrees_with_users_with(tree, make_staff, person_factory):
    make_staff(Role.COORDINATOR, tree["HJ"])
    make_staff(Role.COORDINATOR, tree["FR-BFU"])
    make_staff(Role.STEERING_GROUP, tree["HJ"])
    make_staff(Role.INSTITUTION_COORDINATOR, tree["HJ-GYM"])
    make_staff(Role.COORDINATOR, tree["FR"], is_active=False)
    left = make_staff(Role.COORDINATOR, tree["FR"])
    person_factory(org_unit=tree["FR"], user=left, active=False, left_on=datetime.date(2026, 1, 1))
    UserFactory(is_superuser=True)
    units = list(OrgUnit.objects.all())
    holders = policy.role_holders_by_unit(A.PAGE_EDIT, units=units)
    for unit in units:
        expected = policy.users_with(A.PAGE_EDIT, obj=unit).filter(is_superuser=False)
        assert holders[unit.pk] == set(expected.values_list("pk", flat=True)), unit.code


# --- the groups ---------------------------------------------------------------------------------


def test_each_site_gets_one_group_with_page_and_collection_permissions(homes):
    for code, home in homes.items():
        group = group_of(home)
        assert group.name == f"Infohus {code} [site-editors-{home.pk}]"
        page_perms = GroupPagePermission.objects.filter(group=group)
        assert {p.page_id for p in page_perms} == {home.pk}
        assert sorted(p.permission.codename for p in page_perms) == sorted(
            editors.EDITOR_PAGE_PERMISSIONS
        )
        collection_perms = GroupCollectionPermission.objects.filter(group=group)
        assert {p.collection.name for p in collection_perms} == {f"Infohus {code}"}
        assert sorted(
            (p.permission.content_type.app_label, p.permission.codename) for p in collection_perms
        ) == sorted(editors.EDITOR_COLLECTION_PERMISSIONS)
        # Nothing model-wide: that would reach every collection and page.
        assert not group.permissions.exists()
    assert group_of(homes["HJ"]) != group_of(homes["FR"])


def test_coordinators_are_members_of_their_own_sites_group_only(homes, staff, tree):
    hj = staff(Role.COORDINATOR, "HJ")
    fr = staff(Role.COORDINATOR, "FR")
    assert members(homes["HJ"]) == {hj.pk}
    assert members(homes["FR"]) == {fr.pk}


@pytest.mark.parametrize(
    ("role", "code"),
    [
        (Role.INSTITUTION_COORDINATOR, "HJ-GYM"),
        (Role.DEPARTMENT_CONTACT, "HJ-BFU"),
        (Role.STEERING_GROUP, "HJ"),
        # A coordinator below the municipality does not cover the site's unit.
        (Role.COORDINATOR, "HJ-BFU"),
    ],
)
def test_other_roles_get_no_page_permission(homes, staff, client, role, code):
    user = staff(role, code)
    assert members(homes["HJ"]) == set()
    client.force_login(user)
    assert outcome(client.get(add_url(homes["HJ"], InformationPage))) == "denied"
    assert outcome(client.get(edit_url(concern_page(homes["HJ"])))) == "denied"
    assert not homes["HJ"].permissions_for_user(user).can_edit()


def test_an_employee_gets_no_page_permission(homes, tree, client):
    user = UserFactory()
    PersonFactory(org_unit=tree["HJ-SKOLE"], user=user, email=user.email)
    editors.editor_groups_sync()
    assert members(homes["HJ"]) == set()
    client.force_login(user)
    assert outcome(client.get(edit_url(concern_page(homes["HJ"])))) == "front page"


def test_a_superuser_is_no_member_but_edits_everything(homes, tree):
    admin = UserFactory(is_superuser=True)
    RoleAssignmentFactory(user=admin, role=Role.COORDINATOR, org_unit=tree["HJ"])
    editors.editor_groups_sync()
    assert members(homes["HJ"]) == set()
    assert homes["FR"].permissions_for_user(admin).can_edit()


# --- editing through the admin -------------------------------------------------------------------


def test_a_coordinator_adds_edits_and_publishes_pages_of_their_site(homes, staff, client):
    user = staff(Role.COORDINATOR, "HJ")
    client.force_login(user)
    home = homes["HJ"]

    response = client.get(add_url(home, InformationPage))
    assert response.status_code == 200
    response = client.post(
        add_url(home, InformationPage),
        information_page_data("Om Infohuset", "om-infohuset", **{"action-publish": "publish"}),
    )
    assert response.status_code == 302, response.context["form"].errors
    page = InformationPage.objects.child_of(home).get(slug="om-infohuset")
    assert page.live and page.owner_id == user.pk

    concern = concern_page(home)
    response = client.post(
        edit_url(concern),
        information_page_data("Er du bekymret for nogen?", concern.slug),
    )
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.has_unpublished_changes and concern.title == "Er du bekymret?"
    response = client.post(
        edit_url(concern),
        information_page_data(
            "Er du bekymret for nogen?", concern.slug, **{"action-publish": "publish"}
        ),
    )
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.title == "Er du bekymret for nogen?" and not concern.has_unpublished_changes

    # The explorer opens on their own site.
    response = client.get(reverse("wagtailadmin_explore", args=(home.pk,)))
    assert response.status_code == 200


def test_a_coordinator_is_refused_the_other_municipalitys_site(homes, staff, client):
    user = staff(Role.COORDINATOR, "HJ")
    client.force_login(user)
    fr = homes["FR"]
    before = Page.objects.count()

    assert outcome(client.get(add_url(fr, InformationPage))) == "denied"
    response = client.post(
        add_url(fr, InformationPage),
        information_page_data("Overtaget", "overtaget", **{"action-publish": "publish"}),
    )
    assert outcome(response) == "denied"
    concern = concern_page(fr)
    assert outcome(client.get(edit_url(concern))) == "denied"
    response = client.post(
        edit_url(concern), information_page_data("Ændret", concern.slug, **{"action-publish": "1"})
    )
    assert outcome(response) == "denied"
    # The explorer sends them back to their own site.
    response = client.get(reverse("wagtailadmin_explore", args=(fr.pk,)))
    assert response.url == reverse("wagtailadmin_explore", args=(homes["HJ"].pk,))
    assert Page.objects.count() == before
    concern.refresh_from_db()
    assert concern.title == "Er du bekymret?"


def test_a_coordinator_authors_a_course_under_their_catalogue(homes, staff, client):
    from courses.models import CourseIndexPage, CoursePage

    user = staff(Role.COORDINATOR, "HJ")
    client.force_login(user)
    home = homes["HJ"]
    response = client.post(
        add_url(home, CourseIndexPage),
        nested_form_data(
            {
                "title": "Kurser",
                "slug": "kurser",
                "intro": rich_text("<p>Korte kurser.</p>"),
                "action-publish": "publish",
            }
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    catalogue = CourseIndexPage.objects.child_of(home).get()

    response = client.post(
        add_url(catalogue, CoursePage),
        nested_form_data(
            {
                "title": "Tegn på radikalisering",
                "slug": "tegn",
                "summary": "Hvad du skal være opmærksom på.",
                "estimated_minutes": "15",
                "pass_mark": "80",
                "attempts_allowed": "",
                "quiz": streamfield([]),
                "action-publish": "publish",
            }
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    course = CoursePage.objects.child_of(catalogue).get()
    assert course.live

    # The other municipality's coordinator may not add a course there.
    other = staff(Role.COORDINATOR, "FR")
    client.force_login(other)
    assert outcome(client.get(add_url(catalogue, CoursePage))) == "denied"
    assert outcome(client.get(edit_url(course))) == "denied"


def test_only_a_superuser_repoints_or_deletes_a_site(homes, staff, client, tree, mfa):
    user = staff(Role.COORDINATOR, "HJ")
    home = homes["HJ"]
    client.force_login(user)
    response = client.get(edit_url(home))
    assert response.status_code == 200
    assert "org_unit" not in response.context["form"].fields
    # Posting the field anyway changes nothing.
    data = nested_form_data(
        {
            "title": home.title,
            "slug": home.slug,
            "intro": rich_text("<p>Ny intro.</p>"),
            "body": streamfield([]),
            "org_unit": str(tree["FR"].pk),
            "action-publish": "publish",
        }
    )
    assert client.post(edit_url(home), data).status_code == 302
    home.refresh_from_db()
    assert home.org_unit_id == tree["HJ"].pk
    assert members(home) == {user.pk}

    assert not home.permissions_for_user(user).can_delete()
    assert not home.permissions_for_user(user).can_move()
    assert outcome(client.get(reverse("wagtailadmin_pages:delete", args=(home.pk,)))) == "denied"
    # A page of the site that has no children is theirs to delete.
    assert concern_page(home).permissions_for_user(user).can_delete()

    admin = mfa(UserFactory(is_superuser=True, is_staff=True))
    client.force_login(admin)
    assert "org_unit" in client.get(edit_url(home)).context["form"].fields


# --- losing and gaining the role -----------------------------------------------------------------


def test_revoking_the_role_takes_the_permission_away(homes, staff, client):
    user = staff(Role.COORDINATOR, "HJ")
    assignment = RoleAssignment.objects.get(user=user)
    services.role_assignment_delete(assignment=assignment)
    assert members(homes["HJ"]) == set()
    client.force_login(user)
    # No role left: no admin at all (the access middleware, as before).
    assert outcome(client.get(edit_url(concern_page(homes["HJ"])))) == "front page"
    assert not concern_page(homes["HJ"]).permissions_for_user(user).can_edit()


def test_a_person_who_leaves_loses_the_permission_and_gets_it_back_on_return(homes, staff):
    user = staff(Role.COORDINATOR, "HJ")
    person = Person.objects.get(user=user)
    services.person_mark_left(person=person, left_on=datetime.date(2026, 3, 1))
    assert members(homes["HJ"]) == set()
    services.person_update(person=person, active=True)
    assert members(homes["HJ"]) == {user.pk}
    services.person_update(person=person, active=False, left_on=datetime.date(2026, 4, 1))
    assert members(homes["HJ"]) == set()


def test_a_roster_import_that_marks_a_coordinator_left_removes_them(homes, staff, tree):
    import pandas as pd

    from lms.people.services.roster_import import roster_import

    user = staff(Role.COORDINATOR, "HJ")
    person = Person.objects.get(user=user)
    stays = PersonFactory(org_unit=tree["HJ-SKOLE"])
    frame = pd.DataFrame(
        [
            {
                "employee_number": stays.employee_number,
                "name": stays.name,
                "email": stays.email,
                "org_unit_code": "HJ-SKOLE",
                "job_category": stays.job_category.code,
            }
        ]
    )
    result = roster_import(source=frame, mark_missing_as_left=True, scope=tree["HJ"])
    assert result.ok and result.marked_left == 1, result.errors
    person.refresh_from_db()
    assert not person.active
    assert members(homes["HJ"]) == set()


def test_a_role_granted_later_adds_the_member(homes, tree):
    user = UserFactory()
    assert members(homes["FR"]) == set()
    services.role_assignment_create(user=user, role=Role.COORDINATOR, org_unit=tree["FR"])
    assert members(homes["FR"]) == {user.pk}
    assert members(homes["HJ"]) == set()


def test_anonymising_a_coordinator_removes_them(homes, staff):
    user = staff(Role.COORDINATOR, "HJ")
    person = Person.objects.get(user=user)
    services.person_mark_left(person=person, left_on=datetime.date(2020, 1, 1))
    services.person_update(person=person, active=True)
    assert members(homes["HJ"]) == {user.pk}
    services.person_update(person=person, active=False, left_on=datetime.date(2020, 1, 1))
    services.person_anonymise(person=person)
    assert not RoleAssignment.objects.filter(user=user).exists()
    assert members(homes["HJ"]) == set()


def test_the_sync_owns_the_group(homes, staff, tree, client):
    coordinator = staff(Role.COORDINATOR, "HJ")
    employee = UserFactory()
    PersonFactory(org_unit=tree["HJ-SKOLE"], user=employee, email=employee.email)
    group = group_of(homes["HJ"])
    # A superuser adds someone and an extra permission by hand.
    group.user_set.add(employee)
    GroupPagePermission.objects.create(group=group, page=homes["FR"], permission_type="change")
    # Until the next sync the employee still gets no admin (the access middleware).
    client.force_login(employee)
    assert outcome(client.get(edit_url(concern_page(homes["HJ"])))) == "front page"

    result = editors.editor_groups_sync()
    assert result.members_removed == 1 and result.permissions_removed == 1
    assert members(homes["HJ"]) == {coordinator.pk}
    assert not GroupPagePermission.objects.filter(group=group, page=homes["FR"]).exists()


# --- idempotence, renaming, sites coming and going -----------------------------------------------


SYNC_QUERIES = 9


def test_the_sync_is_idempotent_with_a_bounded_number_of_queries(
    homes, staff, tree, assert_queries
):
    staff(Role.COORDINATOR, "HJ")
    staff(Role.COORDINATOR, "FR")
    editors.editor_groups_sync()
    state = (
        sorted(Group.objects.values_list("pk", "name")),
        sorted(GroupPagePermission.objects.values_list("pk", flat=True)),
        sorted(GroupCollectionPermission.objects.values_list("pk", flat=True)),
        Collection.objects.count(),
    )
    again = assert_queries(SYNC_QUERIES, editors.editor_groups_sync)
    assert not again.changed
    assert state == (
        sorted(Group.objects.values_list("pk", "name")),
        sorted(GroupPagePermission.objects.values_list("pk", flat=True)),
        sorted(GroupCollectionPermission.objects.values_list("pk", flat=True)),
        Collection.objects.count(),
    )

    # More sites and more coordinators: the same number of queries.
    for n in range(3):
        unit = org_unit(code=f"M{n}", kind=OrgUnit.Kind.MUNICIPALITY)
        _site_for(unit, hostname=f"m{n}.example", name=f"Infohus M{n}")
        for _ in range(3):
            RoleAssignmentFactory(user=UserFactory(), role=Role.COORDINATOR, org_unit=unit)
    assert editors.editor_groups_sync().members_added == 9
    assert not assert_queries(SYNC_QUERIES, editors.editor_groups_sync).changed
    # A sync for one user after a role change is bounded too.
    user = UserFactory()
    RoleAssignmentFactory(user=user, role=Role.COORDINATOR, org_unit=tree["HJ"])
    result = assert_queries(12, lambda: editors.editor_groups_sync(user=user), warm=False)
    assert result.members_added == 1


def test_renaming_the_home_page_keeps_one_group(homes, staff):
    user = staff(Role.COORDINATOR, "HJ")
    home = homes["HJ"]
    group = group_of(home)
    home.title = "Infohus Hjørring-Vendsyssel"
    home.save_revision().publish()
    renamed = group_of(home)
    assert renamed.pk == group.pk
    assert renamed.name == f"Infohus Hjørring-Vendsyssel [site-editors-{home.pk}]"
    assert Group.objects.filter(name__contains=f"[site-editors-{home.pk}]").count() == 1
    assert members(home) == {user.pk}
    assert not editors.editor_groups_sync().changed


def test_a_long_title_is_shortened_but_keeps_the_key():
    name = editors.editor_group_name(home_pk=12345, title="Infohus " * 40)
    assert len(name) <= 150 and name.endswith(" [site-editors-12345]")


def test_deleting_a_site_deletes_its_group(homes, staff):
    staff(Role.COORDINATOR, "FR")
    fr = homes["FR"]
    key = f"[site-editors-{fr.pk}]"
    collection = GroupCollectionPermission.objects.filter(group=group_of(fr)).first().collection
    fr.delete()
    assert not Group.objects.filter(name__endswith=key).exists()
    assert Collection.objects.filter(pk=collection.pk).exists()
    # A group left behind (deleted without signals) goes at the next full sync.
    Group.objects.create(name=f"Old site {key}")
    assert editors.editor_groups_sync().groups_deleted == 1


def test_a_regional_coordinator_edits_every_municipality_below_them(homes, tree, client, mfa):
    region = org_unit(code="NORD", name="Infohus Nordjylland", kind=OrgUnit.Kind.MUNICIPALITY)
    user = UserFactory()
    services.role_assignment_create(user=user, role=Role.COORDINATOR, org_unit=region)
    mfa(user)
    assert members(homes["HJ"]) == set() and members(homes["FR"]) == set()
    # The municipalities join the region: moving a unit re-syncs everyone.
    services.org_unit_move(unit=tree["HJ"], new_parent=region)
    services.org_unit_move(unit=tree["FR"], new_parent=region)
    assert members(homes["HJ"]) == {user.pk}
    assert members(homes["FR"]) == {user.pk}

    client.force_login(user)
    for home in homes.values():
        response = client.post(
            add_url(home, InformationPage),
            information_page_data("Regionalt", "regionalt", **{"action-publish": "publish"}),
        )
        assert response.status_code == 302
        assert InformationPage.objects.child_of(home).filter(slug="regionalt", live=True).exists()


# --- images and documents ------------------------------------------------------------------------


def test_images_go_to_the_sites_collection_and_stay_there(homes, staff, client):
    Image = get_image_model()
    hj = staff(Role.COORDINATOR, "HJ")
    fr = staff(Role.COORDINATOR, "FR")
    hj_collection = GroupCollectionPermission.objects.filter(group=group_of(homes["HJ"]))[
        0
    ].collection

    client.force_login(hj)
    response = client.post(
        reverse("wagtailimages:add"), {"title": "Handlekort", "file": png(), "tags": ""}
    )
    assert response.status_code == 302, response.context["form"].errors
    image = Image.objects.get(title="Handlekort")
    assert image.collection_id == hj_collection.pk
    response = client.get(reverse("wagtailimages_chooser:choose"))
    assert image in response.context["results"]

    client.force_login(fr)
    response = client.get(reverse("wagtailimages_chooser:choose"))
    assert response.status_code == 200
    assert image not in response.context["results"]
    assert outcome(client.get(reverse("wagtailimages:edit", args=(image.pk,)))) == "denied"
    response = client.get(reverse("wagtailimages:index"))
    assert image not in response.context["page_obj"].object_list


def test_documents_go_to_the_sites_collection(homes, staff, client):
    from wagtail.documents import get_document_model

    Document = get_document_model()
    hj = staff(Role.COORDINATOR, "HJ")
    fr = staff(Role.COORDINATOR, "FR")
    client.force_login(hj)
    upload = SimpleUploadedFile("handlekort.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    response = client.post(
        reverse("wagtaildocs:add"), {"title": "Handlekort", "file": upload, "tags": ""}
    )
    assert response.status_code == 302
    document = Document.objects.get(title="Handlekort")
    assert document.collection.name == "Infohus HJ"
    client.force_login(fr)
    assert outcome(client.get(reverse("wagtaildocs:edit", args=(document.pk,)))) == "denied"


# --- running it ----------------------------------------------------------------------------------


def test_the_command_and_the_daily_task(homes, tree, settings):
    from lms.site.tasks import sync_editor_groups

    user = UserFactory()
    # Granted behind the services' back (a fixture, a raw SQL fix): only the safety net sees it.
    RoleAssignmentFactory(user=user, role=Role.COORDINATOR, org_unit=tree["HJ"])
    assert members(homes["HJ"]) == set()
    out = io.StringIO()
    call_command("sync_editor_groups", stdout=out)
    assert "1 members added" in out.getvalue()
    assert members(homes["HJ"]) == {user.pk}
    call_command("sync_editor_groups", stdout=out)
    assert "Nothing to change." in out.getvalue()
    assert "0 members added" in sync_editor_groups.delay().get()
    entry = settings.CELERY_BEAT_SCHEDULE["site-sync-editor-groups"]
    assert entry["task"] == "lms.site.sync_editor_groups"


def test_membership_changes_are_in_the_audit_log(homes, staff):
    from wagtail.models import ModelLogEntry

    user = staff(Role.COORDINATOR, "HJ")
    entry = ModelLogEntry.objects.filter(action=editors.LOG_ACTION).latest("pk")
    assert entry.object_id == str(group_of(homes["HJ"]).pk)
    assert entry.data == {
        "home_page_id": homes["HJ"].pk,
        "added_user_ids": [user.pk],
        "removed_user_ids": [],
    }
    assert user.email not in str(entry.data)


def test_a_course_can_only_be_aimed_at_the_authors_own_area(homes, staff, client, tree):
    """The audience picker of a course offers the author's own municipality, not another's."""
    from courses.models import CourseIndexPage, CoursePage

    user = staff(Role.COORDINATOR, "HJ")
    client.force_login(user)
    catalogue = CourseIndexPage(title="Kurser", slug="kurser")
    homes["HJ"].add_child(instance=catalogue)

    response = client.get(add_url(catalogue, CoursePage))
    assert response.status_code == 200
    offered = set(response.context["form"].fields["audience_units"].queryset)
    assert tree["HJ"] in offered and tree["HJ-SKOLE"] in offered
    assert tree["FR"] not in offered
