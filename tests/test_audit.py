"""lms.audit: the one entry point every service logs through."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from wagtail import log_actions
from wagtail.models import ModelLogEntry

from lms import audit
from lms.people.models import OrgUnit, Person
from tests.factories import UserFactory


def test_log_labels_a_row_by_type_and_id_never_by_its_text(db):
    unit = OrgUnit.add_root(code="X", name="Xby Kommune", kind=OrgUnit.Kind.MUNICIPALITY)
    person = Person.objects.create(name="Karen Jensen", email="karen@example.dk", org_unit=unit)
    by = UserFactory()

    audit.log(person, "lms.person.update", by=by, data={"fields": ["name"]})

    entry = ModelLogEntry.objects.get(action="lms.person.update")
    assert entry.label == f"person #{person.pk}"
    assert (entry.object_id, entry.user_id, entry.data) == (
        str(person.pk),
        by.pk,
        {"fields": ["name"]},
    )


def test_log_takes_the_title_of_a_row_that_holds_no_personal_data(db):
    group = Group.objects.create(name="Redaktører")
    audit.log(group, "lms.site.editors.sync", by=None, title=group.name)
    assert ModelLogEntry.objects.get(action="lms.site.editors.sync").label == "Redaktører"


def test_log_many_writes_one_entry_per_row_as_one_action(db, assert_queries):
    unit = OrgUnit.add_root(code="X", name="Xby Kommune", kind=OrgUnit.Kind.MUNICIPALITY)
    people = [
        Person.objects.create(name=f"P{i}", email=f"p{i}@example.dk", org_unit=unit)
        for i in range(3)
    ]
    by = UserFactory()
    count = assert_queries(
        1,
        lambda: audit.log_many(
            Person,
            ((p.pk, "lms.person.anonymise", {"reason": "retention"}) for p in people),
            by=by,
        ),
        warm=False,
    )
    assert count == 3
    entries = ModelLogEntry.objects.filter(action="lms.person.anonymise").order_by("pk")
    assert [e.label for e in entries] == [f"person #{p.pk}" for p in people]
    assert len({e.uuid for e in entries}) == 1
    assert {e.user_id for e in entries} == {by.pk}


def _fields(entry):
    return (
        entry.content_type_id,
        entry.object_id,
        entry.label,
        entry.data,
        entry.user_id,
        entry.uuid,
        entry.content_changed,
        entry.deleted,
    )


def test_log_without_validation_writes_the_same_row_in_one_insert(db, assert_queries):
    unit = OrgUnit.add_root(code="X", name="Xby Kommune", kind=OrgUnit.Kind.MUNICIPALITY)
    person = Person.objects.create(name="Karen Jensen", email="karen@example.dk", org_unit=unit)
    by = UserFactory()
    with log_actions.LogContext(user=by):
        audit.log(person, "lms.person.update", by=None, data={"fields": ["name"]})
        assert_queries(
            1,
            lambda: audit.log(
                person, "lms.person.update", by=None, data={"fields": ["name"]}, validate=False
            ),
            warm=False,
        )
    checked, trusted = ModelLogEntry.objects.filter(action="lms.person.update").order_by("pk")
    assert _fields(trusted) == _fields(checked)
    assert trusted.user_id == by.pk and trusted.uuid is not None
    assert trusted.timestamp >= checked.timestamp


def test_log_without_validation_still_refuses_an_unregistered_action(db):
    unit = OrgUnit.add_root(code="X", name="Xby Kommune", kind=OrgUnit.Kind.MUNICIPALITY)
    with pytest.raises(ValueError, match="not been registered"):
        audit.log(unit, "lms.nothing.such", by=None, validate=False)
    assert not ModelLogEntry.objects.filter(action="lms.nothing.such").exists()


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="log_sql writes PostgreSQL (jsonb)"
)


@postgres_only
def test_log_sql_writes_the_row_log_writes_once_per_row_of_its_source(db):
    """The entry of a row that the same statement inserts: here a CTE stands for the insert."""
    unit = OrgUnit.add_root(code="X", name="Xby Kommune", kind=OrgUnit.Kind.MUNICIPALITY)
    person = Person.objects.create(name="Karen Jensen", email="karen@example.dk", org_unit=unit)
    by = UserFactory()
    with log_actions.LogContext(user=by):
        sql, params = audit.log_sql(
            Person,
            "lms.person.update",
            pk="src.id",
            source="src",
            by=None,
            data={"fields": ["name"]},
            data_sql={"how": "src.how"},
        )
        # The same text for every entry of the kind (a statement holding it can be prepared).
        again, again_params = audit.log_sql(
            Person,
            "lms.person.update",
            pk="src.id",
            source="src",
            by=None,
            data={"fields": ["email"]},
            data_sql={"how": "src.how"},
        )
        assert again == sql and again_params != params and again_params.keys() == params.keys()
        statement = "WITH src AS ({}), logged AS ({}) SELECT 1"
        with connection.cursor() as cursor:
            row = "SELECT %(pk)s::int AS id, 'import'::text AS how"
            cursor.execute(statement.format(row, sql), {**params, "pk": person.pk})
            nothing = "SELECT 1 AS id, 'x'::text AS how WHERE false"
            cursor.execute(statement.format(nothing, sql), {**params, "pk": person.pk})
        audit.log(
            person,
            "lms.person.update",
            by=None,
            data={"fields": ["name"], "how": "import"},
            validate=False,
        )
    by_sql, by_log = ModelLogEntry.objects.filter(action="lms.person.update").order_by("pk")
    assert _fields(by_sql) == _fields(by_log)
    assert by_sql.label == f"person #{person.pk}" and by_sql.user_id == by.pk


def test_log_sql_refuses_an_unregistered_action(db):
    with pytest.raises(ValueError, match="not been registered"):
        audit.log_sql(Person, "lms.nothing.such", pk="src.id", source="src", by=None)
