"""Who may write, send and see newsletter sends: built only from the core policy's primitives.

VIEW: the sends of an Infohus and their counts (an aggregate: the steering group too).
WRITE: create and change draft sends. SEND: schedule, start, pause, resume, cancel, send again to
the failed, and read the per-recipient ledger. Both over the send's Infohus unit, and a send may
only be aimed at units inside the SEND scope of whoever schedules or starts it: a coordinator
sends to the units they serve, never to another municipality's staff.

URGENT_SEND: write and send an urgent internal message (the plan's acute-situation rule: a
leader informs staff broadly), and run its send (pause, cancel, send again to the failed). Over
the Infohus unit and every unit of the audience. It is grant-only: the leader holds it, the
coordinators (who hold every other action) do not, because the plan names who sends it.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from django.db.models import QuerySet

from lms.people import policy
from lms.people.models import OrgUnit, Role, User


class Action(StrEnum):
    NEWSLETTER_VIEW = "newsletter.view"
    NEWSLETTER_WRITE = "newsletter.write"
    NEWSLETTER_SEND = "newsletter.send"
    URGENT_SEND = "newsletter.urgent_send"


VIEW = Action.NEWSLETTER_VIEW
WRITE = Action.NEWSLETTER_WRITE
SEND = Action.NEWSLETTER_SEND
URGENT_SEND = Action.URGENT_SEND

# Held only by the roles granted them below, never by the roles that hold every action.
GRANT_ONLY: frozenset[Action] = frozenset({URGENT_SEND})

# Coordinators hold every action: they write and send, each send only to units in their SEND
# scope. The steering group sees the sends and their counts (reach is an aggregate), never the
# per-recipient ledger.
GRANTS: dict[Role, frozenset[Action]] = {
    Role.STEERING_GROUP: frozenset({VIEW}),
    # A leader (the municipal director, over the municipality) sends urgent internal messages
    # to the staff below them and follows their progress.
    Role.LEADER: frozenset({URGENT_SEND}),
}


def register() -> None:
    """Tell the core policy this app's actions and grants (NewslettersConfig.ready())."""
    policy.actions_register(actions=Action, grant_only=GRANT_ONLY)
    for role, actions in GRANTS.items():
        policy.grants_add(role=role, actions=actions)


def send_action(send) -> Action:
    """What running `send` takes: URGENT_SEND for an urgent message, SEND for an edition."""
    return URGENT_SEND if send.urgent_message_id else SEND


def can(user: User | None, action: Action, send) -> bool:
    """May `user` do `action` to `send` (over its Infohus unit)?"""
    return policy.can(user, action, send.org_unit)


def require(by: User | None, action: Action, send, *, field: str | None = None) -> None:
    """policy.require over the send's Infohus unit (`by=None`: the system)."""
    policy.require(by, action, send.org_unit, field=field)


def units_outside_scope(
    user: User | None, units: Iterable[OrgUnit], *, action: Action = SEND
) -> list[OrgUnit]:
    """The units of `units` that `user` may not send to (none for the system, `user=None`)."""
    if user is None:
        return []
    return [unit for unit in units if not policy.can(user, action, unit)]


def urgent_infohus_units(user: User) -> QuerySet[OrgUnit]:
    """The units a user sends urgent messages from: the top units of their URGENT_SEND scope
    (a superuser: every top of the tree)."""
    if policy.is_superuser(user):
        return OrgUnit.get_root_nodes()
    paths = policy.scope_paths(user, URGENT_SEND) if user.is_active else []
    return OrgUnit.objects.filter(path__in=paths).order_by("path")


def urgent_sends_visible_to(user: User, sends: QuerySet) -> QuerySet:
    """The urgent-message sends of `sends` whose Infohus lies in the user's URGENT_SEND scope."""
    return sends.filter(
        policy.scope_q(user, URGENT_SEND, "org_unit__path"), urgent_message__isnull=False
    )


def sends_visible_to(user: User, sends: QuerySet) -> QuerySet:
    """The sends of `sends` whose Infohus lies in the user's VIEW scope."""
    return sends.filter(policy.scope_q(user, VIEW, "org_unit__path"))
