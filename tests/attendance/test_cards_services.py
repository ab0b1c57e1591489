"""Action Card services: versions, approval by a second person, frozen approved versions."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from wagtail.models import ModelLogEntry

from attendance import services
from attendance.models import ActionCard, ActionCardVersion
from lms.people.models import Role
from tests.factories import UserFactory

from .builders import SIGNS, STEPS, review_in

V = ActionCardVersion.Status


def test_create_makes_a_draft_version_one(tree, coordinators):
    author = coordinators["author"]
    card = services.card_create(
        slug="Akut",
        audience="acute",
        org_unit=tree["HJ"],
        owner=author,
        title="  Akut: når der er fare ",
        signs=SIGNS,
        steps=STEPS,
        review_date=review_in(),
        by=author,
    )
    version = card.versions.get()
    assert card.slug == "akut"  # addresses are lower case
    assert card.current_version is None
    assert (version.number, version.status, version.created_by) == (1, V.DRAFT, author)
    assert version.title == "Akut: når der er fare"
    assert version.signs[0].value["sign"] == SIGNS[0][1]["sign"]
    assert ModelLogEntry.objects.filter(action="lms.actioncard.create", user=author).exists()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"slug": "medarbejdere"}, "slug"),  # taken
        ({"signs": []}, "signs"),
        ({"steps": [("step", {"kind": "acute", "title": ""})]}, "steps"),
        ({"review_date": dt.date(2000, 1, 1)}, "review_date"),
        ({"audience": "aliens"}, "audience"),
        ({"title": "   "}, "title"),
    ],
)
def test_create_bad_input(tree, coordinators, make_card, change, field):
    make_card()
    data = {
        "slug": "nyt-kort",
        "audience": "staff",
        "org_unit": tree["HJ"],
        "owner": coordinators["author"],
        "title": "Nyt kort",
        "signs": SIGNS,
        "steps": STEPS,
        "review_date": review_in(),
        "by": coordinators["author"],
        **change,
    }
    with pytest.raises(ValidationError) as error:
        services.card_create(**data)
    assert field in error.value.message_dict
    assert ActionCard.objects.count() == 1


def test_create_refused_outside_scope_and_for_owner_without_rights(tree, coordinators, make_staff):
    data = {
        "slug": "x",
        "audience": "staff",
        "title": "X",
        "signs": SIGNS,
        "steps": STEPS,
        "review_date": review_in(),
    }
    with pytest.raises(ValidationError) as error:
        services.card_create(org_unit=tree["HJ"], by=coordinators["other"], **data)
    assert "org_unit" in error.value.message_dict
    steering = make_staff(Role.STEERING_GROUP, tree["HJ"])
    with pytest.raises(ValidationError):
        services.card_create(org_unit=tree["HJ"], by=steering, **data)
    with pytest.raises(ValidationError) as error:
        services.card_create(org_unit=tree["HJ"], owner=steering, by=coordinators["author"], **data)
    assert "owner" in error.value.message_dict
    assert not ActionCard.objects.exists()


def test_approve_freezes_and_publishes(coordinators, make_card):
    card = make_card(approve=False)
    version = card.versions.get()
    approved = services.version_approve(version=version, by=coordinators["approver"])
    card.refresh_from_db()
    assert card.current_version == approved
    assert approved.status == V.APPROVED
    assert approved.approved_by == coordinators["approver"]
    assert approved.approved_at is not None
    # Frozen: editing, approving again and discarding are refused, nothing changes.
    with pytest.raises(ValidationError, match="start en ny version"):
        services.version_update(version=approved, title="Ændret", by=coordinators["author"])
    with pytest.raises(ValidationError, match="allerede godkendt"):
        services.version_approve(version=approved, by=coordinators["approver"])
    with pytest.raises(ValidationError):
        services.version_discard(version=approved, by=coordinators["author"])
    approved.refresh_from_db()
    assert approved.title == "Handlekort for medarbejdere"
    assert approved.approved_by == coordinators["approver"]


def test_four_eyes(coordinators, make_card, tree):
    card = make_card(approve=False)
    version = card.versions.get()
    with pytest.raises(ValidationError, match="en anden skal godkende") as error:
        services.version_approve(version=version, by=coordinators["author"])
    assert error.value.code == "four_eyes"
    # Whoever edited the draft is an author too, even without having started it.
    services.version_update(version=version, summary="Redigeret", by=coordinators["approver"])
    with pytest.raises(ValidationError, match="en anden skal godkende"):
        services.version_approve(version=version, by=coordinators["approver"])
    version.refresh_from_db()
    assert version.status == V.DRAFT
    # A third coordinator may; so may a superuser even if they wrote it.
    superuser = UserFactory(is_superuser=True)
    services.version_update(version=version, summary="Igen", by=superuser)
    services.version_approve(version=version, by=superuser)
    version.refresh_from_db()
    assert version.status == V.APPROVED


def test_approve_needs_the_right_over_the_cards_unit(coordinators, make_card, make_staff, tree):
    card = make_card(approve=False)
    version = card.versions.get()
    for user in (
        coordinators["other"],
        make_staff(Role.STEERING_GROUP, tree["HJ"]),
        make_staff(Role.DEPARTMENT_CONTACT, tree["HJ-BFU"]),
        make_staff(Role.INSTITUTION_COORDINATOR, tree["HJ-GYM"]),
    ):
        with pytest.raises(ValidationError) as error:
            services.version_approve(version=version, by=user)
        assert error.value.code == "permission_denied"
    version.refresh_from_db()
    assert version.status == V.DRAFT


def test_approve_refuses_an_expired_review_date(coordinators, make_card):
    card = make_card(approve=False)
    version = card.versions.get()
    ActionCardVersion.objects.filter(pk=version.pk).update(
        review_date=timezone.localdate() - dt.timedelta(days=1)
    )
    with pytest.raises(ValidationError) as error:
        services.version_approve(version=version, by=coordinators["approver"])
    assert "review_date" in error.value.message_dict


def test_new_version_copies_and_keeps_the_old(coordinators, make_card, new_version):
    card = make_card()
    v1 = card.current_version
    draft = services.version_draft_create(card=card, by=coordinators["author"])
    assert (draft.number, draft.status) == (2, V.DRAFT)
    assert draft.title == v1.title and draft.signs.raw_data[0]["value"] == SIGNS[0][1]
    with pytest.raises(ValidationError, match="allerede en kladde"):
        services.version_draft_create(card=card, by=coordinators["author"])
    services.version_update(version=draft, title="Version to", by=coordinators["author"])
    card.refresh_from_db()
    assert card.current_version == v1  # the draft is not public until approved
    services.version_approve(version=draft, by=coordinators["approver"])
    card.refresh_from_db()
    v1.refresh_from_db()
    assert card.current_version == draft
    assert v1.status == V.APPROVED and v1.title == "Handlekort for medarbejdere"
    assert list(card.versions.values_list("number", flat=True)) == [2, 1]
    entry = ModelLogEntry.objects.filter(action="lms.actioncard.approve").latest("pk")
    assert entry.data["superseded_version_id"] == v1.pk


def test_discard(coordinators, make_card):
    card = make_card()
    draft = services.version_draft_create(card=card, by=coordinators["author"])
    assert services.version_discard(version=draft, by=coordinators["author"]) == card
    assert card.versions.count() == 1
    # A card whose only version is a draft goes with it.
    lonely = make_card(slug="ny", approve=False)
    assert (
        services.version_discard(version=lonely.versions.get(), by=coordinators["author"]) is None
    )
    assert not ActionCard.objects.filter(slug="ny").exists()
    with pytest.raises(ValidationError):
        services.version_discard(version=card.current_version, by=coordinators["other"])


def test_slug_frozen_after_approval(coordinators, make_card):
    draft_card = make_card(slug="kladde", approve=False)
    services.card_update(card=draft_card, slug="kladde-2", by=coordinators["author"])
    draft_card.refresh_from_db()
    assert draft_card.slug == "kladde-2"
    card = make_card()
    with pytest.raises(ValidationError, match="trykt som QR-kode") as error:
        services.card_update(card=card, slug="nyt-navn", by=coordinators["author"])
    assert "slug" in error.value.message_dict
    card.refresh_from_db()
    assert card.slug == "medarbejdere"
    # Other details may change; someone of another municipality may not change them.
    services.card_update(card=card, audience="citizens", by=coordinators["author"])
    with pytest.raises(ValidationError):
        services.card_update(card=card, audience="staff", by=coordinators["other"])
    card.refresh_from_db()
    assert card.audience == "citizens"
    with pytest.raises(TypeError):
        services.card_update(card=card, current_version=None, by=None)
