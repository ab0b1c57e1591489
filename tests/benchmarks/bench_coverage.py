"""Benchmark: the coverage dashboard on a national data set, against the naive way.

Run it on demand on PostgreSQL (it is excluded from the normal test run):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_bench \
        .venv/bin/python -m tests.benchmarks.bench_coverage
    BENCH_COVERAGE_SCALE=0.05 DATABASE_URL=... .venv/bin/python -m tests.benchmarks.bench_coverage

BENCH_COVERAGE_SCALE (default 1) scales the people and the evidence for a quick check; the tree
stays national. At scale 1 the data set is: a national root, 98 municipalities of 40 units each
(4 administrations of 8 workplaces, 4 external institutions), 500,000 people, 20 job categories
(10 front-line), 10 competences each required by every municipality of 8 job categories, and
about 5,000,000 evidence rows (one per person and competence for 90 per cent of the pairs, an
older expired one for a tenth of those, 3 per cent voided). Rows go in by COPY on PostgreSQL.

It prints, in one run:
  - the refresh of the aggregate (the beat task's work) for the country and for one municipality;
  - the server time of the coverage view (the selector, and the whole admin page through Django's
    test client) for one municipality and for the country, and the page's payload;
  - the same figures computed the naive way (every row of people, requirements and evidence
    loaded into pandas), and the existing per-person status selector for one municipality;
  - the ratios, and the EXPLAIN (ANALYZE, BUFFERS) plans of the refresh and the page's queries.
Timings are printed, never asserted: they depend on the machine.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import resource
import time

SCALE = float(os.environ.get("BENCH_COVERAGE_SCALE", "1"))
MUNICIPALITIES = 98
ADMINISTRATIONS = 4
WORKPLACES = 8
INSTITUTIONS = 4
PEOPLE = int(500_000 * SCALE)
JOB_CATEGORIES = 20
COMPETENCES = 10
REQUIRED_CATEGORIES = 8


def say(text: str = "") -> None:
    print(text, flush=True)  # noqa: T201


def timed(label: str, fn, *, repeat: int = 1):
    best, result = None, None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - start
        best = seconds if best is None else min(best, seconds)
    say(f"{label:<58} {best * 1000:10.1f} ms")
    return best, result


def _copy(table: str, columns: list[str], rows) -> None:
    """COPY on PostgreSQL; executemany elsewhere (a quick check on SQLite)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) == 10_000:
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", batch
                )
                batch = []
        if batch:
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", batch
            )


