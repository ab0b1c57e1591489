"""Views of the platform itself (not of one app): the CSRF failure page."""

from django.shortcuts import render


def csrf_failure(request, reason: str = ""):
    """A Danish page in the site's look instead of Django's bare "CSRF verification failed".

    The reason is for developers (it is logged by Django's CSRF middleware), not for users."""
    return render(request, "403_csrf.html", status=403)
