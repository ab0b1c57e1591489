"""Staff roles are signed out after LMS_STAFF_IDLE_TIMEOUT minutes without a request; employees
keep their two-week session. The middleware's clock is replaced: no test sleeps."""

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse

from lms.people.middleware import StaffIdleTimeoutMiddleware
from lms.people.models import Role
from tests.factories import PersonFactory, UserFactory

ADMIN = reverse("wagtailadmin_home")
MY_CERTIFICATES = reverse("courses:certificates")
MINUTE = 60.0


@pytest.fixture
def clock(monkeypatch):
    """clock.now: the middleware's time in seconds; tests move it forward."""

    class Clock:
        now = 1_000_000.0

        def advance(self, minutes: float) -> None:
            self.now += minutes * MINUTE

    fake = Clock()
    monkeypatch.setattr(StaffIdleTimeoutMiddleware, "clock", staticmethod(lambda: fake.now))
    return fake


@pytest.fixture
def coordinator(client, tree, make_staff, mfa):
    user = mfa(make_staff(Role.COORDINATOR, tree["HJ"]))
    client.force_login(user)
    return user


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_staff_session_ends_after_the_idle_timeout(client, coordinator, clock):
    assert settings.LMS_STAFF_IDLE_TIMEOUT == 30
    assert client.get(ADMIN).status_code == 200
    clock.advance(29)
    assert client.get(ADMIN).status_code == 200
    clock.advance(31)
    response = client.get(ADMIN)
    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={ADMIN}"
    assert not signed_in(client)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Du er blevet logget ud efter 30 minutter uden aktivitet. Log ind igen."
    ]


def test_activity_keeps_a_staff_session_open(client, coordinator, clock):
    for _ in range(12):  # four hours, a request every 20 minutes
        assert client.get(ADMIN).status_code == 200
        clock.advance(20)
    assert signed_in(client)


def test_the_session_itself_expires_with_the_idle_timeout(client, coordinator, clock):
    # A session left behind also ends on the server (and its cookie in the browser).
    client.get(ADMIN)
    assert client.session.get_expiry_age() == 30 * 60
    assert client.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 30 * 60


def test_the_timeout_is_configurable(client, coordinator, clock, settings):
    settings.LMS_STAFF_IDLE_TIMEOUT = 10
    client.get(ADMIN)
    clock.advance(11)
    assert client.get(ADMIN).status_code == 302
    assert not signed_in(client)


def test_the_timeout_applies_on_front_end_pages_too(client, coordinator, clock):
    client.get(MY_CERTIFICATES)
    clock.advance(45)
    response = client.get(MY_CERTIFICATES)
    assert response.status_code == 302
    assert not signed_in(client)


def test_employees_keep_their_long_session(client, tree, clock):
    user = UserFactory()
    PersonFactory(org_unit=tree["HJ-SKOLE"], user=user, email=user.email)
    client.force_login(user)
    assert client.get(MY_CERTIFICATES).status_code == 200
    clock.advance(60 * 24 * 10)  # ten days
    assert client.get(MY_CERTIFICATES).status_code == 200
    assert signed_in(client)
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
