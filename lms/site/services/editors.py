"""Who edits which site: Wagtail page and collection permissions derived from role assignments.

Wagtail decides page and image/document access from groups (GroupPagePermission,
GroupCollectionPermission), our access policy from role assignments on the organisation tree. This
module keeps the first in step with the second instead of replacing Wagtail's permission engine:
each HomePage with an org_unit has one editors' group that

- holds EDITOR_PAGE_PERMISSIONS on the home page (so on the whole site below it),
- holds EDITOR_COLLECTION_PERMISSIONS on the site's own collection (made on first sync), so that
  editors upload lesson images and documents there and see no other municipality's files,
- has as members exactly the users whose roles grant policy.Action.PAGE_EDIT over the home page's
  org_unit (policy.role_holders_by_unit; superusers need no group).

The sync owns these groups entirely: members or permissions a superuser adds by hand are taken
away again at the next sync. A group is found by the key in its name, "[site-editors-<home pk>]",
never by its title, so renaming the home page renames the group instead of making a second one.

It runs when roles change (lms.people.signals.roles_changed), when a home page is saved, deleted
or re-pointed, from `manage.py sync_editor_groups`, and daily from Celery beat as a safety net.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import Group, Permission
from django.db import IntegrityError, transaction
from django.db.models import Q
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission

from lms import audit
from lms.people import policy
from lms.people.models import OrgUnit, User
from lms.site.models import HomePage

__all__ = [
    "EDITOR_COLLECTION_PERMISSIONS",
    "EDITOR_PAGE_PERMISSIONS",
    "EditorSyncResult",
    "editor_group_for",
    "editor_group_name",
    "editor_group_remove",
    "editor_groups_sync",
]

# Add, edit and publish any page of the site, lock and unlock pages. Not bulk_delete: deleting a
# page with children (a whole course with its lessons) stays with a superuser; editors delete
# leaf pages. The home page itself is never theirs to delete or move (HomePagePermissionTester).
EDITOR_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page", "lock_page", "unlock_page")
# Upload, edit (and, in Wagtail's collection policy, delete) and choose images and documents.
EDITOR_COLLECTION_PERMISSIONS = (
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
)

KEY_PREFIX = "[site-editors-"
KEY_RE = re.compile(r"\[site-editors-(\d+)\]$")
GROUP_NAME_MAX = Group._meta.get_field("name").max_length
LOG_ACTION = "lms.site.editors.sync"


@dataclass
class EditorSyncResult:
    groups_created: int = 0
    groups_renamed: int = 0
    groups_deleted: int = 0
    collections_created: int = 0
    permissions_added: int = 0
    permissions_removed: int = 0
    members_added: int = 0
    members_removed: int = 0
    # Home page id -> (user ids added, user ids removed), for the log and the command's output.
    membership: dict[int, tuple[list[int], list[int]]] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(
            (
                self.groups_created,
                self.groups_renamed,
                self.groups_deleted,
                self.collections_created,
                self.permissions_added,
                self.permissions_removed,
                self.members_added,
                self.members_removed,
            )
        )

    def summary(self) -> str:
        return (
            f"{self.groups_created} groups created, {self.groups_renamed} renamed, "
            f"{self.groups_deleted} deleted; {self.collections_created} collections created; "
            f"{self.permissions_added} permissions added, {self.permissions_removed} removed; "
            f"{self.members_added} members added, {self.members_removed} removed"
        )


def _key(home_pk: int) -> str:
    return f"{KEY_PREFIX}{home_pk}]"


def editor_group_name(*, home_pk: int, title: str) -> str:
    """'<home title> [site-editors-<pk>]': readable in Settings > Groups, found by the key."""
    key = _key(home_pk)
    room = GROUP_NAME_MAX - len(key) - 1
    title = " ".join(title.split())
    if len(title) > room:
        title = title[: room - 1].rstrip() + "\u2026"
    return f"{title} {key}"


def editor_group_for(home: HomePage) -> Group | None:
    """The editors' group of a home page, if the sync has made it."""
    return Group.objects.filter(name__endswith=_key(home.pk)).order_by("pk").first()


def _permissions() -> tuple[list[Permission], list[Permission]]:
    wanted = Q(content_type__app_label="wagtailcore", codename__in=EDITOR_PAGE_PERMISSIONS)
    for app_label, codename in EDITOR_COLLECTION_PERMISSIONS:
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    found = list(Permission.objects.filter(wanted).select_related("content_type"))
    page = [p for p in found if p.content_type.app_label == "wagtailcore"]
    collection = [p for p in found if p.content_type.app_label != "wagtailcore"]
    if len(page) != len(EDITOR_PAGE_PERMISSIONS) or len(collection) != len(
        EDITOR_COLLECTION_PERMISSIONS
    ):
        raise RuntimeError("Wagtail's page, image or document permissions are missing.")
    return page, collection


