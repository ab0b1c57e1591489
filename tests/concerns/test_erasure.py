"""After a case is closed with its journal reference, its free text and names are erased once
the period (LMS_CONCERN_ERASE_AFTER_DAYS, default 30) has passed; the statistics' facts stay."""

import datetime as dt

import pytest
from django.utils import timezone
from wagtail.models import ModelLogEntry

from lms.concerns.models import Concern
from lms.concerns.services.erasure import concerns_erase_due
from lms.concerns.tasks import erase_closed_concerns

from .builders import concern_make
from .test_encryption import raw_row
from .test_steps import TODAY, advance, to_outcome

pytestmark = pytest.mark.django_db


def closed_case(cast, *, days_ago: int):
    case = concern_make(
        infohus=cast.units["HJ"],
        by=cast.employee,
        kind="staff",
        reporter_unit=cast.units["HJ-SKOLE"],
        reporter_email="a@example.dk",
    )
    to_outcome(case, cast.coordinator)
    advance(case, cast.coordinator, "outcome", outcome="advice")
    advance(case, cast.coordinator, "feedback_given", feedback_on=TODAY)
    advance(case, cast.coordinator, "closed", journal_reference="SBSYS-1")
    Concern.objects.filter(pk=case.pk).update(
        closed_at=timezone.now() - dt.timedelta(days=days_ago)
    )
    return Concern.objects.get(pk=case.pk)


def test_text_and_names_are_erased_after_the_period_and_the_statistics_stay(cast):
    old = closed_case(cast, days_ago=31)
    recent = closed_case(cast, days_ago=29)
    still_open = concern_make(infohus=cast.units["HJ"])
    now = timezone.now()

    assert concerns_erase_due(now=now) == 1

    erased = Concern.objects.get(pk=old.pk)
    assert erased.erased_at == now
    for field in ("description", "subject_name", "reporter_name", "reporter_email", "assessment"):
        assert getattr(erased, field) == "", field
        assert raw_row(erased)[field] == "", field
    assert erased.reporter_user is None and erased.journal_reference == ""
    # What the statistics need.
    assert (erased.route, erased.outcome, erased.age_group, erased.reporter_kind) == (
        "coordinators",
        "advice",
        "under_18",
        "staff",
    )
    assert erased.reporter_unit == cast.units["HJ-SKOLE"]
    assert erased.created_at and erased.feedback_on == TODAY and erased.closed_at
    assert ModelLogEntry.objects.filter(object_id=str(old.pk), action="lms.concern.erase").exists()
    # Not yet due, and not closed: untouched.
    assert Concern.objects.get(pk=recent.pk).description != ""
    assert Concern.objects.get(pk=still_open.pk).subject_name == "Karl Hemmelig"


def test_a_second_run_erases_nothing_more(cast):
    closed_case(cast, days_ago=40)
    assert erase_closed_concerns.delay().get() == 1
    assert concerns_erase_due() == 0
    assert ModelLogEntry.objects.filter(action="lms.concern.erase").count() == 1


def test_the_period_is_a_setting(cast, settings):
    settings.LMS_CONCERN_ERASE_AFTER_DAYS = 7
    closed_case(cast, days_ago=8)
    assert concerns_erase_due() == 1
