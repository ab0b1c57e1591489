"""Per-IP rate limits behind the reverse proxy: every limit keys on the client's address, not the
proxy's, and an address the client adds to X-Forwarded-For itself does not get it out of a limit.

Every per-IP limit (login, check-in by email, certificate verification, reporting a concern) is
allauth's, which asks one function for the address: the account adapter's get_client_ip. The
settings come from LMS_TRUSTED_PROXY_COUNT / LMS_TRUSTED_CLIENT_IP_HEADER (lms/settings/base.py,
production.py).
"""

import pytest
from allauth.core.internal import ratelimit
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse

from tests.factories import PASSWORD

LOGIN = reverse("account_login")
PROXY = "10.0.0.5"
ALICE = "203.0.113.10"
BOB = "203.0.113.20"


@pytest.fixture
def one_proxy(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1


def through_proxy(forwarded_for: str) -> dict:
    """What gunicorn sees: the proxy's address, and X-Forwarded-For with the proxy's entry last."""
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded_for}


def per_ip_actions() -> list[str]:
    return [
        action
        for action, rates in settings.ACCOUNT_RATE_LIMITS.items()
        if any(rate.strip().endswith("/ip") for rate in rates.split(","))
    ]


def test_check_in_and_certificate_limits_are_per_ip():
    # The actions of our own views (not allauth's login) are among them.
    assert {"attendance_check_in_failed", "certificate_verify_failed", "concern_report"} <= set(
        per_ip_actions()
    )


@pytest.mark.parametrize(
    "action", ["attendance_check_in_failed", "certificate_verify_failed", "concern_report"]
)
def test_two_clients_behind_one_proxy_are_limited_separately(one_proxy, action):
    factory = RequestFactory()

    def attempt(forwarded_for: str) -> bool:
        request = factory.post("/", **through_proxy(forwarded_for))
        return bool(
            ratelimit.consume(request, app="allauth.account", action=action, limit_get=True)
        )

    while attempt(ALICE):
        pass
    assert not attempt(ALICE)
    # A spoofed entry in front of the proxy's does not make a new client.
    assert not attempt(f"198.51.100.7, {ALICE}")
    assert attempt(BOB)


def test_without_a_trusted_proxy_the_header_is_ignored(settings):
    # The default outside production: a client talking to gunicorn directly cannot pick an
    # address by sending X-Forwarded-For.
    from allauth.account.adapter import get_adapter

    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", **through_proxy(ALICE))
    assert get_adapter().get_client_ip(request) == PROXY


def test_a_trusted_client_ip_header_wins(settings):
    from allauth.account.adapter import get_adapter

    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"
    request = RequestFactory().get(
        "/", REMOTE_ADDR=PROXY, HTTP_X_REAL_IP=BOB, HTTP_X_FORWARDED_FOR=ALICE
    )
    assert get_adapter().get_client_ip(request) == BOB


def test_a_client_locked_out_of_login_does_not_lock_out_the_next(client, verified_user, one_proxy):
    """ACCOUNT_RATE_LIMITS["login"]: 30 attempts a minute per IP, then 429, for that client only."""
    bob = verified_user("bo@example.dk")
    for n in range(30):
        client.post(
            LOGIN, {"login": f"x{n}@example.dk", "password": "forkert"}, **through_proxy(ALICE)
        )
    refused = client.post(
        LOGIN, {"login": "bo@example.dk", "password": PASSWORD}, **through_proxy(ALICE)
    )
    assert refused.status_code == 429
    spoofed = client.post(
        LOGIN,
        {"login": "bo@example.dk", "password": PASSWORD},
        **through_proxy(f"{BOB}, {ALICE}"),
    )
    assert spoofed.status_code == 429
    response = client.post(
        LOGIN, {"login": "bo@example.dk", "password": PASSWORD}, **through_proxy(BOB)
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(bob.pk)
