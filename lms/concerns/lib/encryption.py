"""The keys that encrypt a concern's free text and names at rest.

cryptography's MultiFernet, with the keys from settings.LMS_CONCERN_KEYS (the environment, newest
first): the first key encrypts, every key decrypts, and `rotate()` re-encrypts a token with the
first. A key of its own, not one derived from DJANGO_SECRET_KEY: rotating the session secret must
never make the concerns unreadable, and a leaked session secret must not open them.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = ["InvalidToken", "decrypt", "encrypt", "rotate"]


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("LMS_CONCERN_KEYS holds no key: concerns cannot be stored.")
    return MultiFernet([Fernet(key) for key in keys])


def _current() -> MultiFernet:
    # Keyed on the setting's value, so that a changed setting (a test's override) is seen.
    return _fernet(tuple(settings.LMS_CONCERN_KEYS))


def encrypt(text: str) -> str:
    return _current().encrypt(text.encode()).decode("ascii")


def decrypt(token: str) -> str:
    """The text of `token`; InvalidToken when no configured key opens it."""
    return _current().decrypt(token.encode("ascii")).decode()


def rotate(token: str) -> str:
    """`token` encrypted again with the newest key (its text unchanged)."""
    return _current().rotate(token.encode("ascii")).decode("ascii")
