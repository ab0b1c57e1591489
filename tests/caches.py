"""The shared cache in tests: forget this process's keys only.

On Redis (the PostgreSQL run), every test process shares one database: cache.clear() would
flush the other pytest-xdist worker's keys as well (its Wagtail site root paths, its rate-limit
counters) and make that worker's exact query counts and rate-limit tests fail at random. Only the
keys under this process's KEY_PREFIX (lms.settings.test) are deleted."""

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache


def cache_own_clear() -> None:
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        client = backend._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{backend.key_prefix}:*"))
        if keys:
            client.delete(*keys)
    else:
        backend.clear()
