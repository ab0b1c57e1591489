"""An external recipient's opt-out: from the link in the mail (a confirm page) or the mail
client's one-click unsubscribe (RFC 8058). Honoured by every later send (selectors.audiences).
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
    return Delivery.objects.filter(pk=pk, external=True).exclude(email="").first()


@transaction.atomic
def optout_create(*, token: str) -> OptOut | None:
    """Record the opt-out the token stands for (idempotent); None when it names no external
    delivery. No user acts: the signed token is the authority."""
    delivery = optout_delivery(token=token)
    if delivery is None:
        return None
    optout, created = OptOut.objects.get_or_create(
        email=delivery.email.lower(),
        defaults={"person_id": delivery.person_id, "send_id": delivery.send_id},
    )
    if created:
        audit.log(optout, "lms.newsletter_optout.create", by=None, data={"send": delivery.send_id})
    return optout
