"""Production settings: `check --deploy` is clean, and they refuse to start without secrets."""

import secrets

from cryptography.fernet import Fernet

from lms.settings.base import redis_databases, redis_db_url, redis_url_db

from .helpers import isolated_env, manage


def production_env(tmp_path, **overrides):
    variables = {
        "DJANGO_SETTINGS_MODULE": "lms.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "lms.example.dk",
        "EMAIL_URL": "smtp+tls://lms:secret@smtp.example.dk:587",
        "LMS_CONCERN_KEYS": Fernet.generate_key().decode(),
    }
    return isolated_env(tmp_path, **{**variables, **overrides})


def test_check_deploy_prints_no_warnings(tmp_path):
    result = manage("check", "--deploy", env=production_env(tmp_path))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
    assert "WARNING" not in result.stderr
    assert "security." not in result.stdout + result.stderr


def test_check_deploy_is_clean_with_postgres_redis_and_smtp_too(tmp_path):
    # Only the settings are read: nothing connects to these servers during `check`.
    env = production_env(
        tmp_path,
        DATABASE_URL="postgres://lms:secret@db.example.dk:5432/lms",
        REDIS_URL="redis://cache.example.dk:6379/0",
        EMAIL_URL="smtp+tls://lms:secret@smtp.example.dk:587",
    )
    result = manage("check", "--deploy", env=env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_refuses_to_start_without_a_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["DJANGO_SECRET_KEY"]
    result = manage("check", env=env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_refuses_a_short_or_insecure_secret_key(tmp_path):
    for key in ("too-short", "django-insecure-" + "x" * 60):
        result = manage("check", env=production_env(tmp_path, DJANGO_SECRET_KEY=key))
        assert result.returncode != 0
        assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_refuses_to_start_without_a_concern_key(tmp_path):
    env = production_env(tmp_path)
    del env["LMS_CONCERN_KEYS"]
    result = manage("check", env=env)

    assert result.returncode != 0
    assert "LMS_CONCERN_KEYS must hold one or more Fernet keys" in result.stderr


def test_refuses_a_concern_key_that_is_no_fernet_key(tmp_path):
    key = Fernet.generate_key().decode()
    result = manage("check", env=production_env(tmp_path, LMS_CONCERN_KEYS=f"{key},not-a-key"))

    assert result.returncode != 0
    assert "LMS_CONCERN_KEYS must hold one or more Fernet keys" in result.stderr


def test_refuses_to_start_without_allowed_hosts(tmp_path):
    env = production_env(tmp_path)
    del env["DJANGO_ALLOWED_HOSTS"]
    result = manage("check", env=env)

    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS must list the host names" in result.stderr


def test_production_keeps_cache_and_broker_on_different_redis_databases(tmp_path):
    env = production_env(tmp_path, REDIS_URL="redis://:pw@cache.example.dk:6379/0")
    code = (
        "from django.conf import settings as s;"
        "print(s.CACHES['default']['LOCATION']);print(s.CELERY_BROKER_URL);"
        "print(s.CELERY_RESULT_BACKEND);print(s.LMS_MFA_EXEMPT_EMAILS)"
    )
    result = manage("shell", "-c", code, env=env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[-5:-1] == [
        "redis://:pw@cache.example.dk:6379/1",
        "redis://:pw@cache.example.dk:6379/0",
        "redis://:pw@cache.example.dk:6379/2",
        "[]",
    ]


def test_refuses_to_start_without_a_mail_server(tmp_path):
    env = production_env(tmp_path)
    del env["EMAIL_URL"]
    result = manage("check", env=env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "EMAIL_URL must name the outgoing mail server" in result.stderr
    assert "password-reset" in result.stderr


def test_production_sends_mail_over_smtp(tmp_path):
    code = (
        "from django.conf import settings as s;print(s.EMAIL_BACKEND);print(s.LMS_EMAIL_BACKEND);"
        "print(s.EMAIL_HOST)"
    )
    result = manage("shell", "-c", code, env=production_env(tmp_path))

    assert result.returncode == 0, result.stderr
    # Through lms.mail's header cleaning, to SMTP.
    assert result.stdout.split("\n")[-4:-1] == [
        "lms.mail.HeaderCleaningBackend",
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.dk",
    ]


def test_production_refuses_to_load_the_demo_data(tmp_path):
    result = manage("load_demo_data", env=production_env(tmp_path))

    assert result.returncode != 0
    assert "Refusing to load the demo data" in result.stderr
    assert "LMS_DEMO_DATA_ALLOWED" in result.stderr


def settings_of(env: dict, *names: str) -> list[str]:
    code = "from django.conf import settings as s;" + ";".join(f"print(s.{n})" for n in names)
    result = manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.split("\n")[-len(names) - 1 : -1]


def test_production_trusts_the_one_proxy_of_the_readme(tmp_path):
    names = ("ALLAUTH_TRUSTED_PROXY_COUNT", "ALLAUTH_TRUSTED_CLIENT_IP_HEADER")
    assert settings_of(production_env(tmp_path), *names) == ["1", "None"]
    configured = production_env(
        tmp_path, LMS_TRUSTED_PROXY_COUNT="2", LMS_TRUSTED_CLIENT_IP_HEADER="X-Real-IP"
    )
    assert settings_of(configured, *names) == ["2", "X-Real-IP"]
    # Without a proxy (the demo), X-Forwarded-For is the client's own word: never trusted.
    assert settings_of(isolated_env(tmp_path), *names) == ["0", "None"]


def test_the_redis_url_database_number_is_the_first_of_three(tmp_path):
    names = ("CELERY_BROKER_URL", "CACHES['default']['LOCATION']", "CELERY_RESULT_BACKEND")
    env = production_env(tmp_path, REDIS_URL="redis://:pw@cache.example.dk:6379/12")
    assert settings_of(env, *names) == [
        "redis://:pw@cache.example.dk:6379/12",
        "redis://:pw@cache.example.dk:6379/13",
        "redis://:pw@cache.example.dk:6379/14",
    ]
    # A number given outright wins.
    env = production_env(tmp_path, REDIS_URL="redis://cache.example.dk:6379/12", REDIS_CACHE_DB="3")
    assert settings_of(env, *names) == [
        "redis://cache.example.dk:6379/12",
        "redis://cache.example.dk:6379/3",
        "redis://cache.example.dk:6379/14",
    ]


def test_two_uses_of_one_redis_database_are_refused(tmp_path):
    env = production_env(tmp_path, REDIS_URL="redis://cache.example.dk:6379/1", REDIS_BROKER_DB="2")
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "The Redis databases of the broker, the cache and the results must differ" in (
        result.stderr
    )


def test_redis_database_numbers():
    assert redis_url_db("redis://h:6379") == 0
    assert redis_url_db("redis://h:6379/") == 0
    assert redis_url_db("rediss://:pw@h:6379/7?ssl_cert_reqs=required") == 7
    none = {"broker": None, "cache": None, "result": None}
    assert redis_databases("redis://h/12", none) == {"broker": 12, "cache": 13, "result": 14}
    assert redis_databases("redis://h", none) == {"broker": 0, "cache": 1, "result": 2}
    assert redis_db_url("rediss://:pw@h:6379/7?a=b", 9) == "rediss://:pw@h:6379/9?a=b"


def test_a_redis_url_with_a_path_that_is_no_number_is_refused():
    import pytest
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="must end in a database number"):
        redis_url_db("redis://h:6379/²")
