"""The edition's "meeting, course or Action Card" chooser offers the editing user only their own
area's items (their Infohus, their municipality): another municipality's meeting is neither
offered nor accepted when its id is sent, while what the edition already points at stays."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from wagtail.models import Page
from wagtail.test.utils.form_data import nested_form_data, streamfield

from attendance.models import Meeting
from lms.people.models import Role
from lms.site import teasers
from lms.site.models import HomePage
from lms.site.services.pages import site_seed
from newsletters.models import NewsletterPage
from tests.attendance.builders import card_make
from tests.attendance.builders import meeting_make as meeting_built
from tests.courses.builders import course_make
from tests.factories import UserFactory

from .conftest import edition_make

pytestmark = pytest.mark.django_db


def ref(kind: str, obj) -> str:
    return teasers.reference(kind, obj.pk)


@pytest.fixture
def world(tree, make_staff, mfa):
    """Hjørring's and Frederikshavn's sites, each with a meeting, an Action Card and a course,
    and a coordinator of each."""
    from courses.models import CourseIndexPage

    site_seed(
        infohus_name="Infohus Hjørring", organisation_name="Hjørring Kommune", org_unit=tree["HJ"]
    )
    HomePage.objects.filter(org_unit__isnull=True).update(org_unit=tree["HJ"])
    edition = edition_make()
    fr_home = Page.get_first_root_node().add_child(
        instance=HomePage(title="Infohus Frederikshavn", slug="fr", org_unit=tree["FR"])
    )
    hj_home = HomePage.objects.get(org_unit=tree["HJ"])
    catalogues = {}
    for code, home in (("HJ", hj_home), ("FR", fr_home)):
        index = CourseIndexPage(title="Kurser", slug="kurser", intro="<p>Korte kurser.</p>")
        home.add_child(instance=index)
        index.save_revision().publish()
        catalogues[code] = CourseIndexPage.objects.get(pk=index.pk)
    hj = mfa(make_staff(Role.COORDINATOR, tree["HJ"]))
    fr = mfa(make_staff(Role.COORDINATOR, tree["FR"]))
    approver = {
        "HJ": make_staff(Role.COORDINATOR, tree["HJ"]),
        "FR": make_staff(Role.COORDINATOR, tree["FR"]),
    }
    items = {}
    for code, author in (("HJ", hj), ("FR", fr)):
        unit = tree[code]
        items[code] = {
            "meeting": meeting_built(unit, audience=[unit], title=f"Dialogmøde {code}"),
            "card": card_make(
                org_unit=unit, author=author, approver=approver[code], slug=f"kort-{code.lower()}"
            ),
            "course": course_make(catalogues[code], title=f"Bekymringstegn {code}"),
        }
    return {"edition": edition, "hj": hj, "fr": fr, "items": items}


def offered(user) -> set[str]:
    return teasers.references_offered(user)


def every_ref(items) -> dict[str, str]:
    return {
        kind: ref(kind if kind != "card" else "action_card", obj) for kind, obj in items.items()
    }


def test_each_coordinator_is_offered_their_own_items_only(world):
    hj, fr = every_ref(world["items"]["HJ"]), every_ref(world["items"]["FR"])
    assert set(hj.values()) <= offered(world["hj"])
    assert not set(fr.values()) & offered(world["hj"])
    assert set(fr.values()) <= offered(world["fr"])
    assert not set(hj.values()) & offered(world["fr"])


def test_the_system_and_a_superuser_are_offered_every_item(world):
    both = set(every_ref(world["items"]["HJ"]).values()) | set(
        every_ref(world["items"]["FR"]).values()
    )
    assert both <= offered(None)
    assert both <= offered(UserFactory(is_superuser=True))


def test_someone_without_a_staff_role_is_offered_nothing(world):
    assert offered(UserFactory()) == set()


def form_for(user, edition):
    form_class = NewsletterPage.get_edit_handler().get_form_class()
    return form_class(instance=edition, for_user=user, parent_page=edition.get_parent())


def posted_body(form, items):
    """The body field's value as the admin posts it, with one linked item per reference."""
    data = nested_form_data(
        {"body": streamfield([("linked_item", {"item": item, "note": ""}) for item in items])}
    )
    field = form.fields["body"]
    return field, field.widget.value_from_datadict(data, {}, "body")


