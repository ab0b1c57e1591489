"""Query plans on PostgreSQL that do not depend on the planner's statistics.

A test that asks "is this read answered from that index?" cannot trust the plan the planner would
pick on a test-sized table: after other tests' writes (their rows, dead tuples, statistics) it may
pick a sequential scan or another index. So the statements `fn` makes on a table are captured,
then explained with every choice but the index under test taken away, in a transaction that is
rolled back: sequential and bitmap scans switched off, and the table's other indexes (the primary
key kept) dropped. What the plan then shows depends on the index and the query alone: whether
the index can answer it (its columns and its condition), and for a covering index whether the
read is index-only. (`enable_indexscan = off` does not serve: on PostgreSQL 15 it switches off
index-only scans too.)"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.db import connection, transaction


def statements(fn: Callable[[], object], table: str) -> list[tuple[str, object]]:
    """(SQL, params) of each statement `fn` runs that names `table`, savepoints left out."""
    seen = []

    def wrapper(execute, sql, params, many, context):
        if table in sql and not sql.startswith(("SAVEPOINT", "RELEASE")):
            seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        fn()
    return seen


def _drop_other_indexes(cursor, table: str, keep: str) -> None:
    cursor.execute(
        """
        SELECT i.relname, c.conname
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid
        WHERE x.indrelid = %s::regclass AND NOT x.indisprimary AND i.relname <> %s
        """,
        [table, keep],
    )
    for index, constraint in cursor.fetchall():
        if constraint:  # a unique constraint's index goes with its constraint
            # ALTER TABLE refuses a table with foreign-key checks still queued (Django's are
            # deferred): run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{constraint}"')
        else:
            cursor.execute(f'DROP INDEX "{index}"')


def _scans(plan: dict):
    yield plan
    for child in plan.get("Plans", ()):
        yield from _scans(child)


def plans_with_only(
    fn: Callable[[], object], *, table: str, index: str
) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """For each statement `fn` runs on `table`: (SQL, [(node type, index name) of each scan of
    the table]), planned with `index` (and the primary key) the only ways left to read it."""
    seen = statements(fn, table)
    result = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        _drop_other_indexes(cursor, table, index)
        for sql, params in seen:
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
            raw = cursor.fetchone()[0]
            plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
            scans = [
                (node["Node Type"], node.get("Index Name"))
                for node in _scans(plan)
                if node.get("Relation Name") == table and node["Node Type"].endswith("Scan")
            ]
            result.append((sql, scans))
        # The indexes, the constraints and the settings come back.
        transaction.set_rollback(True)
    return result
