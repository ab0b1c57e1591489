"""The query plans of the reads of the evidence ledger, before and after a migration.

Run it on demand on PostgreSQL (it is excluded from the normal test run):

    BENCH_COVERAGE_SCALE=0.1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_bench \\
        .venv/bin/python -m tests.benchmarks.plans_evidence --before competence.0005

It builds bench_coverage's national data set (BENCH_COVERAGE_SCALE scales the people and the
evidence), and prints EXPLAIN (ANALYZE, BUFFERS) of
  - the coverage refresh's INSERT ... SELECT for one municipality and for the country (rolled
    back), reports.services.coverage;
  - the per-person competence status (lms.competence.selectors.status, "Mine kompetencer");
  - the team page's statuses (competence_status_for_people for 12 people of one workplace);
  - the person's own ledger (evidence_for_person), voided rows included;
and the evidence table's indexes with their sizes and how often the workload used each. With
--before app.migration it first migrates that app back to the migration named, prints all that,
migrates forward again and prints it once more: the plans before and after (docs/plans/).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os


def say(text: str = "") -> None:
    print(text, flush=True)  # noqa: T201


def explain(sql: str, params) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def evidence_queries(fn) -> list[tuple[str, tuple]]:
    """The statements fn() sends that read the evidence table, with their parameters."""
    from django.db import connection

    seen: list[tuple[str, tuple]] = []

    def wrapper(execute, sql, params, many, context):
        if "competence_evidence" in sql:
            seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        fn()
    return seen


def indexes() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT s.indexrelname, pg_size_pretty(pg_relation_size(s.indexrelid)), s.idx_scan,
                   pg_get_indexdef(s.indexrelid)
            FROM pg_stat_user_indexes s WHERE s.relname = 'competence_evidence'
            ORDER BY s.indexrelname
            """
        )
        rows = cursor.fetchall()
    say("index | size | scans by the workload | definition")
    say("--- | --- | --- | ---")
    for name, size, scans, definition in rows:
        say(f"{name} | {size} | {scans} | `{definition.split(' USING ')[1]}`")


def plans(scopes: dict, today: dt.date, title: str) -> None:
    from django.db import connection

    from lms.competence.selectors import status
    from lms.people.models import Person
    from tests.benchmarks import bench_coverage

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE competence_evidence")
        cursor.execute("SELECT pg_stat_reset()")
    municipality = scopes["municipality"]
    workplace = (
        Person.objects.filter(org_unit__path__startswith=municipality.path, active=True)
        .order_by("pk")
        .first()
        .org_unit
    )
    person = Person.objects.filter(org_unit=workplace, active=True).order_by("pk").first()
    team = list(
        Person.objects.filter(org_unit=workplace, active=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:12]
    )
    say(f"## {title}\n")
    for name, unit in (("one municipality", municipality), ("the country", None)):
        say(f"### The coverage refresh's INSERT ... SELECT, {name} (rolled back)\n")
        say("```\n" + bench_coverage.refresh_plan(unit, today, explain) + "\n```\n")
    reads = {
        "The per-person competence status (Mine kompetencer)": lambda: (
            status.competence_status_for_person(person=person, today=today)
        ),
        "The team page: statuses of 12 people": lambda: status.competence_status_for_people(
            people=Person.objects.filter(pk__in=team), today=today
        ),
        "The person's own ledger, voided rows included": lambda: list(
            status.evidence_for_person(person=person)
        ),
    }
    for name, fn in reads.items():
        for sql, params in evidence_queries(fn):
            say(f"### {name}\n\n```sql\n{sql}\n```\n\n```\n{explain(sql, params)}\n```\n")
    say("### The evidence table's indexes after this workload\n")
    indexes()
    say()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Plans of the evidence reads.")
    parser.add_argument("--before", help="app.migration to compare against, e.g. competence.0005")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.test")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment
    from django.utils import timezone

    from tests.benchmarks import bench_coverage

    if connection.vendor != "postgresql":
        raise SystemExit("plans are read on PostgreSQL: set DATABASE_URL")
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        today = timezone.localdate()
        if args.before:
            app, migration = args.before.split(".")
            call_command("migrate", app, migration, verbosity=0)
        scopes = bench_coverage.build(today)
        from lms.competence.models import Evidence
        from lms.people.models import Person

        say(
            f"Data: {Person.objects.count():,} people, {Evidence.objects.count():,} evidence "
            f"rows (bench_coverage, scale {bench_coverage.SCALE}), PostgreSQL "
            f"{connection.pg_version // 10000}\n"
        )
        if args.before:
            plans(scopes, today, f"Before ({args.before})")
            call_command("migrate", app, verbosity=0)
            plans(scopes, today, "After")
        else:
            plans(scopes, today, "Plans")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
