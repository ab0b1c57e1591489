"""The Action Card admin: cards and versions, distributions, the circulation report. Every view
is scoped by the access policy and changes through the services."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry
from wagtail.test.utils.form_data import nested_form_data, streamfield

from attendance import services
from attendance.models import ActionCard, ActionCardVersion, CardDistribution, Meeting
from lms.people.models import Role

from .builders import SIGNS, STEPS, review_in

V = ActionCardVersion.Status


@pytest.fixture
def staff(make_staff, mfa):
    def make(role, unit):
        return mfa(make_staff(role, unit))

    return make


@pytest.fixture
def logged_in(client, mfa):
    def login(user):
        mfa(user)
        client.force_login(user)
        return client

    return login


def version_form(**change):
    data = {
        "title": "Handlekort, ny udgave",
        "summary": "Kort indledning",
        "review_date": review_in().isoformat(),
        "change_note": "Nye numre",
        "signs": streamfield(SIGNS),
        "steps": streamfield(STEPS),
        **change,
    }
    return nested_form_data(data)


def test_create_edit_approve_and_new_version_through_the_admin(
    client, tree, coordinators, logged_in
):
    author, approver = coordinators["author"], coordinators["approver"]
    logged_in(author)
    assert client.get(reverse("action_cards:add")).status_code == 200
    data = version_form(
        slug="medarbejdere", audience="staff", org_unit=tree["HJ"].pk, owner=author.pk
    )
    response = client.post(reverse("action_cards:add"), data)
    assert response.status_code == 302, response.context["form"].errors
    card = ActionCard.objects.get(slug="medarbejdere")
    draft = card.versions.get()
    assert draft.status == V.DRAFT and draft.created_by == author
    assert [b.value["sign"] for b in draft.signs] == [s[1]["sign"] for s in SIGNS]
    # Bad input: a taken address; nothing more is created.
    response = client.post(reverse("action_cards:add"), data)
    assert response.status_code == 200
    assert "allerede adressen" in response.content.decode()
    assert ActionCard.objects.count() == 1

    # The card page lists the version and offers editing, not approval, to its author.
    html = client.get(reverse("action_cards:inspect", args=(card.pk,))).content.decode()
    assert "Handlekort, ny udgave" in html
    assert reverse("action_cards:version_edit", args=(draft.pk,)) in html
    assert reverse("action_cards:version_approve", args=(draft.pk,)) not in html
    assert "en anden skal godkende" in html
    edit = reverse("action_cards:version_edit", args=(draft.pk,))
    assert client.get(edit).status_code == 200
    response = client.post(edit, version_form(title="Rettet titel"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Rettet titel"
    # The author cannot approve: the message says why, nothing changes.
    approve = reverse("action_cards:version_approve", args=(draft.pk,))
    assert "en anden person" in client.get(approve).content.decode()
    client.post(approve)
    draft.refresh_from_db()
    assert draft.status == V.DRAFT
    preview = client.get(reverse("action_cards:version_preview", args=(draft.pk,)))
    assert preview.status_code == 200
    assert "Forhåndsvisning af en kladde" in preview.content.decode()
    assert "no-store" in preview["Cache-Control"]

    # Someone else approves.
    logged_in(approver)
    html = client.get(reverse("action_cards:inspect", args=(card.pk,))).content.decode()
    assert approve in html
    assert client.post(approve).status_code == 302
    draft.refresh_from_db()
    card.refresh_from_db()
    assert draft.status == V.APPROVED and card.current_version == draft
    # An approved version's edit page sends back to the card; a POST changes nothing.
    assert client.get(edit).status_code == 302
    client.post(edit, version_form(title="Forbudt"))
    draft.refresh_from_db()
    assert draft.title == "Rettet titel"

    # A new version starts as a copy; the card list shows it waiting for approval.
    new = reverse("action_cards:version_new", args=(draft.pk,))
    assert client.get(new).status_code == 200
    response = client.post(new)
    v2 = card.versions.get(number=2)
    assert response["Location"] == reverse("action_cards:version_edit", args=(v2.pk,))
    html = client.get(reverse("action_cards:index")).content.decode()
    assert "Rettet titel" in html and "Version 2 venter på godkendelse" in html
    # Card details: the address is frozen now (the field is disabled), the audience may change.
    edit_card = reverse("action_cards:edit", args=(card.pk,))
    response = client.post(
        edit_card,
        {"slug": "andet", "audience": "citizens", "org_unit": tree["HJ"].pk, "owner": author.pk},
    )
    assert response.status_code == 302
    card.refresh_from_db()
    assert (card.slug, card.audience) == ("medarbejdere", "citizens")
    # Discard the draft.
    assert client.post(reverse("action_cards:version_discard", args=(v2.pk,))).status_code == 302
    assert card.versions.count() == 1
    assert ModelLogEntry.objects.filter(action="lms.actioncard.discard").exists()


def test_card_list_shows_overdue_review_in_words(client, coordinators, make_card, logged_in):
    card = make_card()
    ActionCardVersion.objects.filter(pk=card.current_version_id).update(
        review_date=timezone.localdate()
    )
    logged_in(coordinators["author"])
    html = client.get(reverse("action_cards:index")).content.decode()
    assert "(overskredet)" in html


@pytest.fixture
def card_world(tree, coordinators, make_card, make_meeting):
    card = make_card()
    draft_card = make_card(slug="kladde", approve=False, title="Kladdekort")
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ-SKOLE"]])
    row = services.distribution_record(
        version=card.current_version, quantity=5, org_unit=tree["HJ-SKOLE"], by=None
    )
    return {
        "card": card,
        "draft": draft_card.versions.get(),
        "meeting": meeting,
        "row": row,
    }


# Pages without a particular card or distribution in them.
LIST_VIEWS = {"cards", "card_add", "distribution_add"}


def card_views(world):
    card, draft, row = world["card"], world["draft"], world["row"]
    return {
        "cards": reverse("action_cards:index"),
        "card_add": reverse("action_cards:add"),
        "card_page": reverse("action_cards:inspect", args=(card.pk,)),
        "card_edit": reverse("action_cards:edit", args=(card.pk,)),
        "version_edit": reverse("action_cards:version_edit", args=(draft.pk,)),
        "version_approve": reverse("action_cards:version_approve", args=(draft.pk,)),
        "version_discard": reverse("action_cards:version_discard", args=(draft.pk,)),
        "version_new": reverse("action_cards:version_new", args=(card.current_version_id,)),
        "version_preview": reverse("action_cards:version_preview", args=(draft.pk,)),
        "distribution_add": reverse("card_distributions:add"),
        "distribution_delete": reverse("card_distributions:delete", args=(row.pk,)),
    }


def test_coordinator_reaches_every_view(client, coordinators, card_world, logged_in):
    logged_in(coordinators["approver"])
    for name, url in card_views(card_world).items():
        assert client.get(url).status_code == 200, name
    for url in (reverse("card_distributions:index"), reverse("cards_in_circulation:index")):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    "role, unit",
    [
        (Role.COORDINATOR, "FR"),
        (Role.INSTITUTION_COORDINATOR, "HJ-GYM"),
        (Role.DEPARTMENT_CONTACT, "HJ-BFU"),
        (Role.STEERING_GROUP, "HJ"),
    ],
)
def test_access_refused(client, tree, staff, card_world, role, unit):
    client.force_login(staff(role, tree[unit]))
    for name, url in card_views(card_world).items():
        response = client.get(url)
        if name in LIST_VIEWS and role == Role.COORDINATOR:
            # Another municipality's coordinator has these pages, without HJ's cards on them.
            assert response.status_code == 200
        else:
            assert response.status_code in (302, 403, 404), (name, response.status_code)
        html = response.content.decode()
        assert "Kladdekort" not in html and "Handlekort for medarbejdere" not in html
    # POSTs change nothing.
    client.post(card_views(card_world)["version_approve"])
    client.post(card_views(card_world)["distribution_delete"])
    client.post(
        reverse("card_distributions:add"),
        {
            "version": card_world["card"].current_version_id,
            "quantity": 9,
            "org_unit": tree[unit].pk,
        },
    )
    card_world["draft"].refresh_from_db()
    assert card_world["draft"].status == V.DRAFT
    assert list(CardDistribution.objects.values_list("quantity", flat=True)) == [5]


def test_distribution_lists_are_scoped(client, tree, staff, card_world):
    # The department contact of BFU sees the school's copies (aggregates, no personal data).
    client.force_login(staff(Role.DEPARTMENT_CONTACT, tree["HJ-BFU"]))
    html = client.get(reverse("card_distributions:index")).content.decode()
    assert "HJ Skole" in html
    report = client.get(reverse("cards_in_circulation:index")).content.decode()
    assert "HJ Skole" in report
    # FR's coordinator, and the institution coordinator of HJ's gymnasium, see none of it.
    for role, unit in ((Role.COORDINATOR, "FR"), (Role.INSTITUTION_COORDINATOR, "HJ-GYM")):
        client.force_login(staff(role, tree[unit]))
        assert "HJ Skole" not in client.get(reverse("card_distributions:index")).content.decode()
        report = client.get(reverse("cards_in_circulation:index")).content.decode()
        assert "HJ Skole" not in report


def test_employee_and_anonymous_have_no_admin(client, tree, card_world, make_employee):
    urls = [
        *card_views(card_world).values(),
        reverse("card_distributions:index"),
        reverse("cards_in_circulation:index"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url
    client.force_login(make_employee(tree["HJ-SKOLE"]).user)
    for url in urls:
        assert client.get(url).status_code == 302, url


def test_record_for_a_meeting_from_its_page(
    client, tree, coordinators, make_card, live_meeting, make_employee, logged_in
):
    card = make_card()
    people = [make_employee(tree["HJ-SKOLE"]) for _ in range(4)]
    meeting = live_meeting(
        tree["HJ"],
        audience=[tree["HJ-SKOLE"]],
        registrants=people,
        action_card_version=card.current_version,
    )
    meeting = services.meeting_mark_held(meeting=meeting, by=None)
    logged_in(coordinators["author"])
    inspect = client.get(reverse("meetings:inspect", args=(meeting.pk,))).content.decode()
    record = reverse("card_distributions:add") + f"?meeting={meeting.pk}"
    assert record.replace("&", "&amp;") in inspect or record in inspect
    form = client.get(record)
    assert form.status_code == 200
    assert form.context["form"].initial["quantity"] == 4  # suggested from the registrations
    assert form.context["form"].initial["version"] == card.current_version_id
    data = {
        "meeting": meeting.pk,
        "version": card.current_version_id,
        "quantity": 0,
        "handed_out_on": "",
        "note": "",
        "org_unit": "",
    }
    response = client.post(record, data)
    assert response.status_code == 200
    assert "mindst 1" in response.content.decode()
    assert not CardDistribution.objects.exists()
    response = client.post(record, {**data, "quantity": 4})
    assert response.status_code == 302
    row = CardDistribution.objects.get()
    assert (row.meeting, row.quantity, row.org_unit) == (meeting, 4, tree["HJ-SKOLE"])
    # Filters of the list; the report marks superseded versions in words.
    index = reverse("card_distributions:index")
    for query, found in (
        ({"meeting": meeting.pk, "version": 1}, [row]),
        ({"card": card.pk, "place": tree["HJ"].pk}, [row]),
        ({"version": 7}, []),
        ({"place": tree["HJ-GYM"].pk}, []),
    ):
        assert list(client.get(index, query).context["object_list"]) == found, query
    csv = client.get(reverse("card_distributions:index"), {"export": "csv"})
    assert csv.status_code == 200 and b"HJ Skole" in b"".join(csv.streaming_content)


def test_report_marks_superseded_in_words_and_exports_csv(
    client, tree, coordinators, make_card, new_version, logged_in
):
    card = make_card()
    services.distribution_record(
        version=card.current_version, quantity=30, org_unit=tree["HJ-SKOLE"], by=None
    )
    new_version(card)
    services.distribution_record(
        version=card.current_version, quantity=12, org_unit=tree["HJ-BFU"], by=None
    )
    logged_in(coordinators["author"])
    html = client.get(reverse("cards_in_circulation:index")).content.decode()
    assert html.index("HJ Skole") < html.index("HJ BFU")  # superseded places first
    assert "<strong>Erstattet</strong>" in html and "uddel version 2" in html
    assert "1 sted har en erstattet version" in html
    response = client.get(reverse("cards_in_circulation:index"), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert "HJ Skole;" in text and ";erstattet" in text and ";gældende" in text


def test_meeting_form_offers_only_approved_versions_of_visible_cards(
    client, tree, coordinators, make_card, logged_in
):
    card = make_card()
    draft = services.version_draft_create(card=card, by=coordinators["author"])
    services.version_update(version=draft, title="Usynlig kladde", by=coordinators["author"])
    fr_card = services.card_create(
        slug="fr",
        audience="staff",
        org_unit=tree["FR"],
        title="Frederikshavn-kortet",
        signs=SIGNS,
        steps=STEPS,
        review_date=review_in(),
        by=None,
    )
    services.version_approve(version=fr_card.versions.get(), by=None)
    logged_in(coordinators["author"])
    html = client.get(reverse("meetings:add")).content.decode()
    assert "Handlekort for medarbejdere (v1)" in html
    assert "Usynlig kladde" not in html and "Frederikshavn-kortet" not in html


def test_meeting_service_refuses_a_draft_version(tree, coordinators, make_card, make_meeting):
    card = make_card(approve=False)
    with pytest.raises(ValidationError, match="godkendt version"):
        make_meeting(tree["HJ"], action_card_version=card.versions.get(), publish=False)
    assert not Meeting.objects.exists()


def test_menu_is_shown_by_the_policy(client, tree, staff):
    client.force_login(staff(Role.COORDINATOR, tree["HJ"]))
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("action_cards:index") in html
    assert reverse("cards_in_circulation:index") in html
    # The steering group sees where cards went (aggregates), not the cards' editing.
    client.force_login(staff(Role.STEERING_GROUP, tree["HJ"]))
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("action_cards:index") not in html
    assert reverse("card_distributions:index") in html
    assert reverse("cards_in_circulation:index") in html


# --- Approving from the list (issue 8) ----------------------------------------------------------


def test_the_card_list_offers_approval_to_those_who_may_approve(
    client, tree, coordinators, make_card, make_staff, logged_in
):
    card = make_card()
    draft = services.version_draft_create(card=card, by=coordinators["author"])
    editor = make_staff(Role.COORDINATOR, tree["HJ"])
    make_card("andet-kort", approve=False, title="Et andet kort")
    services.version_update(version=draft, title="Ny titel", by=editor)
    approve_url = reverse("action_cards:version_approve", args=(draft.pk,))

    logged_in(coordinators["approver"])
    html = client.get(reverse("action_cards:index")).content.decode()
    assert approve_url in html and "Godkend version 2" in html
    assert client.get(approve_url).status_code == 200
    # Four eyes: the one who started the draft and the one who edited it get no such button.
    for user in (coordinators["author"], editor):
        logged_in(user)
        html = client.get(reverse("action_cards:index")).content.decode()
        assert approve_url not in html
    # Another municipality's coordinator does not see the card at all.
    logged_in(coordinators["other"])
    assert approve_url not in client.get(reverse("action_cards:index")).content.decode()


def test_every_version_confirmation_names_the_author(client, coordinators, card_world, logged_in):
    """ "Skrevet af ." with the name missing was shown when starting a new version."""
    logged_in(coordinators["approver"])
    views = card_views(card_world)
    for name in ("version_new", "version_approve", "version_discard"):
        html = client.get(views[name]).content.decode()
        assert "Skrevet af ." not in html, name
        assert re.search(r"Skrevet af [^\s.<][^<]*\.", html), name
