"""Settings for the test suite. DATABASE_URL / REDIS_URL switch it to PostgreSQL / Redis."""

import os

from .base import *  # noqa: F403
from .base import REDIS_URL, env

SECRET_KEY = "test-only-key"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if not REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    # One Redis serves every test process (pytest-xdist workers, the next run): a prefix of this
    # process's own keeps one process's rate-limit counters from tripping another's logins.
    CACHES["default"]["KEY_PREFIX"] = f"lms-test-{os.getpid()}"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "imports": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "evidence": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "reports": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
}
WAGTAILADMIN_BASE_URL = "http://testserver"
LMS_MFA_EXEMPT_EMAILS: list[str] = []
LMS_DEMO_DATA_ALLOWED = True

# A fixed, public key: concerns typed into a dev or test database are not secret. Production
# refuses to start without LMS_CONCERN_KEYS of its own (lms.settings.production).
LMS_CONCERN_KEYS = env.list(
    "LMS_CONCERN_KEYS", default=["ZGV2LW9ubHktY29uY2Vybi1rZXktbm90LXNlY3JldCE="]
)