@dataclass
class _Site:
    pk: int
    title: str
    unit: OrgUnit | None


@transaction.atomic
def editor_groups_sync(
    *,
    home: HomePage | None = None,
    user: User | None = None,
    user_ids: Iterable[int] | None = None,
    by: User | None = None,
) -> EditorSyncResult:
    """Bring the editors' groups in line with the role assignments. Idempotent.

    - `home`: only that site's group. Otherwise every site's, and groups whose home page is gone
      are deleted.
    - `user` / `user_ids`: only those users' memberships (after their roles changed); without
      them every member of the groups concerned.

    The group, its permissions and the site's collection are checked every time (cheap: a run
    that changes nothing makes the same few queries however many sites and users there are).
    `by` is recorded in the audit log (None: the system, which is the usual caller).
    """
    result = EditorSyncResult()
    only_users: set[int] | None = None
    if user is not None or user_ids is not None:
        only_users = set(user_ids or ())
        if user is not None:
            only_users.add(user.pk)

    homes = HomePage.objects.order_by("pk")
    if home is not None:
        homes = homes.filter(pk=home.pk)
    sites = [
        _Site(pk, title, OrgUnit(pk=unit_pk, path=path) if unit_pk else None)
        for pk, title, unit_pk, path in homes.values_list(
            "pk", "title", "org_unit_id", "org_unit__path"
        )
    ]

    groups = _groups(home_pk=home.pk if home is not None else None, result=result)
    if home is None:
        # The home page was deleted: its group goes (the collection and its files stay).
        existing = {site.pk for site in sites}
        gone = {pk: group for pk, group in groups.items() if pk not in existing}
        if gone:
            Group.objects.filter(pk__in=[group.pk for group in gone.values()]).delete()
            result.groups_deleted += len(gone)
            groups = {pk: group for pk, group in groups.items() if pk not in gone}
    for site in sites:
        groups[site.pk] = _group_ensure(site, groups.get(site.pk), result)
    if not sites:
        return result

    page_permissions, collection_permissions = _permissions()
    _page_permissions_sync(sites, groups, page_permissions, result)
    _collection_permissions_sync(sites, groups, collection_permissions, result)
    _members_sync(sites, groups, only_users, result, by=by)
    return result


def _groups(*, home_pk: int | None, result: EditorSyncResult) -> dict[int, Group]:
    """The editors' groups by home page id; a duplicate key (made by hand) is deleted."""
    if home_pk is not None:
        candidates = Group.objects.filter(name__endswith=_key(home_pk))
    else:
        candidates = Group.objects.filter(name__contains=KEY_PREFIX)
    groups: dict[int, Group] = {}
    duplicates: list[int] = []
    for group in candidates.order_by("pk"):
        match = KEY_RE.search(group.name)
        if match is None:
            continue
        pk = int(match.group(1))
        if pk in groups:
            duplicates.append(group.pk)
        else:
            groups[pk] = group
    if duplicates:
        Group.objects.filter(pk__in=duplicates).delete()
        result.groups_deleted += len(duplicates)
    return groups


def _group_ensure(site: _Site, group: Group | None, result: EditorSyncResult) -> Group:
    name = editor_group_name(home_pk=site.pk, title=site.title)
    if group is None:
        try:
            with transaction.atomic():
                group = Group.objects.create(name=name)
            result.groups_created += 1
        except IntegrityError:
            # Another sync made it a moment ago.
            group = Group.objects.get(name=name)
    elif group.name != name:
        group.name = name
        group.save(update_fields=["name"])
        result.groups_renamed += 1
    return group


def _page_permissions_sync(sites, groups, permissions, result: EditorSyncResult) -> None:
    """Exactly EDITOR_PAGE_PERMISSIONS on each home page, nothing anywhere else."""
    group_ids = [groups[site.pk].pk for site in sites]
    wanted = {
        (groups[site.pk].pk, site.pk, permission.pk) for site in sites for permission in permissions
    }
    have: dict[tuple[int, int, int], int] = {
        (group_id, page_id, permission_id): pk
        for pk, group_id, page_id, permission_id in GroupPagePermission.objects.filter(
            group_id__in=group_ids
        ).values_list("pk", "group_id", "page_id", "permission_id")
    }
    extra = [pk for row, pk in have.items() if row not in wanted]
    missing = wanted - have.keys()
    if extra:
        GroupPagePermission.objects.filter(pk__in=extra).delete()
        result.permissions_removed += len(extra)
    if missing:
        GroupPagePermission.objects.bulk_create(
            [
                GroupPagePermission(group_id=group_id, page_id=page_id, permission_id=perm_id)
                for group_id, page_id, perm_id in sorted(missing)
            ],
            ignore_conflicts=True,
        )
        result.permissions_added += len(missing)


