"""Settings shared by every environment. Everything that differs between installations comes from
environment variables (see README, "Configuration")."""

import datetime
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("LMS_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
env_file = BASE_DIR / ".env"
if env_file.exists():
    environ.Env.read_env(str(env_file))

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Ours first so that our templates override allauth's and Wagtail's.
    "lms",
    "lms.people",
    "lms.competence",
    "lms.site",
    "lms.concerns",
    "courses",
    "attendance",
    "newsletters",
    "reports",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Identity
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    # Background work
    "django_celery_beat",
    "django_celery_results",
    "django_filters",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "lms.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lms.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "lms.people.middleware.StaffIdleTimeoutMiddleware",
    "lms.people.middleware.StaffMFARequiredMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "lms.urls"
# A Danish page in the site's look when a form's CSRF check fails (lms/templates/403_csrf.html).
CSRF_FAILURE_VIEW = "lms.views.csrf_failure"
WSGI_APPLICATION = "lms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # lms/templates is the `lms` app's own folder, found through APP_DIRS (first app listed).
        # Listing it in DIRS as well made every template that extends the next one of its name
        # (mfa/index.html, mfa/recovery_codes/index.html) find itself once more and render twice.
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
# SQLite is the embedded default. WAL lets readers run beside the writer, IMMEDIATE transactions
# take the write lock at BEGIN (so two writers queue instead of failing half-way with "database is
# locked"), and the timeout is how long a writer waits for that lock.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and broker ---------------------------------------------------------------------------
# With REDIS_URL the broker, the cache and the results use three different Redis databases, so that
# flushing the cache never drops queued tasks. The URL's database number is the first of them
# (redis://host:6379/12 means 12, 13 and 14; no number means 0, 1 and 2); REDIS_BROKER_DB /
# REDIS_CACHE_DB / REDIS_RESULT_DB set a database number outright.
REDIS_URL = env.str("REDIS_URL", default="")


def redis_url_db(url: str) -> int:
    """The database number in a Redis URL's path (0 when it names none)."""
    path = url.partition("://")[2].split("?", 1)[0].partition("/")[2].strip("/")
    if not path:
        return 0
    if not (path.isascii() and path.isdigit()):
        raise ImproperlyConfigured(
            f"REDIS_URL must end in a database number (redis://host:6379/0), not /{path}."
        )
    return int(path)


def redis_databases(url: str, overrides: dict[str, int | None]) -> dict[str, int]:
    """Database numbers for "broker", "cache" and "result": the URL's number and the two after
    it, unless a REDIS_*_DB variable names one. Refuses two uses on one database."""
    base = redis_url_db(url)
    numbers = {
        use: base + offset if overrides.get(use) is None else overrides[use]
        for offset, use in enumerate(("broker", "cache", "result"))
    }
    if len(set(numbers.values())) != len(numbers):
        raise ImproperlyConfigured(
            "The Redis databases of the broker, the cache and the results must differ "
            f"(REDIS_URL and REDIS_BROKER_DB / REDIS_CACHE_DB / REDIS_RESULT_DB give {numbers})."
        )
    return numbers


def redis_db_url(url: str, db: int) -> str:
    """The same Redis server, another database number."""
    base, _, rest = url.partition("://")
    hostpart = rest.split("/", 1)[0].split("?", 1)[0]
    query = ("?" + rest.split("?", 1)[1]) if "?" in rest else ""
    return f"{base}://{hostpart}/{db}{query}"


if REDIS_URL:
    _redis_dbs = redis_databases(
        REDIS_URL,
        {
            "broker": env.int("REDIS_BROKER_DB", default=None),
            "cache": env.int("REDIS_CACHE_DB", default=None),
            "result": env.int("REDIS_RESULT_DB", default=None),
        },
    )
    REDIS_BROKER_DB = _redis_dbs["broker"]
    REDIS_CACHE_DB = _redis_dbs["cache"]
    REDIS_RESULT_DB = _redis_dbs["result"]
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_db_url(REDIS_URL, REDIS_CACHE_DB),
            "KEY_PREFIX": "lms",
        }
    }
    CELERY_BROKER_URL = redis_db_url(REDIS_URL, REDIS_BROKER_DB)
    CELERY_RESULT_BACKEND = redis_db_url(REDIS_URL, REDIS_RESULT_DB)
