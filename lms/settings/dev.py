"""The settings `make run` uses: a local demo on SQLite and the embedded broker."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
# The seeded demo users may reach the admin without TOTP, so that the demo can be tried at once.
# Every other staff user still has to set up MFA. Production never reads this list.
LMS_MFA_EXEMPT_EMAILS = env.list(
    "LMS_MFA_EXEMPT_EMAILS",
    default=[
        "koordinator@demo.infohus.dk",
        "afdeling@demo.infohus.dk",
        "institution@demo.infohus.dk",
        "styregruppe@demo.infohus.dk",
        "admin@demo.infohus.dk",
        "leder@demo.infohus.dk",
        "ssp@demo.infohus.dk",
        "politi@demo.infohus.dk",
    ],
)
# `make run` seeds the demo with `load_demo_data` (known passwords): allowed here only.
LMS_DEMO_DATA_ALLOWED = True

# A fixed, public key: concerns typed into a dev or test database are not secret. Production
# refuses to start without LMS_CONCERN_KEYS of its own (lms.settings.production).
LMS_CONCERN_KEYS = env.list(
    "LMS_CONCERN_KEYS", default=["ZGV2LW9ubHktY29uY2Vybi1rZXktbm90LXNlY3JldCE="]
)