def test_the_edition_form_offers_the_editor_their_own_meeting(world):
    form = form_for(world["hj"], world["edition"])
    html = form.fields["body"].widget.render("body", world["edition"].body)
    assert ref("meeting", world["items"]["HJ"]["meeting"]) in html
    assert ref("meeting", world["items"]["FR"]["meeting"]) not in html
    assert "Dialogmøde FR" not in html


def test_the_edit_page_in_the_admin_offers_only_the_editors_items(world, client):
    from lms.site.services.editors import editor_groups_sync

    editor_groups_sync()
    client.force_login(world["hj"])
    response = client.get(f"/admin/pages/{world['edition'].pk}/edit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert ref("meeting", world["items"]["HJ"]["meeting"]) in html
    assert ref("meeting", world["items"]["FR"]["meeting"]) not in html


def test_another_municipalitys_meeting_cannot_be_picked_by_id(world):
    from django.core.exceptions import ValidationError

    form = form_for(world["hj"], world["edition"])
    field, value = posted_body(form, [ref("meeting", world["items"]["FR"]["meeting"])])
    with pytest.raises(ValidationError) as refused:
        field.clean(value)
    item_errors = refused.value.block_errors[0].block_errors["item"]
    assert item_errors.messages == [
        "Vælg et af de tilbudte elementer: "
        "dette ligger uden for dit område eller vises ikke længere."
    ]
    # Nothing changed: the stored edition still points at what it did.
    edition = NewsletterPage.objects.get(pk=world["edition"].pk)
    assert ref("meeting", world["items"]["FR"]["meeting"]) not in str(edition.body.raw_data)


def test_the_editors_own_meeting_is_accepted(world):
    form = form_for(world["hj"], world["edition"])
    own = ref("meeting", world["items"]["HJ"]["meeting"])
    field, value = posted_body(form, [own, ref("course", world["items"]["HJ"]["course"])])
    cleaned = field.clean(value)
    assert [block.value["item"] for block in cleaned] == [
        own,
        ref("course", world["items"]["HJ"]["course"]),
    ]


def test_bad_references_are_refused(world):
    from django.core.exceptions import ValidationError

    form = form_for(world["hj"], world["edition"])
    for bad in ("nosuchkind:1", "meeting:x", "meeting:999999"):
        field, value = posted_body(form, [bad])
        with pytest.raises(ValidationError):
            field.clean(value)


def test_what_the_edition_points_at_already_stays_valid(world):
    """Last season's meeting (no longer offered) that the edition holds still saves."""
    unit = world["items"]["HJ"]["meeting"].org_unit
    old = meeting_built(unit, audience=[unit], title="Sidste år")
    held = dt.timedelta(days=-400)
    Meeting.objects.filter(pk=old.pk).update(
        status=Meeting.Status.HELD,
        starts_at=timezone.now() + held,
        ends_at=timezone.now() + held + dt.timedelta(hours=2),
    )
    edition = world["edition"]
    edition.body = [{"type": "linked_item", "value": {"item": ref("meeting", old), "note": ""}}]
    edition.save_revision().publish()
    edition = NewsletterPage.objects.get(pk=edition.pk)
    assert ref("meeting", old) not in offered(world["hj"])
    form = form_for(world["hj"], edition)
    field, value = posted_body(form, [ref("meeting", old)])
    assert field.clean(value)[0].value["item"] == ref("meeting", old)
    # A new form for a new edition does not keep it.
    field, value = posted_body(form_for(world["hj"], NewsletterPage()), [ref("meeting", old)])
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        field.clean(value)


def test_each_form_has_its_own_block(world):
    """The page type's block is shared by every request: the forms never change it."""
    shared = NewsletterPage._meta.get_field("body").stream_block
    hj = form_for(world["hj"], world["edition"]).fields["body"].block
    fr = form_for(world["fr"], world["edition"]).fields["body"].block
    assert hj is not shared and fr is not hj
    assert ref("meeting", world["items"]["FR"]["meeting"]) in str(
        list(shared.child_blocks["linked_item"].child_blocks["item"].field.choices)
    )
