"""Courses as items a newsletter (or any page) may point at (lms.site.teasers): a live, public
course page; one query for all the ids (page addresses come from Wagtail's cached site roots)."""

from __future__ import annotations

from collections.abc import Collection

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from courses.models import CoursePage
from lms.mail import absolute_url
from lms.site.teasers import Kind, Teaser, kind_register


def _courses():
    return CoursePage.objects.live().public()


def course_choices() -> list[tuple[int, str]]:
    return list(_courses().order_by("title", "pk").values_list("pk", "title"))


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
