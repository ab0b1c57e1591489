"""An external recipient's opt-out: from the link in the mail (a confirm page) or the mail
client's one-click unsubscribe (RFC 8058). It holds for the Infohus whose send the link came from
(the token names the delivery, whose send names the Infohus: an old link keeps its scope), and
every later send of that Infohus honours it (selectors.audiences); another municipality's
newsletters still reach the address.
Internal staff cannot opt out of work communication: their mail carries no link, and a token of
theirs records nothing."""

from __future__ import annotations

from django.db import transaction

from lms import audit
from newsletters.emails.editions import optout_token_read
from newsletters.models import Delivery, OptOut

__all__ = ["optout_delivery", "optout_create"]


def optout_delivery(*, token: str) -> Delivery | None:
    """The external delivery a signed opt-out token names, or None."""
    pk = optout_token_read(token)
    if pk is None:
        return None
    return (
        Delivery.objects.filter(pk=pk, external=True)
        .exclude(email="")
        .select_related("send__org_unit")
        .first()
    )


@transaction.atomic
def optout_create(*, token: str) -> OptOut | None:
    """Record the opt-out the token stands for (idempotent); None when it names no external
    delivery. No user acts: the signed token is the authority."""
    delivery = optout_delivery(token=token)
    if delivery is None:
        return None
    email = delivery.email.lower()
    everywhere = OptOut.objects.filter(email=email, org_unit__isnull=True).first()
    if everywhere is not None:
        return everywhere
    optout, created = OptOut.objects.get_or_create(
        email=email,
        org_unit_id=delivery.send.org_unit_id,
        defaults={"person_id": delivery.person_id, "send_id": delivery.send_id},
    )
    if created:
        audit.log(
            optout,
            "lms.newsletter_optout.create",
            by=None,
            data={"send": delivery.send_id, "infohus": delivery.send.org_unit_id},
        )
    return optout