else:
    # A cache that every process of the default run shares (web, worker, beat): allauth's rate
    # limits only mean something on a cache shared between processes.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
    # The embedded broker: kombu's filesystem transport, so that worker and beat still run as
    # separate processes without any server installed.
    CELERY_BROKER_URL = "filesystem://localhost//"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "broker" / "queue"),
        "data_folder_out": str(VAR_DIR / "broker" / "queue"),
        "processed_folder": str(VAR_DIR / "broker" / "processed"),
        # Exchange tables; kombu's default is a "control" folder in the current directory.
        "control_folder": str(VAR_DIR / "broker" / "control"),
        "store_processed": False,
        "polling_interval": 0.5,
    }
    CELERY_RESULT_BACKEND = f"file://{VAR_DIR / 'results'}"
    # kombu and Celery's file backend expect their folders to exist; a fresh clone has none.
    for _folder in ("queue", "processed", "control"):
        (VAR_DIR / "broker" / _folder).mkdir(parents=True, exist_ok=True)
    (VAR_DIR / "results").mkdir(parents=True, exist_ok=True)

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=CELERY_BROKER_URL)
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = 3600
CELERY_TIMEZONE = "Europe/Copenhagen"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# django-celery-beat's DatabaseScheduler copies these entries into its tables at start-up.
CELERY_BEAT_SCHEDULE = {
    "people-anonymise-expired": {
        "task": "lms.people.anonymise_expired_people",
        "schedule": crontab(hour=3, minute=15),
    },
    "people-delete-stale-import-files": {
        "task": "lms.people.delete_stale_import_files",
        "schedule": crontab(minute=40),
    },
    "attendance-send-due-reminders": {
        "task": "attendance.send_due_reminders",
        "schedule": crontab(minute=5),
    },
    # Recertification: 60 and 30 days before evidence runs out, and the manager once it has.
    "competence-send-expiry-reminders": {
        "task": "lms.competence.send_expiry_reminders",
        "schedule": crontab(hour=7, minute=20),
    },
    # A safety net: roles_changed keeps the site editors' groups in step as roles change.
    "site-sync-editor-groups": {
        "task": "lms.site.sync_editor_groups",
        "schedule": crontab(hour=3, minute=45),
    },
    # Erases the free text and names of concerns closed longer ago than the erasure period.
    "concerns-erase-closed": {
        "task": "lms.concerns.erase_closed_concerns",
        "schedule": crontab(hour=2, minute=50),
    },
    # Reminds those who receive a concern, once per case and deadline, when it is due unmet.
    "concerns-send-deadline-reminders": {
        "task": "lms.concerns.send_deadline_reminders",
        "schedule": crontab(hour=7, minute=10),
    },
    # Starts the newsletter sends whose time has come and re-enqueues stalled ones.
    "newsletters-dispatch": {
        "task": "newsletters.dispatch",
        "schedule": crontab(),
    },
    # Reminds the coordinators, once per due date, when the next edition is due and unscheduled.
    "newsletters-send-plan-reminders": {
        "task": "newsletters.send_plan_reminders",
        "schedule": crontab(hour=7, minute=35),
    },
    # The steering group's coverage figures: never older than this (reports.services.coverage).
    "reports-coverage-refresh": {
        "task": "reports.coverage_refresh",
        "schedule": crontab(minute="*/5"),
    },
    # The half-year report, built and offered to the steering group before its meetings.
    "reports-halfyear-reports-due": {
        "task": "reports.halfyear_reports_due",
        "schedule": crontab(hour=6, minute=20),
    },
}

