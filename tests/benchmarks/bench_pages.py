"""Benchmark: the front end's pages under gunicorn, against a trivial view and a bare Wagtail page.

Run it on demand on PostgreSQL (it is excluded from the normal test run):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_bench_pages \
        REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python -m tests.benchmarks.bench_pages

The database named in DATABASE_URL is dropped and made again (migrate, load_demo_data); without
DATABASE_URL it is lms_bench_pages on the local PostgreSQL server. With REDIS_URL the workers
share Redis as their cache, as in production; without it, the default run's file cache.
Options: --requests N per page and round (default 300), --clients N concurrent clients (default
4), --rounds N (default 2; each page's best round is kept, the machine may be shared), --workers
N gunicorn sync workers (default 2), --keep-database (measure an earlier run's database again);
BENCH_PAGES_PORT picks the port (default 8391).

gunicorn serves the platform with its base settings (DEBUG off) through
tests/benchmarks/pages/settings.py, which adds only a trivial view (/bench/trivial/), a template
for a plain wagtailcore.Page (the bare Wagtail page, made under the home page) and a middleware
that reports each request's queries and CPU time in response headers. The client signs in as the
demo employee and asks for each page from --clients threads. It prints requests per second, the
ratio to the bare Wagtail page (signed in; the anonymous pages against the anonymous bare page),
queries and server CPU milliseconds per request. Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/lms_bench_pages"
EMPLOYEE = ("medarbejder@demo.infohus.dk", "demo-infohus-2026")
HOST = "127.0.0.1"
# Another port lets two runs (two worktrees) measure side by side.
PORT = int(os.environ.get("BENCH_PAGES_PORT", "8391"))


def say(text: str = "") -> None:
    print(text, flush=True)  # noqa: T201


@dataclass
class Result:
    label: str
    rate: float
    queries: int
    cpu_ms: float


def database_recreate(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if parts.scheme not in ("postgres", "postgresql", "pgsql") or not name:
        raise SystemExit(f"bench_pages needs a PostgreSQL DATABASE_URL, not {url!r}")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def pages_prepare() -> dict[str, str]:
    """The bare page (made here) and the URLs of the demo's course, lesson and Action Card."""
    import django

    django.setup()
    from django.db import connections
    from wagtail.models import Page, Site

    from attendance.demo.cards import STAFF_SLUG
    from courses.demo.courses import MAIN_SLUG
    from courses.models import CoursePage, LessonPage

    site = Site.objects.get(is_default_site=True)
    home = site.root_page.specific
    bare = Page.objects.child_of(home).filter(slug="bench-bar-side").first()
    if bare is None:
        bare = home.add_child(instance=Page(title="Bar side", slug="bench-bar-side"))
        bare.save_revision().publish()
    course = CoursePage.objects.live().get(slug=MAIN_SLUG)
    lesson = LessonPage.objects.live().child_of(course).order_by("path").first()
    urls = {
        "bare": bare.get_url(),
        "course": course.get_url(),
        "lesson": lesson.get_url(),
        "card": f"/handlekort/{STAFF_SLUG}/",
    }
    connections.close_all()
    return urls


def request(path: str, cookie: str = "", method: str = "GET", body: str = "", headers=None):
    connection = http.client.HTTPConnection(HOST, PORT, timeout=30)
    sent = {"Host": f"{HOST}:{PORT}", **(headers or {})}
    if cookie:
        sent["Cookie"] = cookie
    if body:
        sent["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=body or None, headers=sent)
    response = connection.getresponse()
    payload = response.read()
    connection.close()
    return response, payload


def cookies_of(response, jar: dict[str, str]) -> dict[str, str]:
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            jar[name.strip()] = rest.split(";", 1)[0]
    return jar


def cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in jar.items())


def sign_in() -> str:
    response, page = request("/konto/login/")
    jar = cookies_of(response, {})
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "login": EMPLOYEE[0], "password": EMPLOYEE[1]}
    )
    response, _ = request(
        "/konto/login/",
        cookie_header(jar),
        "POST",
        body,
        {"Referer": f"http://{HOST}:{PORT}/konto/login/"},
    )
    cookies_of(response, jar)
    if response.status != 302 or "sessionid" not in jar:
        raise SystemExit(f"Could not sign in as {EMPLOYEE[0]} (HTTP {response.status})")
    return cookie_header(jar)


