"""Production: refuses to start without the secrets and hosts it needs."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import MIDDLEWARE, STORAGES, env

DEBUG = False
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure"):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set to a random value of at least 50 characters in production."
    )
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must list the host names the site answers to.")
if not env.str("EMAIL_URL", default=""):
    # base.py would fall back to writing mail to files on the server: sign-up verification and
    # password-reset mail would silently never arrive, and nobody could get in.
    raise ImproperlyConfigured(
        "EMAIL_URL must name the outgoing mail server in production (for example "
        "smtp+tls://user:password@smtp.example.dk:587): without it, email verification and "
        "password-reset mail would be written to files and never reach anyone."
    )

LMS_CONCERN_KEYS = env.list("LMS_CONCERN_KEYS", default=[])
try:
    from cryptography.fernet import Fernet

    if not LMS_CONCERN_KEYS:
        raise ValueError
    for _key in LMS_CONCERN_KEYS:
        Fernet(_key)
except ValueError:
    # A concern's text (often about a child, political or religious beliefs, suspected crime)
    # must never be written to the database in plain text.
    raise ImproperlyConfigured(
        "LMS_CONCERN_KEYS must hold one or more Fernet keys (comma-separated, newest first) in "
        "production: they encrypt the concerns' text at rest. Make one with `python -c "
        '"from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`.'
    ) from None

# WhiteNoise serves the collected static files in production (the dev server does it in `make run`).
MIDDLEWARE = [*MIDDLEWARE]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "whitenoise.middleware.WhiteNoiseMiddleware",
)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The README puts one reverse proxy in front of gunicorn: rate limits key on the address it saw.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("LMS_TRUSTED_PROXY_COUNT", default=1)
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# base's storages (the private ones each feature adds included), with hashed, compressed statics.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
LMS_MFA_EXEMPT_EMAILS: list[str] = []
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
# Never: the demo data's logins share a published password, a superuser among them.
LMS_DEMO_DATA_ALLOWED = False
