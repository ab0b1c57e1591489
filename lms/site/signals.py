"""Keeps the editors' groups (lms.site.services.editors) in step; connected in
SiteConfig.ready()."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.documents import get_document_model
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from lms.people.models import JobCategory, OrgUnit
from lms.people.signals import roles_changed
from lms.site.models import HomePage, InfohusContact, InfohusSettings
from lms.site.selectors.site import site_cache_forget
from lms.site.services import editors

# A change to anything else on the home page (a draft, its body) leaves its editors as they are.
SYNC_FIELDS = frozenset({"title", "org_unit"})


def on_roles_changed(sender, *, user_ids=None, **kwargs) -> None:
    if user_ids is None:
        editors.editor_groups_sync()
    else:
        editors.editor_groups_sync(user_ids=user_ids)


def on_home_page_saved(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    if raw or (update_fields is not None and not SYNC_FIELDS & set(update_fields)):
        return
    editors.editor_groups_sync(home=instance)


def on_home_page_deleted(sender, instance, **kwargs) -> None:
    editors.editor_group_remove(home_pk=instance.pk)


def on_site_changed(sender, **kwargs) -> None:
    """Every page's header and footer (selectors.site_info) and the admin's titles
    (selectors.infohus_name_cached) come from the cache: drop it now, for the rest of this
    transaction and for a request that reads the old rows meanwhile, and again once the change is
    committed, so that what such a request cached in between is dropped too."""
    site_cache_forget()
    transaction.on_commit(site_cache_forget)


def on_page_changed(sender, instance=None, **kwargs) -> None:
    # A page's slug, place or state changes the site's links (home, "Er du bekymret?", the
    # accessibility statement). post_save of every model: a page's signal names its own class.
    if instance is None or isinstance(instance, Page):
        on_site_changed(sender)


def connect() -> None:
    # A view restriction decides whether a page is public (the home page's menu); a document's
    # address is in the rich text of a page's cached fragment (site_fragment).
    for model in (Site, InfohusSettings, InfohusContact, PageViewRestriction, get_document_model()):
        for signal in (post_save, post_delete):
            signal.connect(
                on_site_changed,
                sender=model,
                dispatch_uid=f"lms.site.cache.{model.__name__}.{signal is post_save}",
            )
    # A unit or a job category taken out of the pages' audiences with its deletion (their
    # many-to-many rows go without a page's signal): the courses' audiences are cached per site.
    for model in (OrgUnit, JobCategory):
        post_delete.connect(
            on_site_changed, sender=model, dispatch_uid=f"lms.site.cache.{model.__name__}.delete"
        )
    for signal in (post_save, post_delete):
        signal.connect(on_page_changed, dispatch_uid=f"lms.site.cache.page.{signal is post_save}")
    for name, signal in (
        ("published", page_published),
        ("unpublished", page_unpublished),
        ("moved", post_page_move),
    ):
        signal.connect(on_page_changed, dispatch_uid=f"lms.site.cache.page.{name}")
    roles_changed.connect(on_roles_changed, dispatch_uid="lms.site.editors.roles_changed")
    post_save.connect(on_home_page_saved, sender=HomePage, dispatch_uid="lms.site.editors.save")
    post_delete.connect(
        on_home_page_deleted, sender=HomePage, dispatch_uid="lms.site.editors.delete"
    )