# --- Authentication (django-allauth is the only way in) ------------------------------------------
AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = [
    # allauth's backend whose user load also says whether the user holds a role (one query less
    # on every signed-in page of an employee).
    "lms.people.backends.AccountBackend",
    # Answers Wagtail's "may access the admin" from the access policy (lms.people.policy).
    "lms.people.backends.PolicyBackend",
    # Only for sessions signed in before AccountBackend (their session names this one).
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
# Everyone lands on Min side after signing in, unless `next` says otherwise.
LOGIN_REDIRECT_URL = "site:my_page"
WAGTAILADMIN_LOGIN_URL = "/konto/login/"
# Passwords and email addresses are managed by allauth only (verification, rate limits, MFA):
# Wagtail's own reset, change and user-form password fields are switched off.
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAIL_EMAIL_MANAGEMENT_ENABLED = False
WAGTAILUSERS_PASSWORD_ENABLED = False
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# None: lms.people.adapters.AccountAdapter prefixes subjects with the Infohus's name.
ACCOUNT_EMAIL_SUBJECT_PREFIX = None
# Tell users by mail when their password, email or two-factor setup changes.
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_ADAPTER = "lms.people.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "lms.people.adapters.SocialAccountAdapter"
ACCOUNT_SIGNUP_ENABLED = env.bool("LMS_SIGNUP_ENABLED", default=True)
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "login": "30/m/ip",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
    # A meeting's check-in page asks people without an account for their registered email:
    # failed guesses are limited, so the page cannot be used to find out who signed up.
    "attendance_check_in_failed": "10/10m/ip",
    # The public certificate check: unknown codes are limited, so codes cannot be guessed.
    "certificate_verify_failed": "10/10m/ip",
    # The concern intake's forms for people without an account (citizens, external partners):
    # every submission counts, so the form cannot be used to flood the Infohus.
    "concern_report": "5/h/ip",
}
# The client address of every per-IP rate limit above (login, check-in by email, certificate
# verification) is allauth's get_client_ip: REMOTE_ADDR, unless proxies we run are in front.
# LMS_TRUSTED_PROXY_COUNT: how many of our proxies append to X-Forwarded-For; the client is the
# entry that many places from the right (entries further left are the client's own, spoofable).
# LMS_TRUSTED_CLIENT_IP_HEADER: or a header that our proxy sets to the client address
# (X-Real-IP); it wins over the count. production.py counts one proxy, as the README deploys.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("LMS_TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env.str("LMS_TRUSTED_CLIENT_IP_HEADER", default="") or None
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="Infohus LMS")
# Staff roles must set up TOTP before they reach the Wagtail admin (StaffMFARequiredMiddleware).
LMS_REQUIRE_STAFF_MFA = True
# Minutes without a request after which a staff role's session ends (0: never); an employee's
# session lasts SESSION_COOKIE_AGE (two weeks).
LMS_STAFF_IDLE_TIMEOUT = env.int("LMS_STAFF_IDLE_TIMEOUT", default=30)
# Email addresses that may skip the staff MFA requirement. Only the demo run sets this.
LMS_MFA_EXEMPT_EMAILS: list[str] = []

# Single sign-on, configured from the environment (docs/sso.md). An IdP's email counts as verified
# only as the installation says (OIDC_VERIFIED_EMAIL / SAML_VERIFIED_EMAIL: the municipality's mail
# domains, true, or false, the default); only a verified email signs in to an existing account or
# links the user to the roster. An unverified one must be confirmed by mail like any other.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "mandatory"
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_PROVIDERS: dict = {}


def sso_verified_email(name: str) -> bool | list[str]:
    """allauth's `verified_email` app setting from "true" / "false" / "a.dk,b.dk".

    Not trusted by default: an IdP that lets users set their own address (or a guest tenant)
    would otherwise let anyone take over the account and roster entry of that address.
    """
    value = env.str(name, default="false").strip()
    if value.lower() in {"true", "1", "yes"}:
        return True
    if value.lower() in {"false", "0", "no", ""}:
        return False
    return [domain.strip().lower() for domain in value.split(",") if domain.strip()]


def env_or_file(name: str) -> str:
    """A PEM certificate or key from NAME, or from the file named by NAME_FILE."""
    path = env.str(f"{name}_FILE", default="")
    return Path(path).read_text() if path else env.str(name, default="")


# OpenID Connect (Microsoft Entra ID, AD FS 2016+, Keycloak ...): allauth's openid_connect provider.
# Redirect URI to register at the IdP: https://<host>/konto/oidc/<OIDC_PROVIDER_ID>/login/callback/
if env.str("OIDC_CLIENT_ID", default=""):
    _oidc_settings = {
        "server_url": env.str("OIDC_SERVER_URL"),
        "verified_email": sso_verified_email("OIDC_VERIFIED_EMAIL"),
        "oauth_pkce_enabled": env.bool("OIDC_PKCE_ENABLED", default=True),
    }
    if env.str("OIDC_TOKEN_AUTH_METHOD", default=""):
        # Without it allauth picks from the IdP's discovery document (client_secret_post first).
        _oidc_settings["token_auth_method"] = env.str("OIDC_TOKEN_AUTH_METHOD")
    if env.str("OIDC_UID_FIELD", default=""):
        _oidc_settings["uid_field"] = env.str("OIDC_UID_FIELD")
    if env.str("OIDC_SCOPE", default=""):
        _oidc_settings["scope"] = env.str("OIDC_SCOPE").split()
    if not env.bool("OIDC_FETCH_USERINFO", default=True):
        # Read the claims from the ID token only (AD FS's userinfo endpoint returns just `sub`).
        _oidc_settings["fetch_userinfo"] = False
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "APPS": [
            {
                "provider_id": env.str("OIDC_PROVIDER_ID", default="entra"),
                "name": env.str("OIDC_NAME", default="Microsoft Entra ID"),
                "client_id": env.str("OIDC_CLIENT_ID"),
                "secret": env.str("OIDC_CLIENT_SECRET", default=""),
                "settings": _oidc_settings,
            }
        ],
    }

