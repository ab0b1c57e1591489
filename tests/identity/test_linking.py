"""Linking a signed-in user to their roster Person by verified email
(lms.people.services.identity)."""

import datetime
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from wagtail.models import ModelLogEntry

from lms.people.models import Person
from lms.people.services.identity import person_link_user
from tests.factories import PASSWORD, PersonFactory, UserFactory

LOGIN = "/konto/login/"


@pytest.fixture
def unit(tree):
    return tree["HJ-SKOLE"]


# --- the service --------------------------------------------------------------------------------


def test_links_on_verified_email_case_insensitively(unit, verified_user):
    person = PersonFactory(email="Anna.Hansen@Hjoerring.dk", org_unit=unit)
    user = verified_user("anna.hansen@hjoerring.dk")
    assert person_link_user(user=user) == person
    person.refresh_from_db()
    assert person.user == user
    entry = ModelLogEntry.objects.get(action="lms.person.link_user")
    assert entry.object_id == str(person.pk)
    assert entry.user_id == user.pk
    # The entry outlives the person's anonymisation: no name in its label.
    assert "Hansen" not in entry.label
    assert entry.label == f"person #{person.pk}"


def test_links_on_a_secondary_verified_address(unit, verified_user):
    person = PersonFactory(email="arbejde@hjoerring.dk", org_unit=unit)
    user = verified_user("privat@example.dk")
    EmailAddress.objects.create(user=user, email="arbejde@hjoerring.dk", verified=True)
    assert person_link_user(user=user) == person


def test_never_links_on_an_unverified_email(unit, verified_user):
    person = PersonFactory(email="bo@hjoerring.dk", org_unit=unit)
    user = verified_user("bo@hjoerring.dk", verified=False)
    assert person_link_user(user=user) is None
    person.refresh_from_db()
    assert person.user is None


def test_user_email_alone_is_not_enough(unit, db):
    """The User row's email is not proof; only allauth's verified EmailAddress is."""
    person = PersonFactory(email="bo@hjoerring.dk", org_unit=unit)
    user = UserFactory(email="bo@hjoerring.dk")
    assert person_link_user(user=user) is None
    person.refresh_from_db()
    assert person.user is None


def test_never_steals_a_person_linked_to_another_user(unit, verified_user):
    owner = UserFactory(email="gammel@example.dk")
    person = PersonFactory(email="cecilie@hjoerring.dk", org_unit=unit, user=owner)
    user = verified_user("cecilie@hjoerring.dk")
    assert person_link_user(user=user) is None
    person.refresh_from_db()
    assert person.user == owner


def test_never_links_a_person_who_left(unit, verified_user):
    person = PersonFactory(
        email="dorte@hjoerring.dk", org_unit=unit, active=False, left_on=datetime.date(2024, 1, 1)
    )
    user = verified_user("dorte@hjoerring.dk")
    assert person_link_user(user=user) is None
    person.refresh_from_db()
    assert person.user is None


def test_already_linked_user_keeps_their_person(unit, verified_user):
    user = verified_user("erik@hjoerring.dk")
    first = PersonFactory(email="erik.gammel@hjoerring.dk", org_unit=unit, user=user)
    PersonFactory(email="erik@hjoerring.dk", org_unit=unit)
    assert person_link_user(user=user) == first
    assert Person.objects.filter(user=user).count() == 1
    assert not ModelLogEntry.objects.filter(action="lms.person.link_user").exists()


def test_no_matching_person_links_nothing(unit, verified_user):
    user = verified_user("ukendt@example.dk")
    PersonFactory(email="en.anden@hjoerring.dk", org_unit=unit)
    assert person_link_user(user=user) is None
    assert not Person.objects.filter(user__isnull=False).exists()


def test_linking_twice_changes_nothing_the_second_time(unit, verified_user):
    person = PersonFactory(email="frida@hjoerring.dk", org_unit=unit)
    user = verified_user("frida@hjoerring.dk")
    assert person_link_user(user=user) == person
    assert person_link_user(user=user) == person
    assert ModelLogEntry.objects.filter(action="lms.person.link_user").count() == 1


# --- through the real sign-in flows ---------------------------------------------------------------


def test_password_login_links_the_person(client, unit, verified_user):
    person = PersonFactory(email="gitte@hjoerring.dk", org_unit=unit)
    user = verified_user("gitte@hjoerring.dk")
    client.post(LOGIN, {"login": "gitte@hjoerring.dk", "password": PASSWORD})
    person.refresh_from_db()
    assert person.user == user
    response = client.get("/min-profil/")
    assert person.name in response.content.decode()


def test_signup_links_only_after_the_email_is_confirmed(client, unit):
    person = PersonFactory(email="hans@hjoerring.dk", org_unit=unit)
    client.post(
        reverse("account_signup"),
        {"email": "hans@hjoerring.dk", "password1": PASSWORD, "password2": PASSWORD},
    )
    person.refresh_from_db()
    assert person.user is None  # not before the address is proven

    link = re.search(r"https?://testserver(/\S+)", mail.outbox[0].body).group(1)
    client.post(link)
    person.refresh_from_db()
    assert person.user is not None
    assert person.user.email == "hans@hjoerring.dk"


def test_unverified_login_attempt_does_not_link(client, unit, verified_user):
    person = PersonFactory(email="ida@hjoerring.dk", org_unit=unit)
    verified_user("ida@hjoerring.dk", verified=False)
    client.post(LOGIN, {"login": "ida@hjoerring.dk", "password": PASSWORD})
    person.refresh_from_db()
    assert person.user is None


def test_a_concurrent_link_of_the_same_user_wins(unit, verified_user):
    """Person.user is one-to-one: if another sign-in of the same user linked a Person between our
    check and our write, the database refuses ours and that link stands."""
    from unittest import mock

    from django.db import IntegrityError

    person = PersonFactory(email="jonas@hjoerring.dk", org_unit=unit)
    user = verified_user("jonas@hjoerring.dk")
    with mock.patch.object(Person, "save", side_effect=IntegrityError("person_user_key")):
        assert person_link_user(user=user) is None
    person.refresh_from_db()
    assert person.user is None
    assert not ModelLogEntry.objects.filter(action="lms.person.link_user").exists()
