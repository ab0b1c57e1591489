"""Production settings: `check --deploy` is clean, and they refuse to start without secrets."""

import secrets

from .helpers import isolated_env, manage


def production_env(tmp_path, **overrides):
    variables = {
        "DJANGO_SETTINGS_MODULE": "lms.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "lms.example.dk",
        "EMAIL_URL": "smtp+tls://lms:secret@smtp.example.dk:587",
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