# SAML 2.0 (AD FS, KOMBIT's Context Handler) is an optional extra: pip install ".[saml]".
# The IdP comes from its metadata URL, or from its SSO URL and signing certificate.
# Metadata for the IdP: https://<host>/konto/saml/<SAML_ORGANIZATION>/metadata/
if env.str("SAML_IDP_ENTITY_ID", default=""):
    from django.core.exceptions import ImproperlyConfigured

    try:
        import onelogin.saml2  # noqa: F401
    except ImportError as exc:
        raise ImproperlyConfigured(
            'SAML_IDP_ENTITY_ID is set but SAML support is not installed: pip install ".[saml]"'
        ) from exc
    _saml_idp = {"entity_id": env.str("SAML_IDP_ENTITY_ID")}
    if env.str("SAML_IDP_METADATA_URL", default=""):
        _saml_idp["metadata_url"] = env.str("SAML_IDP_METADATA_URL")
    elif env.str("SAML_IDP_SSO_URL", default="") and env_or_file("SAML_IDP_X509CERT"):
        _saml_idp["sso_url"] = env.str("SAML_IDP_SSO_URL")
        _saml_idp["x509cert"] = env_or_file("SAML_IDP_X509CERT")
        if env.str("SAML_IDP_SLO_URL", default=""):
            _saml_idp["slo_url"] = env.str("SAML_IDP_SLO_URL")
    else:
        raise ImproperlyConfigured(
            "SAML needs SAML_IDP_METADATA_URL, or SAML_IDP_SSO_URL and SAML_IDP_X509CERT."
        )
    _saml_advanced = {
        "want_assertion_signed": env.bool("SAML_WANT_ASSERTION_SIGNED", default=True),
        "want_message_signed": env.bool("SAML_WANT_MESSAGE_SIGNED", default=False),
        "want_assertion_encrypted": env.bool("SAML_WANT_ASSERTION_ENCRYPTED", default=False),
        "authn_request_signed": env.bool("SAML_AUTHN_REQUEST_SIGNED", default=False),
        "logout_request_signed": env.bool("SAML_LOGOUT_REQUEST_SIGNED", default=False),
    }
    if env_or_file("SAML_SP_X509CERT"):
        # Our own certificate and key: needed to sign requests or decrypt assertions (KOMBIT).
        _saml_advanced["x509cert"] = env_or_file("SAML_SP_X509CERT")
        _saml_advanced["private_key"] = env_or_file("SAML_SP_PRIVATE_KEY")
    _saml_sp = {}
    if env.str("SAML_SP_ENTITY_ID", default=""):
        _saml_sp["entity_id"] = env.str("SAML_SP_ENTITY_ID")
    INSTALLED_APPS.append("allauth.socialaccount.providers.saml")
    SOCIALACCOUNT_PROVIDERS["saml"] = {
        "APPS": [
            {
                "name": env.str("SAML_NAME", default="KOMBIT Context Handler"),
                "provider_id": env.str("SAML_PROVIDER_ID", default="kombit"),
                # The organisation slug in the SAML URLs: /konto/saml/<client_id>/acs/ ...
                "client_id": env.str("SAML_ORGANIZATION", default="infohus"),
                "settings": {
                    "attribute_mapping": {
                        "uid": env.list(
                            "SAML_ATTR_UID",
                            default=[
                                "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn",
                                "urn:oasis:names:tc:SAML:attribute:subject-id",
                            ],
                        ),
                        "email": env.list(
                            "SAML_ATTR_EMAIL",
                            default=[
                                "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
                                "urn:oid:0.9.2342.19200300.100.1.3",
                            ],
                        ),
                        "first_name": env.list(
                            "SAML_ATTR_FIRST_NAME",
                            default=[
                                "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
                                "urn:oid:2.5.4.42",
                            ],
                        ),
                        "last_name": env.list(
                            "SAML_ATTR_LAST_NAME",
                            default=[
                                "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
                                "urn:oid:2.5.4.4",
                            ],
                        ),
                    },
                    "use_nameid_for_email": env.bool("SAML_NAMEID_IS_EMAIL", default=False),
                    "verified_email": sso_verified_email("SAML_VERIFIED_EMAIL"),
                    "idp": _saml_idp,
                    "sp": _saml_sp,
                    "advanced": _saml_advanced,
                },
            }
        ]
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "lms" / "locale"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

# --- Static and media ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "lms" / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # plotly.js for the dashboards' charts, from the pinned plotly package (no CDN).
    "reports.finders.PlotlyFinder",
]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.str("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media"))
# Uploaded rosters wait here between the admin's preview and its confirmation: personal data, so
# never under MEDIA_ROOT (which the proxy serves). An hourly task deletes what is left behind.
IMPORTS_STORAGE = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {
        "location": str(VAR_DIR / "private" / "imports"),
        "file_permissions_mode": 0o600,
        "directory_permissions_mode": 0o700,
    },
}
# Certificates of external courses attached to Evidence: personal data, served only through a
# view that asks the access policy.
EVIDENCE_STORAGE = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {
        "location": str(VAR_DIR / "private" / "evidence"),
        "file_permissions_mode": 0o600,
        "directory_permissions_mode": 0o700,
    },
}
# The steering group's half-year reports (reports.HalfYearReport): served only through a view
# that asks the access policy.
REPORTS_STORAGE = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {
        "location": str(VAR_DIR / "private" / "reports"),
        "file_permissions_mode": 0o600,
        "directory_permissions_mode": 0o700,
    },
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "imports": IMPORTS_STORAGE,
    "evidence": EVIDENCE_STORAGE,
    "reports": REPORTS_STORAGE,
}

