import pytest
from allauth.account.models import EmailAddress
from django.core.cache import caches

from tests.factories import UserFactory


def _clear_own_cache() -> None:
    """Forget allauth's rate-limit counters and used TOTP codes, this process's only.

    On Redis, cache.clear() would flush the whole database that other test processes share, so
    only keys under this process's KEY_PREFIX (lms.settings.test) are deleted.
    """
    from django.core.cache.backends.redis import RedisCache

    backend = caches["default"]
    if isinstance(backend, RedisCache):
        client = backend._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{backend.key_prefix}:*"))
        if keys:
            client.delete(*keys)
    else:
        backend.clear()


@pytest.fixture(autouse=True)
def _fresh_cache():
    # allauth keeps rate-limit counters and used TOTP codes in the cache.
    _clear_own_cache()
    yield
    _clear_own_cache()


@pytest.fixture
def verified_user(db):
    """verified_user(email=None, **fields) -> a user whose email allauth holds as verified."""

    def make(email: str | None = None, *, verified: bool = True, **fields):
        user = UserFactory(**({"email": email} if email else {}), **fields)
        EmailAddress.objects.create(user=user, email=user.email, verified=verified, primary=True)
        return user

    return make
