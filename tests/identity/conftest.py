import pytest
from allauth.account.models import EmailAddress

from tests.caches import cache_own_clear
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    # allauth keeps rate-limit counters and used TOTP codes in the cache.
    cache_own_clear()
    yield
    cache_own_clear()


@pytest.fixture
def verified_user(db):
    """verified_user(email=None, **fields) -> a user whose email allauth holds as verified."""

    def make(email: str | None = None, *, verified: bool = True, **fields):
        user = UserFactory(**({"email": email} if email else {}), **fields)
        EmailAddress.objects.create(user=user, email=user.email, verified=verified, primary=True)
        return user

    return make
