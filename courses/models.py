"""Micro-courses: Wagtail pages for the content, plain models for each learner's way through them.

CourseIndexPage (the catalogue) > CoursePage (summary, audience, the competence it earns, the quiz)
> LessonPage (the lessons, in page order). Progress is kept per person: an Enrolment, the lessons
done, the quiz attempts and the completions. An attempt and a completion point at the course's
page revision they were made on (wagtailcore.Revision), so editing a course never rewrites history:
the questions an attempt was scored against are in that revision. courses.services.courses makes
every change; the competence ledger is written through lms.competence.services.evidence only.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, Revision
from wagtail.search import index

from courses.blocks import LessonBodyBlock, QuizBlock
from lms import bounds
from lms.competence.models import Competence, Evidence
from lms.people.models import JobCategory, OrgUnit, Person
from lms.site.blocks import RICH_TEXT_FEATURES
from lms.site.models import SiteCachedRouteMixin


class CourseIndexPage(SiteCachedRouteMixin, Page):
    """The course catalogue: what each person sees is filtered for their audience. Routed from the
    site cache (lms.site.selectors.routes)."""

    intro = RichTextField(_("intro"), blank=True, features=RICH_TEXT_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    parent_page_types = ["site.HomePage"]
    subpage_types = ["courses.CoursePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("course catalogue")
        verbose_name_plural = _("course catalogues")

    def serve(self, request, *args, **kwargs):
        # The catalogue for the person asking: courses.views.courses decides what they see.
        from courses.views.courses import course_index_page

        return course_index_page(request, self)


class CoursePageForm(WagtailAdminPageForm):
    """Offers as audience only the units the author edits pages for (their municipality), plus
    any already chosen, so that one municipality's course is never aimed at another's staff."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from lms.people import policy

        field = self.fields.get("audience_units")
        user = self.for_user
        if field is None or user is None or user.is_superuser:
            return
        chosen = self.instance.audience_units.all() if self.instance.pk else OrgUnit.objects.none()
        field.queryset = (
            (
                policy.org_units(user, policy.Action.PAGE_EDIT)
                | OrgUnit.objects.filter(pk__in=chosen)
            )
            .distinct()
            .order_by("path")
        )


class CoursePage(SiteCachedRouteMixin, Page):
    summary = models.TextField(_("summary"), max_length=600)
    estimated_minutes = models.PositiveSmallIntegerField(
        _("estimated minutes"), validators=[MinValueValidator(1), MaxValueValidator(240)]
    )
    # The audience, like a meeting's: each unit covers its subtree; no job categories = all.
    audience_units = ParentalManyToManyField(
        OrgUnit,
        blank=True,
        related_name="+",
        verbose_name=_("audience units"),
        help_text=_("Each unit includes the units below it. Leave empty for everyone."),
    )
    job_categories = ParentalManyToManyField(
        JobCategory,
        blank=True,
        related_name="+",
        verbose_name=_("job categories"),
        help_text=_("Leave empty for every job category."),
    )
    competence = models.ForeignKey(
        Competence,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("competence earned"),
    )
    required = models.BooleanField(
        _("required course"),
        default=False,
        help_text=_("Shown first in the catalogue of its audience."),
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"), default=80, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    attempts_allowed = models.PositiveSmallIntegerField(
        _("attempts allowed"),
        null=True,
        blank=True,
        validators=bounds.ATTEMPTS.validators(),
        help_text=_("Leave empty for unlimited attempts."),
    )
    quiz = StreamField(QuizBlock(), blank=True, verbose_name=_("quiz"))

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("estimated_minutes"),
        MultiFieldPanel(
            [FieldPanel("audience_units"), FieldPanel("job_categories"), FieldPanel("required")],
            heading=_("Audience"),
        ),
        MultiFieldPanel(
            [FieldPanel("competence"), FieldPanel("pass_mark"), FieldPanel("attempts_allowed")],
            heading=_("Completion"),
        ),
        FieldPanel("quiz"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary")]
    base_form_class = CoursePageForm

    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.LessonPage"]

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def serve(self, request, *args, **kwargs):
        # Lessons, progress and the quiz are only for the course's audience (courses.views.courses).
        from courses.views.courses import course_page

        return course_page(request, self)

    def serve_preview(self, request, mode_name):
        # Wagtail 8 renders a preview (view draft, a revision, the editor's preview panel) from
        # the template and get_context() alone, without serve(): the view knows what a preview
        # shows (request.is_preview), and the lesson's template needs its course.
        return self.serve(request)


class LessonPage(SiteCachedRouteMixin, Page):
    body = StreamField(LessonBodyBlock(), verbose_name=_("body"))

    content_panels = [*Page.content_panels, FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("body")]

    parent_page_types = ["courses.CoursePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    def serve(self, request, *args, **kwargs):
        # Signed-in members of the course's audience only (courses.views.courses).
        from courses.views.courses import lesson_page

        return lesson_page(request, self)

    def serve_preview(self, request, mode_name):
        # Wagtail 8 renders a preview (view draft, a revision, the editor's preview panel) from
        # the template and get_context() alone, without serve(): the view knows what a preview
        # shows (request.is_preview), and the lesson's template needs its course.
        return self.serve(request)


class Enrolment(models.Model):
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("person")
    )
    course = models.ForeignKey(
        CoursePage, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("course")
    )
    started_at = models.DateTimeField(_("started at"))
    # Where to resume.
    last_lesson = models.ForeignKey(
        LessonPage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last lesson"),
    )

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["person", "course"], name="enrolment_once"),
        ]

    def __str__(self):
        return f"enrolment #{self.pk}"