def build(today: dt.date) -> dict:
    from django.db import connection
    from django.utils import timezone

    from lms.competence.models import Competence, Evidence, Requirement
    from lms.people.models import JobCategory, OrgUnit, Person

    rng = random.Random(11)
    now = timezone.now()
    path = OrgUnit._get_path
    units = []  # (path, depth, numchild, code, name, kind)
    root = path(None, 1, 1)
    units.append((root, 1, MUNICIPALITIES, "DK", "Danmark", "police"))
    leaves = []  # (path, municipality index)
    for m in range(MUNICIPALITIES):
        mp = path(root, 2, m + 1)
        units.append(
            (mp, 2, ADMINISTRATIONS + INSTITUTIONS, f"M{m}", f"Kommune {m:02d}", "municipality")
        )
        for a in range(ADMINISTRATIONS):
            ap = path(mp, 3, a + 1)
            units.append((ap, 3, WORKPLACES, f"M{m}-A{a}", f"Forvaltning {a}", "administration"))
            for w in range(WORKPLACES):
                wp = path(ap, 4, w + 1)
                units.append((wp, 4, 0, f"M{m}-A{a}-W{w}", f"Arbejdsplads {a}.{w}", "workplace"))
                leaves.append(wp)
        for i in range(INSTITUTIONS):
            ip = path(mp, 3, ADMINISTRATIONS + i + 1)
            units.append((ip, 3, 0, f"M{m}-I{i}", f"Institution {i}", "institution"))
            leaves.append(ip)
    _copy(
        "people_orgunit",
        ["path", "depth", "numchild", "code", "name", "kind"],
        units,
    )
    unit_ids = dict(OrgUnit.objects.values_list("path", "pk"))
    leaf_ids = [unit_ids[p] for p in leaves]
    JobCategory.objects.bulk_create(
        JobCategory(code=f"JC{j}", name=f"Jobkategori {j:02d}", is_frontline=j < 10)
        for j in range(JOB_CATEGORIES)
    )
    job_ids = list(JobCategory.objects.order_by("code").values_list("pk", flat=True))
    Competence.objects.bulk_create(
        Competence(code=f"C{c}", name=f"Kompetence {c:02d}", validity_months=None if c == 0 else 24)
        for c in range(COMPETENCES)
    )
    competences = list(Competence.objects.order_by("code"))
    municipalities = list(OrgUnit.objects.filter(depth=2).order_by("path"))
    Requirement.objects.bulk_create(
        Requirement(competence=c, org_unit=m) for m in municipalities for c in competences
    )
    through = Requirement.job_categories.through
    through.objects.bulk_create(
        through(requirement_id=r.pk, jobcategory_id=job_ids[(r.pk + k) % JOB_CATEGORIES])
        for r in Requirement.objects.all()
        for k in range(REQUIRED_CATEGORIES)
    )

    def people():
        for n in range(PEOPLE):
            active = rng.random() > 0.03
            yield (
                f"Person {n}",
                f"p{n}@bench.dk",
                f"E{n}",
                leaf_ids[n % len(leaf_ids)],
                job_ids[rng.randrange(JOB_CATEGORIES)],
                active,
                None if active else today - dt.timedelta(days=30),
                now,
                now,
            )

    _copy(
        "people_person",
        [
            "name",
            "email",
            "employee_number",
            "org_unit_id",
            "job_category_id",
            "active",
            "left_on",
            "created_at",
            "updated_at",
        ],
        people(),
    )
    person_ids = list(Person.objects.values_list("pk", flat=True))
    competence_rows = [(c.pk, c.validity_months) for c in competences]

    def evidence():
        for pid in person_ids:
            for cid, validity in competence_rows:
                if rng.random() < 0.1:
                    continue
                achieved = today - dt.timedelta(days=rng.randrange(1, 900))
                expires = None if validity is None else achieved + dt.timedelta(days=730)
                voided = rng.random() < 0.03
                yield (
                    pid,
                    cid,
                    "manual",
                    f"b:{pid}:{cid}",
                    achieved,
                    expires,
                    now,
                    now if voided else None,
                    "bench" if voided else "",
                    "",
                )
                if rng.random() < 0.1 and validity is not None:
                    old = achieved - dt.timedelta(days=800)
                    yield (
                        pid,
                        cid,
                        "manual",
                        f"b:{pid}:{cid}:old",
                        old,
                        old + dt.timedelta(days=730),
                        now,
                        None,
                        "",
                        "",
                    )

    _copy(
        Evidence._meta.db_table,
        [
            "person_id",
            "competence_id",
            "source",
            "source_reference",
            "achieved_on",
            "expires_on",
            "recorded_at",
            "voided_at",
            "void_reason",
            "attachment",
        ],
        evidence(),
    )
    if connection.vendor == "postgresql":
        # As autovacuum would, before the plans are read: statistics and the visibility map
        # (an index-only scan needs it).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return {"municipality": municipalities[0], "country": OrgUnit.objects.get(depth=1)}