# --- Email --------------------------------------------------------------------------------------
# EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.dk:587; without it, mail goes to files.
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
# Every message, Wagtail's own notifications included, has its header values made one line
# (lms.mail) on its way to the backend chosen above.
LMS_EMAIL_BACKEND = EMAIL_BACKEND
EMAIL_BACKEND = "lms.mail.HeaderCleaningBackend"
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="Infohus <infohus@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Wagtail ------------------------------------------------------------------------------------
# The admin names the Infohus of the site it is reached on (its InfohusSettings); this is the
# fallback, e.g. for a host that is no Wagtail site.
WAGTAIL_SITE_NAME = env.str("WAGTAIL_SITE_NAME", default="Infohus")
WAGTAILADMIN_BASE_URL = env.str("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
# The front end's address, for absolute links in emails and calendar entries.
LMS_BASE_URL = env.str("LMS_BASE_URL", default=WAGTAILADMIN_BASE_URL)

# --- Concerns (lms.concerns) --------------------------------------------------------------------
# The Fernet keys that encrypt a concern's free text and names at rest, comma-separated, newest
# first: the first encrypts, every one decrypts (key rotation: put a new key first, run
# `manage.py concern_keys_rotate`, then drop the old one). Make one with
# `python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`.
# Production refuses to start without one; dev and test use a fixed, public dev key.
LMS_CONCERN_KEYS = env.list("LMS_CONCERN_KEYS", default=[])
# Days after a case is closed with its journal reference (the record lives in the municipality's
# case system) before its free text and names are erased; the statistics' facts stay.
LMS_CONCERN_ERASE_AFTER_DAYS = env.int("LMS_CONCERN_ERASE_AFTER_DAYS", default=30)
WAGTAIL_I18N_ENABLED = False
# Nothing may make a user's browser call a third party: no avatars from gravatar.com (they carry a
# hash of the staff member's email address), no version check against releases.wagtail.org.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- Browser security headers (lms.middleware.SecurityHeadersMiddleware) ------------------------
# The browser loads nothing from a third party: every source is our own origin. Inline script
# and <style> only with the request's nonce (request.csp_nonce); style attributes (a progress
# bar's width) are allowed, they cannot run script. No page may be framed by another site.
# No form-action: allauth's SSO buttons post to us and are redirected to the identity provider,
# which Chromium checks against form-action.
# A lesson's video player is the one framed third party: it is inserted only when the learner
# presses "Afspil videoen" (courses/static/courses/video-consent.js), never on page load.
LMS_VIDEO_FRAME_SOURCES = env.list(
    "LMS_VIDEO_FRAME_SOURCES",
    default=[
        "https://www.youtube.com",
        "https://www.youtube-nocookie.com",
        "https://player.vimeo.com",
    ],
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF, *LMS_VIDEO_FRAME_SOURCES],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
        "base-uri": [SELF],
    }
}
# The Wagtail admin's own widgets write inline <script> and <style> without a nonce, and its
# page preview is an iframe of our own origin.
LMS_ADMIN_CSP_REPLACE = {
    "script-src": [SELF, UNSAFE_INLINE],
    "style-src": [SELF, UNSAFE_INLINE],
    "frame-ancestors": [SELF],
}
# Powerful browser features nothing here uses (the QR check-in is opened by the phone's own
# camera app; no page asks for the camera).
LMS_PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)

