"""Keeps the editors' groups (lms.site.services.editors) in step; connected in
SiteConfig.ready()."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from wagtail.models import Site

from lms.people.signals import roles_changed
from lms.site.models import HomePage, InfohusSettings
from lms.site.selectors.site import infohus_name_forget
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


def on_site_or_settings_changed(sender, **kwargs) -> None:
    # The admin's titles read the Infohus name from the cache (selectors.infohus_name_cached).
    infohus_name_forget()


def connect() -> None:
    for model in (Site, InfohusSettings):
        for signal in (post_save, post_delete):
            signal.connect(
                on_site_or_settings_changed,
                sender=model,
                dispatch_uid=f"lms.site.infohus_name.{model.__name__}.{signal is post_save}",
            )
    roles_changed.connect(on_roles_changed, dispatch_uid="lms.site.editors.roles_changed")
    post_save.connect(on_home_page_saved, sender=HomePage, dispatch_uid="lms.site.editors.save")
    post_delete.connect(
        on_home_page_deleted, sender=HomePage, dispatch_uid="lms.site.editors.delete"
    )
