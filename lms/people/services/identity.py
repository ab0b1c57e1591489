"""Identity meets the roster: link a signed-in user to their Person by verified email.

A User is linked to at most one Person (Person.user is one-to-one). The link is made only on an
email address that allauth holds as VERIFIED for that user (confirmed by the emailed link, or
asserted by a trusted single sign-on provider), only to an active Person, and never to a Person
that already belongs to another user.
"""

from __future__ import annotations

import logging

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from lms import audit
from lms.people import policy
from lms.people.models import Person, User

logger = logging.getLogger(__name__)

LINK_ACTION = "lms.person.link_user"


# Registered here, next to the one service that writes it, so that the audit log can show it.
@hooks.register("register_log_actions")
def register_identity_log_actions(actions):
    actions.register_action(
        LINK_ACTION, _("Link user account"), _("User account linked by verified email")
    )


def person_link_user(*, user: User) -> Person | None:
    """Link `user` to the active, unlinked Person whose email is one of the user's verified
    addresses (case-insensitively). Returns the user's Person, or None when there is none to link.

    Idempotent: a user who is already linked keeps their Person, and nothing is written.
    """
    if user is None or user.pk is None or not user.is_active:
        return None
    existing = Person.objects.filter(user=user).first()
    if existing is not None:
        return existing

    verified = {
        email.lower()
        for email in EmailAddress.objects.filter(user=user, verified=True).values_list(
            "email", flat=True
        )
    }
    if not verified:
        return None

    try:
        with transaction.atomic():
            # Lock the candidate row and re-check inside the lock: two sign-ins of two users (or
            # two tabs of one) must not both claim the same Person.
            person = (
                Person.objects.select_for_update()
                .annotate(email_lower=Lower("email"))
                .filter(email_lower__in=verified, active=True, user__isnull=True)
                .order_by("pk")
                .first()
            )
            if person is None:
                return None
            person.user = user
            person.save(update_fields=["user", "updated_at"])
            # The request's user may have come with no roster entry (policy.user_loaded).
            policy.forget(user)
            # No email in the entry: the log outlives the anonymisation of people who left.
            audit.log(person, LINK_ACTION, by=user, data={"user_id": user.pk})
    except IntegrityError:
        # A concurrent sign-in of the same user linked another Person first (Person.user is
        # one-to-one); that link stands.
        return Person.objects.filter(user=user).first()
    logger.info("Linked user %s to person %s by verified email", user.pk, person.pk)
    return person


def user_email_verify_from_sso(*, user: User, sociallogin) -> list[str]:
    """Record as verified the addresses that a trusted SSO provider asserted for this login.

    allauth saves the provider's addresses when it creates a new user, but not when it connects
    the provider to an existing local account (email authentication); without this, a roster
    employee who first made a local account and never confirmed it could not be linked after
    signing in through the municipality's IdP. An address another user already holds is left
    alone (ACCOUNT_UNIQUE_EMAIL).
    """
    marked: list[str] = []
    if user is None or user.pk is None or sociallogin is None:
        return marked
    for address in getattr(sociallogin, "email_addresses", []) or []:
        if not address.verified or not address.email:
            continue
        email = address.email.lower()
        taken = (
            EmailAddress.objects.filter(email__iexact=email).exclude(user=user).exists()
            or User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists()
        )
        if taken:
            continue
        own = EmailAddress.objects.filter(user=user, email__iexact=email).first()
        if own is None:
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=False)
        elif not own.verified:
            own.verified = True
            own.save(update_fields=["verified"])
        else:
            continue
        marked.append(email)
    return marked