# --- Domain -------------------------------------------------------------------------------------
# People who left more than this many days ago are anonymised by a periodic task.
LMS_PERSON_RETENTION_DAYS = env.int("LMS_PERSON_RETENTION_DAYS", default=365)
# Maximum upload size for roster and org-unit imports.
LMS_IMPORT_MAX_BYTES = env.int("LMS_IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
# Registered people get a reminder this many days before a meeting (a meeting may override it).
LMS_MEETING_REMINDER_DAYS = env.int("LMS_MEETING_REMINDER_DAYS", default=2)
# Newsletters (README, "Newsletters"). Messages per minute across the installation (0: no limit;
# relays such as Exchange Online cap it), rows per batch (one task, one SMTP connection), batches
# of one send running at once, and the queues: urgent messages never wait behind a newsletter.
NEWSLETTER_RATE_PER_MINUTE = env.int("NEWSLETTER_RATE_PER_MINUTE", default=0)
NEWSLETTER_BATCH_SIZE = env.int("NEWSLETTER_BATCH_SIZE", default=100)
NEWSLETTER_WORKERS = env.int("NEWSLETTER_WORKERS", default=2)
NEWSLETTER_QUEUE = env.str("NEWSLETTER_QUEUE", default="newsletters")
NEWSLETTER_URGENT_QUEUE = env.str("NEWSLETTER_URGENT_QUEUE", default="urgent")
# A row a worker claimed and has not marked within this many seconds is claimed again (and
# reported as possibly duplicated): the worker died. A batch stops itself at half of it.
NEWSLETTER_CLAIM_LEASE_SECONDS = env.int("NEWSLETTER_CLAIM_LEASE_SECONDS", default=900)
# A send whose claimable rows saw no progress for this long is enqueued again by the beat task.
NEWSLETTER_STALL_SECONDS = env.int("NEWSLETTER_STALL_SECONDS", default=120)
# Transient SMTP failures (4xx, connection lost): tries per recipient, and the first back-off
# (doubled after each try, at most an hour).
NEWSLETTER_MAX_ATTEMPTS = env.int("NEWSLETTER_MAX_ATTEMPTS", default=5)
NEWSLETTER_RETRY_BACKOFF_SECONDS = env.int("NEWSLETTER_RETRY_BACKOFF_SECONDS", default=60)
# PostgreSQL: commit each row's "sent" mark without waiting for the disk (synchronous_commit off
# for the batch, after its claim). Faster where a commit waits for a busy disk; but a database
# crash may then lose the last fraction of a second of marks, and those rows are sent again
# (flagged possibly duplicated) instead of at most one per worker (README, "Newsletters").
NEWSLETTER_ASYNC_MARKS = env.bool("NEWSLETTER_ASYNC_MARKS", default=False)

# --- Reports ------------------------------------------------------------------------------------
# The action plan's four years begin on this day (the first of January or of July): the coverage
# trend shows its half-years (reports.lib.periods).
REPORTS_ACTION_PLAN_START = datetime.date.fromisoformat(
    env.str("REPORTS_ACTION_PLAN_START", default="2025-01-01")
)
# The half-year report is built and offered to the steering group this many days before its
# meeting (reports.services.halfyear).
REPORTS_HALFYEAR_DAYS_BEFORE = env.int("REPORTS_HALFYEAR_DAYS_BEFORE", default=14)
# The Overblik sections (outreach, courses, newsletters, concerns) are cached this many seconds
# per scope and period (reports.viewsets.sections): the page says when they were computed.
REPORTS_SECTIONS_CACHE_SECONDS = env.int("REPORTS_SECTIONS_CACHE_SECONDS", default=300)
# `load_demo_data` creates logins with a published password, a superuser among them: only the
# demo run (dev.py) and the tests allow it.
LMS_DEMO_DATA_ALLOWED = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Wagtail's search-index and reference-index updates run as django-tasks; each one logs
        # two INFO lines (thousands while loading the demo). Failures are still logged.
        "django_tasks": {"level": "WARNING"},
    },
}
