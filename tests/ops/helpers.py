import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent

# Variables of the calling environment that would point a subprocess at shared servers.
ISOLATED_VARIABLES = (
    "DATABASE_URL",
    "REDIS_URL",
    "REDIS_CACHE_DB",
    "REDIS_BROKER_DB",
    "REDIS_RESULT_DB",
    "CELERY_BROKER_URL",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "LMS_VAR_DIR",
    "EMAIL_URL",
    # Set by the browser tests' session fixture; a deployment check must never inherit it.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def isolated_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """An environment for `manage.py` / `celery` subprocesses that shares nothing with other runs:
    its own var/ folder (embedded broker, results, cache, mail) and its own SQLite file."""
    env = {k: v for k, v in os.environ.items() if k not in ISOLATED_VARIABLES}
    env.update(
        DJANGO_SETTINGS_MODULE="lms.settings.dev",
        LMS_VAR_DIR=str(tmp_path / "var"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


def manage(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
