"""cache.clear() in a test flushes the Redis database that every test process of the PostgreSQL
run shares: the other pytest-xdist worker then loses its cached Wagtail site root paths and its
rate-limit counters, and an exact query count there fails at random (it did, in CI). Tests use
the `cache_fresh` fixture (tests.caches.cache_own_clear) instead."""

import re
from pathlib import Path

TESTS = Path(__file__).parent


def test_no_test_flushes_the_shared_cache():
    pattern = re.compile(r"\bcache\.clear\(\)|caches\[[^\]]+\]\.clear\(\)|flushdb|flushall")
    offenders = [
        f"{path.relative_to(TESTS)}:{number}"
        for path in TESTS.rglob("*.py")
        if path.name not in {"caches.py", Path(__file__).name}
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []
