"""Benchmark: how fast the roster import takes a 10,000-row HR file.

Run it on demand (it is excluded from the normal test run):

    .venv/bin/python -m tests.benchmarks.bench_import_roster            # SQLite, throwaway DB
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_bench \
        .venv/bin/python -m tests.benchmarks.bench_import_roster        # PostgreSQL
    .venv/bin/pytest -p no:cacheprovider -o addopts="" -s tests/benchmarks/bench_import_roster.py

Options for the script: --rows N (default 10000).

It builds a 10,000-row roster CSV (semicolon separated, UTF-8 with BOM, as Excel writes it) and
times, in one run:
  - baseline: a plain Person.objects.bulk_create of the same rows, without reading, validation,
    managers or audit log;
  - the import of the file into an empty roster (creates every person, sets managers, writes one
    audit entry per person);
  - the same file again (nothing changes);
  - the file with every name changed (bulk update).
and prints rows per second for each and the ratio to the baseline. Timings are printed, never
asserted: they depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

ROWS = 10_000


def build_csv(rows: int, *, suffix: str = "") -> bytes:
    lines = ["employee_number;name;email;org_unit_code;job_category;manager_employee_number"]
    for n in range(rows):
        manager = f"B{(n // 25) * 25:06d}" if n % 25 else ""
        lines.append(
            f"B{n:06d};Bench Person{suffix} {n};bench{n}@example.dk;BENCH-{n % 40};"
            f"BENCH-JC{n % 6};{manager}"
        )
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def setup_reference_data():
    from lms.people.models import JobCategory, OrgUnit

    root = OrgUnit.add_root(code="BENCH", name="Bench Kommune", kind="municipality")
    for n in range(40):
        root = OrgUnit.objects.get(pk=root.pk)
        root.add_child(code=f"BENCH-{n}", name=f"Bench unit {n:02d}", kind="workplace")
    for n in range(6):
        JobCategory.objects.create(code=f"BENCH-JC{n}", name=f"Bench job {n}", is_frontline=True)


def timed(label: str, rows: int, fn, baseline: float | None = None) -> float:
    start = time.perf_counter()
    fn()
    seconds = time.perf_counter() - start
    rate = rows / seconds
    ratio = f"  ({rate / baseline:.2f} x baseline)" if baseline else ""
    print(f"{label:<44} {seconds:8.2f} s {rate:12,.0f} rows/s{ratio}")  # noqa: T201
    return rate


def run(rows: int = ROWS) -> None:
    from django.db import connection

    from lms.people.models import JobCategory, OrgUnit, Person
    from lms.people.services.roster_import import roster_import

    setup_reference_data()
    units = dict(OrgUnit.objects.values_list("code", "pk"))
    jobs = dict(JobCategory.objects.values_list("code", "pk"))
    data = build_csv(rows)
    renamed = build_csv(rows, suffix="x")
    print(f"{rows:,} rows on {connection.vendor}")  # noqa: T201

    def baseline():
        Person.objects.bulk_create(
            Person(
                employee_number=f"B{n:06d}",
                name=f"Bench Person {n}",
                email=f"bench{n}@example.dk",
                org_unit_id=units[f"BENCH-{n % 40}"],
                job_category_id=jobs[f"BENCH-JC{n % 6}"],
            )
            for n in range(rows)
        )

    base = timed("baseline: plain bulk_create", rows, baseline)
    Person.objects.filter(employee_number__startswith="B").delete()

    def check(result, **expected):
        assert result.ok, result.errors[:5]
        for name, value in expected.items():
            assert getattr(result, name) == value, (name, getattr(result, name))

    timed(
        "roster_import: new roster",
        rows,
        lambda: check(roster_import(source=data, filename="r.csv"), created=rows),
        base,
    )
    timed(
        "roster_import: same file again",
        rows,
        lambda: check(roster_import(source=data, filename="r.csv"), unchanged=rows),
        base,
    )
    timed(
        "roster_import: every name changed",
        rows,
        lambda: check(roster_import(source=renamed, filename="r.csv"), updated=rows),
        base,
    )
    timed(
        "roster_import: dry run of a new file",
        rows,
        lambda: check(roster_import(source=data, dry_run=True), updated=rows),
        base,
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Benchmark the roster import.")
    parser.add_argument("--rows", type=int, default=ROWS)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.test")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run(args.rows)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def test_bench_import_roster(transactional_db):
    """The same benchmark through pytest (see the module docstring for the command)."""
    run(ROWS)


if __name__ == "__main__":
    main(sys.argv[1:])
