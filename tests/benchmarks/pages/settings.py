"""Settings for bench_pages' gunicorn: the platform's base settings as production runs them
(DEBUG off, templates cached, the shared cache), plus a trivial view and a bare page template
that exist only here, and a middleware that reports each request's queries and CPU time in
response headers. Nothing of this is loaded outside the benchmark."""

import os
from pathlib import Path

from lms.settings.base import *  # noqa: F403
from lms.settings.base import CACHES, MIDDLEWARE, TEMPLATES

SECRET_KEY = "bench-only-insecure-key-do-not-use-in-production"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "tests.benchmarks.pages.urls"
TEMPLATES = [{**TEMPLATES[0], "DIRS": [str(Path(__file__).parent / "templates")]}]
MIDDLEWARE = ["tests.benchmarks.pages.middleware.RequestCost", *MIDDLEWARE]
# Each run its own keys: the shared Redis (REDIS_URL) or the file cache of the default run.
CACHES = {"default": {**CACHES["default"], "KEY_PREFIX": os.environ["BENCH_PAGES_PREFIX"]}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LMS_DEMO_DATA_ALLOWED = True
LMS_MFA_EXEMPT_EMAILS: list[str] = []
LMS_CONCERN_KEYS = ["ZGV2LW9ubHktY29uY2Vybi1rZXktbm90LXNlY3JldCE="]
