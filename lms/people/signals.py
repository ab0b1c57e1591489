"""Signals the core sends so that feature apps can follow role changes without being imported.

lms.people imports no feature app (see DESIGN.md): whoever keeps something derived from the roles
(lms.site keeps Wagtail's page-editor groups) connects a receiver in its AppConfig.ready().

The receivers of allauth's signals that link a signed-in user to their roster entry are here too
(connect_signals(), called in PeopleConfig.ready()); the link itself is the service
lms.people.services.identity.person_link_user.
"""

from __future__ import annotations

from collections.abc import Iterable

from allauth.account.signals import email_confirmed, user_logged_in
from allauth.socialaccount.signals import social_account_added
from django.dispatch import Signal

# Whose roles count differently now: an assignment was granted or revoked, a person left or came
# back, an account was closed. Keyword argument `user_ids`: a frozenset of user ids, or None when
# anyone's may have changed (a unit moved in the tree, so every assignment above it covers
# something else now).
#
# Sent inside the transaction that made the change, not on commit: a receiver's writes then commit
# or roll back with it, so a revoked role never leaves a permission behind for a moment, and a
# failing receiver refuses the change instead of leaving the two out of step.
roles_changed = Signal()


def roles_changed_send(*, user_ids: Iterable[int] | None) -> None:
    if user_ids is not None:
        user_ids = frozenset(pk for pk in user_ids if pk is not None)
        if not user_ids:
            return
    roles_changed.send(sender=roles_changed_send, user_ids=user_ids)


def roles_changed_for_people(person_ids: Iterable[int]) -> None:
    """roles_changed for the accounts linked to these roster entries (one query per 500)."""
    from lms.people.models import Person

    person_ids = sorted(set(person_ids))
    user_ids: set[int] = set()
    for start in range(0, len(person_ids), 500):
        chunk = person_ids[start : start + 500]
        user_ids.update(
            Person.objects.filter(pk__in=chunk, user__isnull=False).values_list(
                "user_id", flat=True
            )
        )
    roles_changed_send(user_ids=user_ids)


# A link is attempted whenever allauth has just established that the user controls an address:
# after every completed sign-in (password after verification, or SSO), after an emailed
# confirmation, and when an SSO account is connected from the account settings.


def on_user_logged_in(sender, request, user, **kwargs) -> None:
    from lms.people.services.identity import person_link_user, user_email_verify_from_sso

    sociallogin = kwargs.get("sociallogin")
    if sociallogin is not None:
        user_email_verify_from_sso(user=user, sociallogin=sociallogin)
    person_link_user(user=user)


def on_email_confirmed(sender, request, email_address, **kwargs) -> None:
    from lms.people.services.identity import person_link_user

    person_link_user(user=email_address.user)


def on_social_account_added(sender, request, sociallogin, **kwargs) -> None:
    from lms.people.services.identity import person_link_user, user_email_verify_from_sso

    user = sociallogin.user
    user_email_verify_from_sso(user=user, sociallogin=sociallogin)
    person_link_user(user=user)


def connect_signals() -> None:
    # The services import this module (roles_changed), so the receivers import them when called.
    # Importing identity here, at ready(), registers its audit-log action with Wagtail.
    from lms.people.services import identity  # noqa: F401

    user_logged_in.connect(on_user_logged_in, dispatch_uid="lms.identity.user_logged_in")
    email_confirmed.connect(on_email_confirmed, dispatch_uid="lms.identity.email_confirmed")
    social_account_added.connect(
        on_social_account_added, dispatch_uid="lms.identity.social_account_added"
    )