def server_wait(process: subprocess.Popen) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise SystemExit("gunicorn stopped before it answered")
        try:
            request("/bench/trivial/")
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not answer")


def measure(label: str, path: str, cookie: str, count: int, clients: int) -> Result:
    """count requests from `clients` threads after a warm-up; requests per second."""
    response, _ = request(path, cookie)
    if response.status != 200:
        raise SystemExit(f"{label}: {path} answered HTTP {response.status}")
    for _ in range(max(10, count // 20)):
        request(path, cookie)
    queries, cpu, failures = [], [], []
    share = [count // clients + (1 if n < count % clients else 0) for n in range(clients)]
    barrier = threading.Barrier(clients + 1)

    def client(n: int) -> None:
        barrier.wait()
        for _ in range(n):
            response, _ = request(path, cookie)
            if response.status != 200:
                failures.append(response.status)
            queries.append(int(response.getheader("X-Bench-Queries", "0")))
            cpu.append(float(response.getheader("X-Bench-CPU-Ms", "0")))

    threads = [threading.Thread(target=client, args=(n,)) for n in share]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    if failures:
        raise SystemExit(f"{label}: {len(failures)} requests failed ({failures[0]})")
    cpu.sort()
    return Result(label, count / seconds, max(queries), cpu[len(cpu) // 2])


def run(args) -> None:
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    folder = tempfile.mkdtemp(prefix="lms-bench-pages-")
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "tests.benchmarks.pages.settings",
        "BENCH_PAGES_PREFIX": f"bench-pages-{os.getpid()}",
        "LMS_VAR_DIR": folder,
        "PYTHONPATH": str(ROOT),
    }
    if not args.keep_database:
        name = urllib.parse.urlsplit(database_url).path.lstrip("/")
        say(f"database {name}: migrate, demo data")
        database_recreate(database_url)
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "load_demo_data")
    os.environ.update(env)
    urls = pages_prepare()
    server = subprocess.Popen(
        [
            str(Path(PYTHON).with_name("gunicorn")),
            "lms.wsgi:application",
            "--workers",
            str(args.workers),
            "--bind",
            f"{HOST}:{PORT}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        server_wait(server)
        cookie = sign_in()
        signed_in = [
            ("trivial view", "/bench/trivial/"),
            ("bare Wagtail page", urls["bare"]),
            ("home", "/"),
            ("/moeder/", "/moeder/"),
            ("/laering/", "/laering/"),
            ("/kurser/", "/kurser/"),
            ("course page", urls["course"]),
            ("lesson", urls["lesson"]),
            ("/mine-kompetencer/", "/mine-kompetencer/"),
            ("Min side", "/min-side/"),
            ("Action Card", urls["card"]),
            ("/bekymring/", "/bekymring/"),
        ]
        anonymous = [
            ("bare Wagtail page (anonymous)", urls["bare"]),
            ("home (anonymous)", "/"),
            ("Action Card (anonymous)", urls["card"]),
            ("/bekymring/ (anonymous)", "/bekymring/"),
        ]
        best: dict[str, Result] = {}
        for round_number in range(args.rounds):
            say(f"round {round_number + 1} of {args.rounds} ...")
            for label, path in signed_in + anonymous:
                result = measure(
                    label,
                    path,
                    "" if label.endswith("(anonymous)") else cookie,
                    args.requests,
                    args.clients,
                )
                if label not in best or result.rate > best[label].rate:
                    best[label] = result
        say()
        say(
            f"{args.requests} requests per page and round from {args.clients} clients, "
            f"gunicorn {args.workers} sync workers, best of {args.rounds} rounds"
        )
        say(f"{'page':<32} {'req/s':>8} {'x bare':>7} {'queries':>8} {'CPU ms':>7}")
        for group, bare in ((signed_in, "bare Wagtail page"), (anonymous, anonymous[0][0])):
            for label, _path in group:
                result = best[label]
                ratio = result.rate / best[bare].rate
                say(
                    f"{label:<32} {result.rate:8.1f} {ratio:7.2f} {result.queries:8d} "
                    f"{result.cpu_ms:7.1f}"
                )
            say()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Benchmark the front end's pages.")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--keep-database",
        action="store_true",
        help="measure the database of an earlier run again (no migrate, no demo data)",
    )
    run(parser.parse_args(argv))


if __name__ == "__main__":
    main(sys.argv[1:])
