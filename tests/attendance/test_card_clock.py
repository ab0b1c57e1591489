"""Action Card services dated as of an earlier moment (lms.clock), as the demo history is: a version
is written, then approved, never approved before it was written (issue 8)."""

import datetime as dt

import pytest
from django.utils import timezone

from attendance import services
from attendance.models import ActionCardVersion

from .builders import SIGNS, STEPS, review_in

pytestmark = pytest.mark.django_db


def _card(tree, coordinators, *, now):
    return services.card_create(
        slug="medarbejdere",
        audience="staff",
        org_unit=tree["HJ"],
        owner=coordinators["author"],
        title="Handlekort",
        signs=SIGNS,
        steps=STEPS,
        review_date=review_in(),
        by=coordinators["author"],
        now=now,
    )


def test_a_card_written_and_approved_months_ago_is_dated_then(tree, coordinators):
    written = timezone.now() - dt.timedelta(days=200)
    card = _card(tree, coordinators, now=written)
    version = card.versions.get()
    assert version.created_at == written
    approved = written + dt.timedelta(days=3)
    services.version_approve(version=version, by=coordinators["approver"], now=approved)
    version.refresh_from_db()
    assert (version.created_at, version.approved_at) == (written, approved)

    draft = services.version_draft_create(
        card=card, by=coordinators["author"], now=approved + dt.timedelta(days=50)
    )
    assert ActionCardVersion.objects.get(pk=draft.pk).created_at == approved + dt.timedelta(days=50)


def test_an_approval_cannot_be_dated_before_the_draft_or_the_last_approval(tree, coordinators):
    written = timezone.now() - dt.timedelta(days=100)
    card = _card(tree, coordinators, now=written)
    version = card.versions.get()
    with pytest.raises(ValueError):
        services.version_approve(
            version=version, by=coordinators["approver"], now=written - dt.timedelta(days=1)
        )
    with pytest.raises(ValueError):
        services.version_approve(
            version=version, by=coordinators["approver"], now=timezone.now() + dt.timedelta(days=1)
        )
    version.refresh_from_db()
    assert version.status == ActionCardVersion.Status.DRAFT and version.approved_at is None

    services.version_approve(version=version, by=coordinators["approver"], now=written)
    draft = services.version_draft_create(
        card=card, by=coordinators["author"], now=written - dt.timedelta(days=5)
    )
    with pytest.raises(ValueError):
        # Before the version it would replace was approved.
        services.version_approve(
            version=draft, by=coordinators["approver"], now=written - dt.timedelta(days=2)
        )