def _collection_permissions_sync(sites, groups, permissions, result: EditorSyncResult) -> None:
    """Each group's collection is the one its permissions point at (the lowest id, should a
    superuser have added others); a site without one gets a new collection named after it."""
    group_ids = [groups[site.pk].pk for site in sites]
    rows = list(
        GroupCollectionPermission.objects.filter(group_id__in=group_ids).values_list(
            "pk", "group_id", "collection_id", "permission_id"
        )
    )
    collection_of: dict[int, int] = {}
    for _pk, group_id, collection_id, _perm in sorted(rows, key=lambda row: row[2]):
        collection_of.setdefault(group_id, collection_id)
    for site in sites:
        group = groups[site.pk]
        if group.pk not in collection_of:
            collection_of[group.pk] = _collection_create(site.title).pk
            result.collections_created += 1
    wanted = {
        (group_id, collection_of[group_id], permission.pk)
        for group_id in group_ids
        for permission in permissions
    }
    have = {(group_id, coll, perm): pk for pk, group_id, coll, perm in rows}
    extra = [pk for row, pk in have.items() if row not in wanted]
    missing = wanted - have.keys()
    if extra:
        GroupCollectionPermission.objects.filter(pk__in=extra).delete()
        result.permissions_removed += len(extra)
    if missing:
        GroupCollectionPermission.objects.bulk_create(
            [
                GroupCollectionPermission(
                    group_id=group_id, collection_id=collection_id, permission_id=perm_id
                )
                for group_id, collection_id, perm_id in sorted(missing)
            ],
            ignore_conflicts=True,
        )
        result.permissions_added += len(missing)


def _collection_create(title: str) -> Collection:
    root = Collection.get_first_root_node()
    taken = set(root.get_children().values_list("name", flat=True))
    name, n = title, 1
    while name in taken:
        n += 1
        name = f"{title} ({n})"
    return root.add_child(name=name)


def _members_sync(sites, groups, only_users, result: EditorSyncResult, *, by) -> None:
    """Members = role_holders_by_unit(PAGE_EDIT); a site without org_unit has no editors."""
    with_unit = [site for site in sites if site.unit is not None]
    holders = policy.role_holders_by_unit(
        policy.Action.PAGE_EDIT,
        units=[site.unit for site in with_unit],
        user_ids=only_users,
    )
    wanted: dict[int, set[int]] = {groups[site.pk].pk: set() for site in sites}
    for site in with_unit:
        wanted[groups[site.pk].pk] |= holders[site.unit.pk]
    through = User.groups.through
    memberships = through.objects.filter(group_id__in=list(wanted))
    if only_users is not None:
        memberships = memberships.filter(user_id__in=sorted(only_users))
    have: dict[int, dict[int, int]] = defaultdict(dict)
    for pk, group_id, user_id in memberships.values_list("pk", "group_id", "user_id"):
        have[group_id][user_id] = pk
    remove: list[int] = []
    add: list = []
    for site in sites:
        group = groups[site.pk]
        current = have.get(group.pk, {})
        added = sorted(wanted[group.pk] - current.keys())
        removed = sorted(current.keys() - wanted[group.pk])
        if not (added or removed):
            continue
        remove.extend(current[user_id] for user_id in removed)
        add.extend(through(group_id=group.pk, user_id=user_id) for user_id in added)
        result.membership[site.pk] = (added, removed)
        result.members_added += len(added)
        result.members_removed += len(removed)
        audit.log(
            group,
            LOG_ACTION,
            by=by,
            title=group.name,
            data={"home_page_id": site.pk, "added_user_ids": added, "removed_user_ids": removed},
        )
    if remove:
        through.objects.filter(pk__in=remove).delete()
    if add:
        through.objects.bulk_create(add, ignore_conflicts=True)


@transaction.atomic
def editor_group_remove(*, home_pk: int) -> int:
    """Delete the editors' group of a home page that is being deleted. Returns how many groups
    went (0 or 1); the site's collection and its files stay for a superuser to move."""
    deleted, _detail = Group.objects.filter(name__endswith=_key(home_pk)).delete()
    return 1 if deleted else 0
