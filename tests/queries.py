"""Exact query counts: the per-process caches are warmed first, so the count does not depend on
which tests the process ran before."""

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from wagtail.models import Site


def caches_warm() -> None:
    """Fill the per-process caches a request or a service may read: every model's content type
    and Wagtail's root paths of the sites."""
    ContentType.objects.get_for_models(*apps.get_models())
    Site.get_site_root_paths()