def naive(unit, today: dt.date):
    """Every row of the scope loaded into pandas and the same figures computed there."""
    import warnings

    warnings.filterwarnings("ignore", message="pandas only supports SQLAlchemy")
    import pandas as pd
    from django.db import connection

    soon = today + dt.timedelta(days=90)
    like = unit.path + "%"
    people = pd.read_sql_query(
        "SELECT p.id AS person_id, p.org_unit_id, p.job_category_id, u.path, p.active,"
        " p.anonymised_at FROM people_person p JOIN people_orgunit u ON u.id = p.org_unit_id"
        " WHERE u.path LIKE %s",
        connection.connection,
        params=[like],
    )
    requirements = pd.read_sql_query(
        "SELECT r.competence_id, u.path AS rpath, rj.jobcategory_id AS job_category_id, c.active"
        " FROM competence_requirement r JOIN people_orgunit u ON u.id = r.org_unit_id"
        " JOIN competence_requirement_job_categories rj ON rj.requirement_id = r.id"
        " JOIN competence_competence c ON c.id = r.competence_id",
        connection.connection,
    )
    evidence = pd.read_sql_query(
        "SELECT e.person_id, e.competence_id, e.achieved_on, e.expires_on, e.voided_at"
        " FROM competence_evidence e JOIN people_person p ON p.id = e.person_id"
        " JOIN people_orgunit u ON u.id = p.org_unit_id WHERE u.path LIKE %s",
        connection.connection,
        params=[like],
    )
    people = people[people["active"].astype(bool) & people["anonymised_at"].isna()]
    requirements = requirements[requirements["active"].astype(bool)]
    # A requirement applies to a person when its unit is one of the person's unit's ancestors:
    # one row per person and ancestor path (the tree is 4 deep), merged on path and job category.
    depth = people["path"].str.len() // 4
    ancestors = people.loc[people.index.repeat(depth)].copy()
    ancestors["rpath"] = [
        path[: 4 * (level + 1)]
        for path, count in zip(people["path"], depth, strict=True)
        for level in range(count)
    ]
    applies = ancestors.merge(requirements, on=["rpath", "job_category_id"])
    applies = applies.drop_duplicates(["person_id", "competence_id"])
    evidence = evidence[evidence["voided_at"].isna()]
    evidence = evidence[pd.to_datetime(evidence["achieved_on"]) <= pd.Timestamp(today)]
    evidence = evidence.assign(
        never=evidence["expires_on"].isna(), expires=pd.to_datetime(evidence["expires_on"])
    )
    best = evidence.groupby(["person_id", "competence_id"]).agg(
        never=("never", "max"), latest=("expires", "max")
    )
    merged = applies.merge(best, on=["person_id", "competence_id"], how="left")
    has = merged["never"].notna()
    never = merged["never"].fillna(False).astype(bool)
    latest = merged["latest"]
    merged["valid"] = has & (never | (latest > pd.Timestamp(soon)))
    merged["expiring"] = (
        has & ~never & (latest >= pd.Timestamp(today)) & (latest <= pd.Timestamp(soon))
    )
    merged["expired"] = has & ~never & (latest < pd.Timestamp(today))
    merged["missing"] = ~has
    return merged.groupby("competence_id")[["valid", "expiring", "expired", "missing"]].sum()


def explain(sql: str, params) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def refresh_plan(unit, today: dt.date, explain=explain) -> str:
    """The plan of the coverage refresh's INSERT ... SELECT for `unit`'s subtree (the country
    when None), run and rolled back; plans_evidence passes its own `explain`."""
    from django.db import connection, transaction
    from django.utils import timezone

    from reports.lib.requirements import covering_params
    from reports.services import coverage as coverage_services

    params = {
        **covering_params(),
        "today": today,
        "soon": today + dt.timedelta(days=90),
        "now": timezone.now(),
    }
    scope = people_scope = ""
    if unit is not None:
        params["path0"] = unit.path + "%"
        scope = "AND (u.path LIKE %(path0)s)"
        people_scope = (
            "AND p.org_unit_id IN (SELECT u.id FROM people_orgunit u WHERE (u.path LIKE %(path0)s))"
        )
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM reports_coveragecell WHERE org_unit_id IN "
                "(SELECT id FROM people_orgunit WHERE path LIKE %s)",
                [(unit.path if unit else "") + "%"],
            )
            cursor.execute("SET LOCAL work_mem = '64MB'")
        sql = coverage_services._insert(scope, people_scope)
        plan = explain(sql, params)
        transaction.set_rollback(True)
    return plan


