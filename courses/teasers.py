"""Courses as items a newsletter (or any page) may point at (lms.site.teasers): a live, public
course page; one query for all the ids (page addresses come from Wagtail's cached site roots).
The chooser offers an editor the courses of their own site (its home page's Infohus unit in their
PAGE_EDIT scope)."""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from courses.models import CoursePage
from lms.mail import absolute_url
from lms.people import policy
from lms.site.models import HomePage
from lms.site.teasers import Kind, Teaser, kind_register


def _courses():
    return CoursePage.objects.live().public()


def course_choices(user=None) -> list[tuple[int, str]]:
    """The live, public courses of the sites whose Infohus unit lies in `user`'s PAGE_EDIT scope
    (their own site: another municipality's courses are not offered; None: the system, all)."""
    courses = _courses()
    if user is not None and not policy.is_superuser(user):
        homes = HomePage.objects.filter(policy.scope_q(user, policy.Action.PAGE_EDIT))
        if not getattr(user, "is_active", False) or not homes.exists():
            return []
        courses = courses.filter(_below_any(homes))
    return list(courses.order_by("title", "pk").values_list("pk", "title"))


def _below_any(homes) -> Q:
    q = Q(pk__in=[])
    for home in homes:
        q |= Q(path__startswith=home.path, depth__gt=home.depth)
    return q


def _url(course: CoursePage) -> str:
    parts = course.get_url_parts()
    return absolute_url(parts[2]) if parts is not None else ""


def course_teasers(ids: Collection[int]) -> dict[int, Teaser]:
    found = {}
    for course in _courses().filter(pk__in=list(ids)):
        url = _url(course)
        if not url:
            continue
        minutes = course.estimated_minutes
        duration = ngettext("About %(n)d minute", "About %(n)d minutes", minutes) % {"n": minutes}
        found[course.pk] = Teaser(
            title=course.title,
            url=url,
            line=" ".join(course.summary.split()),
            facts=(duration,),
        )
    return found


def register() -> None:
    """CoursesConfig.ready()."""
    kind_register(
        Kind(
            "course",
            _("Courses"),
            course_choices,
            course_teasers,
            item_label=_("Course"),
            order=20,
        )
    )