class LessonProgress(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="lessons_done")
    lesson = models.ForeignKey(LessonPage, on_delete=models.CASCADE, related_name="+")
    completed_at = models.DateTimeField(_("completed at"))

    class Meta:
        verbose_name = _("lesson progress")
        verbose_name_plural = _("lesson progress")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "lesson"], name="lessonprogress_once"),
        ]


class QuizAttempt(models.Model):
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, related_name="attempts", verbose_name=_("enrolment")
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    # The course revision whose questions this attempt shows and is scored against.
    revision = models.ForeignKey(
        Revision, on_delete=models.PROTECT, related_name="+", verbose_name=_("course revision")
    )
    # The order shown: [{"question": <block id>, "choices": [<choice ids>]}, ...]
    layout = models.JSONField(_("layout"), default=list)
    # {<question block id>: [<choice ids chosen>]}
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    started_at = models.DateTimeField(_("started at"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    score = models.DecimalField(
        _("score (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    passed = models.BooleanField(_("passed"), null=True, blank=True)

    class Meta:
        ordering = ["enrolment", "number"]
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "number"], name="quizattempt_number"),
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=Q(submitted_at__isnull=True),
                name="quizattempt_one_open",
            ),
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True, score__isnull=True, passed__isnull=True)
                | Q(submitted_at__isnull=False, score__isnull=False, passed__isnull=False),
                name="quizattempt_scored_when_submitted",
            ),
        ]

    def __str__(self):
        return f"quiz attempt #{self.pk}"


class Completion(models.Model):
    """A course completed: the certificate. Completing again after expiry is a new row, with a
    new certificate and its own dates."""

    enrolment = models.ForeignKey(
        Enrolment,
        on_delete=models.PROTECT,
        related_name="completions",
        verbose_name=_("enrolment"),
    )
    attempt = models.OneToOneField(
        QuizAttempt,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="completion",
        verbose_name=_("passing attempt"),
    )
    revision = models.ForeignKey(
        Revision, on_delete=models.PROTECT, related_name="+", verbose_name=_("course revision")
    )
    completed_on = models.DateField(_("completed on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    evidence = models.OneToOneField(
        Evidence,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="course_completion",
        verbose_name=_("evidence"),
    )
    # Printed on the certificate and checked on the public verification page.
    certificate_code = models.CharField(_("verification code"), max_length=20, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-completed_on", "-pk"]
        verbose_name = _("completion")
        verbose_name_plural = _("completions")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_until__gte=models.F("completed_on")),
                name="completion_valid_after_completed",
            ),
        ]

    def __str__(self):
        return f"completion #{self.pk}"