def run() -> None:
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from lms.competence.selectors.status import competence_status_for_subtree, status_counts
    from lms.people.models import User
    from reports.models import CoverageCell
    from reports.selectors.coverage import Filters, coverage_overview
    from reports.services.coverage import coverage_refresh

    today = timezone.localdate()
    start = time.perf_counter()
    scopes = build(today)
    from lms.competence.models import Evidence
    from lms.people.models import Person

    say(
        f"built on {connection.vendor} in {time.perf_counter() - start:.0f} s: "
        f"{Person.objects.count():,} people, {Evidence.objects.count():,} evidence rows, "
        f"scale {SCALE}"
    )
    municipality, country = scopes["municipality"], scopes["country"]

    say("\n-- the aggregate's refresh (the beat task's work)")
    timed("coverage_refresh: the country", coverage_refresh)
    timed(
        "coverage_refresh: one municipality",
        lambda: coverage_refresh(org_units=[municipality]),
        repeat=3,
    )
    say(f"{'cells in the aggregate':<58} {CoverageCell.objects.count():10,d}")
    with connection.cursor() as cursor:
        # As autovacuum does soon after: the pages of the replaced rows are free again.
        cursor.execute("VACUUM ANALYZE reports_coveragecell")

    say("\n-- the coverage view (server time)")
    results = {}
    for name, unit in (("one municipality", municipality), ("the country", country)):
        seconds, overview = timed(
            f"selector coverage_overview: {name}",
            lambda unit=unit: coverage_overview(unit=unit, filters=Filters(), suppressed=True),
            repeat=5,
        )
        results[name] = seconds

    user = User.objects.create_superuser(email="bench@example.dk", password="x")
    TOTP.activate(user, generate_totp_secret())
    client = Client()
    client.force_login(user)
    pages = {}
    for name, unit in (("one municipality", municipality), ("the country", country)):
        url = f"{reverse('reports_coverage:index')}?unit={unit.pk}"
        client.get(url)
        seconds, response = timed(
            f"admin page GET: {name}", lambda url=url: client.get(url), repeat=5
        )
        pages[name] = seconds
        kilobytes = len(response.content) / 1024
        say(f"{'  payload (HTML, plotly.js cached apart)':<58} {kilobytes:10.1f} KB")

    say("\n-- the naive way (every row into pandas), same run")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    naive_municipality, figures = timed(
        "pandas on all rows: one municipality", lambda: naive(municipality, today)
    )
    naive_country, _ = timed("pandas on all rows: the country", lambda: naive(country, today))
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    say(f"{'  peak memory of this process grew by':<58} {(rss_after - rss_before) / 1024:10.0f} MB")
    per_person, statuses = timed(
        "per-person status selector: one municipality",
        lambda: status_counts(competence_status_for_subtree(unit=municipality, today=today)),
    )
    agree = {
        int(k): tuple(int(v) for v in row)
        for k, row in zip(figures.index, figures.itertuples(index=False), strict=True)
    } == {k: (v["valid"], v["expiring"], v["expired"], v["missing"]) for k, v in statuses.items()}
    say(f"naive pandas and the per-person selector agree: {agree}")
    from django.db.models import Sum

    aggregate = {
        row["competence_id"]: (row["valid"], row["expiring"], row["expired"], row["missing"])
        for row in CoverageCell.objects.filter(org_unit__path__startswith=municipality.path)
        .values("competence_id")
        .annotate(**{p: Sum(p) for p in ("valid", "expiring", "expired", "missing")})
        .order_by()
    }
    expected = {
        k: (v["valid"], v["expiring"], v["expired"], v["missing"]) for k, v in statuses.items()
    }
    say(f"the aggregate agrees with the per-person selector: {aggregate == expected}")

    say("\n-- ratios (naive / ours)")
    one, whole = results["one municipality"], results["the country"]
    say(f"one municipality: pandas {naive_municipality / one:8.1f} x the selector")
    say(
        f"one municipality: pandas {naive_municipality / pages['one municipality']:8.1f} x the page"
    )
    say(f"the country:      pandas {naive_country / whole:8.1f} x the selector")
    say(f"the country:      pandas {naive_country / pages['the country']:8.1f} x the page")
    say(f"per-person status selector, one municipality: {per_person / one:8.1f} x the selector")

    if connection.vendor != "postgresql":
        return
    say("\n-- EXPLAIN: the page's queries for one municipality")
    with CaptureQueriesContext(connection) as captured:
        coverage_overview(unit=municipality, filters=Filters(), suppressed=True)
    for query in captured.captured_queries:
        if "reports_coveragecell" in query["sql"]:
            say(query["sql"][:300] + " ...")
            say(explain(query["sql"], None))
            say()
    for name, unit in (("one municipality", municipality), ("the country", None)):
        say(f"-- EXPLAIN: the refresh's INSERT ... SELECT for {name} (rolled back)")
        say(refresh_plan(unit, today))
        say()


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.test")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
