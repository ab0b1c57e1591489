"""The opt-out page of external recipients: GET asks to confirm, POST records.

A mail client's one-click unsubscribe (RFC 8058) POSTs "List-Unsubscribe=One-Click" to the same
address without a session or CSRF token: the signed token in the address is the authority, so
the view is CSRF-exempt, and it records nothing but the opt-out the token names.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from newsletters.services import optouts


@csrf_exempt
@require_http_methods(["GET", "POST"])
def optout(request, token: str):
    delivery = optouts.optout_delivery(token=token)
    if delivery is None:
        raise Http404
    # The Infohus whose newsletters the address leaves (the token's scope).
    context = {"token": token, "infohus": delivery.send.org_unit}
    if request.method == "POST":
        optouts.optout_create(token=token)
        return render(request, "newsletters/optout_done.html", context)
    return render(request, "newsletters/optout.html", context)
