"""Reads of the learning data that the pages and the services share.

Every list here is built in a fixed number of queries however many courses, lessons, enrolments
and completions there are: the lessons of all listed courses in one query, the person's enrolments,
lesson progress and completions in one query each, and the person's requirement status (the
competence ledger's own few queries).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import (
    Count,
    DateField,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from courses import access
from courses.models import (
    Completion,
    CourseIndexPage,
    CoursePage,
    Enrolment,
    LessonPage,
    LessonProgress,
    QuizAttempt,
)
from lms.cacheversion import version_get, version_move
from lms.competence.models import Competence
from lms.competence.selectors.status import (
    CompetenceStatus,
    Status,
    competence_status_for_person,
)
from lms.people.models import Person
from lms.site.selectors.site import SITE_CACHE_SECONDS, site_cache_version

# A completion may be renewed from this many days before it runs out (recertification).
RECERTIFY_WITHIN_DAYS = 60

LEARNER_VERSION_KEY = "courses.learner.version:{person_id}"


def learner_version(*, person_id: int) -> int:
    """The version of what the learner pages cache of a person's learning (their enrolments,
    lessons done, quiz attempts, completions): courses.signals calls learner_forget() whenever
    any of those changes, so that the next view reads afresh."""
    return version_get(LEARNER_VERSION_KEY.format(person_id=person_id))


def learner_forget(*, person_id: int) -> None:
    version_move(LEARNER_VERSION_KEY.format(person_id=person_id))


class LearnerCache:
    """What a learner page caches of `person` for `what` (a course, a lesson), read in one round
    trip with the person's learner version and any `also` keys (found in `.also`). `.value` is
    what was stored (MISSING if nothing, or if it was stored under another version); store()
    keeps a value read since, under the versions read here, before it.

    Valid while neither the site cache's version (any page's change: a course's audience, its
    lessons, its state) nor the person's learner version (their progress) has moved since it was
    stored. The key names what decides whether the person may take a course (active, their
    unit's place in the tree, their job category), read with the user on every request, so that
    a move or a new job counts at once."""

    MISSING = object()

    def __init__(self, *, request, person: Person, what: str, also=()):
        version_key = LEARNER_VERSION_KEY.format(person_id=person.pk)
        self.key = (
            f"courses.learner:{person.pk}:{int(person.active)}:{person.org_unit.path}:"
            f"{person.job_category_id}:{what}"
        )
        site_version = site_cache_version(request=request)
        self.also = cache.get_many([version_key, self.key, *also])
        version = self.also.get(version_key)
        if version is None:
            version = learner_version(person_id=person.pk)
        self.stamp = (site_version, version)
        entry = self.also.get(self.key)
        self.value = entry[1] if entry is not None and entry[0] == self.stamp else self.MISSING

    def store(self, value) -> None:
        cache.set(self.key, (self.stamp, value), SITE_CACHE_SECONDS)


def course_lessons(course: CoursePage) -> list[LessonPage]:
    """The live lessons of a course in page order (one query)."""
    return list(LessonPage.objects.live().child_of(course).order_by("path"))


def course_lessons_done(
    course: CoursePage, *, person: Person | None
) -> tuple[list[LessonPage], set[int]]:
    """The live lessons of a course in page order and the ids of those `person` has done, in
    one query (whether each is done is an EXISTS on the person's progress in this course).
    Without their body: a list of lessons shows their titles and links (and the course page
    keeps it in the learner cache)."""
    lessons = LessonPage.objects.live().child_of(course).defer("body").order_by("path")
    if person is None:
        return list(lessons), set()
    lessons = list(
        lessons.annotate(
            is_done=Exists(
                LessonProgress.objects.filter(
                    lesson=OuterRef("pk"), enrolment__person=person, enrolment__course=course
                )
            )
        )
    )
    return lessons, {lesson.pk for lesson in lessons if lesson.is_done}


def _live_lesson_ids_by_course_path() -> dict[str, list[int]]:
    """course page path -> its live lesson ids in page order, for every course, from the site
    cache: any page's change (a lesson published, unpublished, moved or deleted) gives the cache a
    new version (lms.site.signals). One query when the cache is cold."""
    key = f"courses.lesson_ids:{site_cache_version()}"
    result = cache.get(key)
    if result is None:
        step = LessonPage.steplen
        result = {}
        for pk, path in LessonPage.objects.live().order_by("path").values_list("pk", "path"):
            result.setdefault(path[:-step], []).append(pk)
        cache.set(key, result, SITE_CACHE_SECONDS)
    return result


@dataclass(frozen=True)
class _LiveCourse:
    course: CoursePage
    unit_ids: frozenset[int]
    category_ids: frozenset[int]


def _live_courses_cached() -> list[_LiveCourse]:
    """Every live course in page order with its audience (unit and job category ids), from the
    site cache: a course's change (published, unpublished, moved, deleted, its audience) gives
    the cache a new version (lms.site.signals; an audience row deleted with its unit or job
    category: courses.apps). Three queries when the cache is cold."""
    key = f"courses.live:{site_cache_version()}"
    result = cache.get(key)
    if result is None:
        courses = list(CoursePage.objects.live().order_by("path"))
        ids = [course.pk for course in courses]
        units: dict[int, set[int]] = {}
        categories: dict[int, set[int]] = {}
        for course_id, unit_id in CoursePage.audience_units.through.objects.filter(
            coursepage_id__in=ids
        ).values_list("coursepage_id", "orgunit_id"):
            units.setdefault(course_id, set()).add(unit_id)
        for course_id, category_id in CoursePage.job_categories.through.objects.filter(
            coursepage_id__in=ids
        ).values_list("coursepage_id", "jobcategory_id"):
            categories.setdefault(course_id, set()).add(category_id)
        result = [
            _LiveCourse(
                course,
                frozenset(units.get(course.pk, ())),
                frozenset(categories.get(course.pk, ())),
            )
            for course in courses
        ]
        cache.set(key, result, SITE_CACHE_SECONDS)
    return result


def _courses_in_audience(person: Person, live: list[_LiveCourse]) -> list[CoursePage]:
    """The courses of `live` whose audience holds `person` (access.audience_holds): one query
    for the person's units, none for the courses."""
    if not person.active:
        return []
    person_units = access.person_unit_ids(person)
    return [
        row.course
        for row in live
        if access.audience_holds(
            person, person_units=person_units, unit_ids=row.unit_ids, category_ids=row.category_ids
        )
    ]


def _lesson_ids_by_course(courses: list[CoursePage]) -> dict[int, list[int]]:
    """course id -> its live lesson ids in page order, for many courses (from the site cache)."""
    if not courses:
        return {}
    by_path = _live_lesson_ids_by_course_path()
    return {course.pk: list(by_path.get(course.path, ())) for course in courses}


def course_lessons_cached(course_path: str) -> list[LessonPage]:
    """The live lessons of the course at `course_path` in page order, without their body (what
    a lesson's pager and a list of lessons show), from the site cache (see
    _live_lesson_ids_by_course_path). One query when the cache is cold."""
    key = f"courses.lessons:{site_cache_version()}:{course_path}"
    lessons = cache.get(key)
    if lessons is None:
        lessons = list(
            LessonPage.objects.live()
            .filter(path__startswith=course_path, depth=len(course_path) // LessonPage.steplen + 1)
            .defer("body")
            .order_by("path")
        )
        cache.set(key, lessons, SITE_CACHE_SECONDS)
    return lessons


def lesson_course(
    *, lesson: LessonPage, person: Person | None
) -> tuple[CoursePage | None, list[LessonPage]]:
    """For a lesson's page: its course if `person` may take it (access.courses_for_person; else
    None) and the course's live lessons in page order (course_lessons_cached). The course
    carries `lessons_done`, how many of those lessons the person has done, and `lesson_done`,
    whether they have done `lesson`: one query."""
    course_path = lesson.path[: -LessonPage.steplen]
    lessons = course_lessons_cached(course_path)
    if person is None:
        return None, lessons
    ids = [item.pk for item in lessons]
    progress = LessonProgress.objects.filter(
        enrolment__person=person, enrolment__course=OuterRef("pk")
    )
    done_count = (
        Coalesce(
            Subquery(
                progress.filter(lesson_id__in=ids)
                .values("enrolment")
                .annotate(n=Count("pk"))
                .values("n")
            ),
            0,
        )
        if ids
        else Value(0)
    )
    course = (
        access.courses_for_person(person, CoursePage.objects.filter(path=course_path))
        # The lesson shows the course's title and address, never its quiz (kept in the cache).
        .defer("quiz")
        .annotate(lessons_done=done_count, lesson_done=Exists(progress.filter(lesson=lesson)))
        .first()
    )
    return course, lessons


_ENROLMENT_FIELDS = [f.attname for f in Enrolment._meta.concrete_fields]
_COMPETENCE_FIELDS = [f.attname for f in Competence._meta.concrete_fields]


def learner_course(*, course: CoursePage, person: Person | None) -> tuple[bool, Enrolment | None]:
    """Whether `person` may take `course` (access.person_may_take_course's answer) and, when they
    may, their enrolment in it (None: not started), in one query. The course's competence comes
    with it and is set on `course`, so that the page shows its name without another read. The
    enrolment carries `has_completions` and `has_attempts`: whether there is anything to read of
    either (the course page reads neither for a learner who has not yet taken the quiz)."""
    if person is None or not course.live:
        return False, None
    mine = Q(enrolment__person=person, enrolment__course=OuterRef("pk"))
    query = (
        access.courses_for_person(person, CoursePage.objects.filter(pk=course.pk))
        .annotate(
            mine=FilteredRelation("enrolments", condition=Q(enrolments__person=person)),
            has_completions=Exists(Completion.objects.filter(mine)),
            has_attempts=Exists(QuizAttempt.objects.filter(mine)),
        )
        .values_list(
            *(f"mine__{name}" for name in _ENROLMENT_FIELDS),
            *(f"competence__{name}" for name in _COMPETENCE_FIELDS),
            "has_completions",
            "has_attempts",
        )
    )
    row = next(iter(query), None)
    if row is None:
        return False, None
    size, more = len(_ENROLMENT_FIELDS), len(_COMPETENCE_FIELDS)
    enrolment_row, competence_row = row[:size], row[size : size + more]
    if course.competence_id is not None and competence_row[0] == course.competence_id:
        course.competence = Competence.from_db(query.db, _COMPETENCE_FIELDS, competence_row)
    enrolment = None
    if enrolment_row[0] is not None:
        enrolment = Enrolment.from_db(query.db, _ENROLMENT_FIELDS, enrolment_row)
        enrolment.has_completions, enrolment.has_attempts = row[size + more :]
    return True, enrolment


def enrolment_for(*, person: Person | None, course: CoursePage) -> Enrolment | None:
    if person is None:
        return None
    return Enrolment.objects.filter(person=person, course=course).first()


def lessons_done_ids(*, enrolment: Enrolment | None) -> set[int]:
    if enrolment is None:
        return set()
    return set(enrolment.lessons_done.values_list("lesson_id", flat=True))


def resume_lesson(
    *, lessons: list[LessonPage], done_ids: set[int], last_lesson_id: int | None
) -> LessonPage | None:
    """Where to go on: the first lesson not done after the last one worked on, else the first
    not done at all; None when every lesson is done (the quiz is next)."""
    ids = [lesson.pk for lesson in lessons]
    start = ids.index(last_lesson_id) + 1 if last_lesson_id in ids else 0
    for lesson in lessons[start:] + lessons[:start]:
        if lesson.pk not in done_ids:
            return lesson
    return None


def latest_completion(*, enrolment: Enrolment) -> Completion | None:
    return enrolment.completions.select_related("attempt").order_by("-completed_on", "-pk").first()


def renewal_open(completion: Completion | None, *, today: dt.date | None = None) -> bool:
    """May the course be taken (again)? Never completed, or the completion runs out within
    RECERTIFY_WITHIN_DAYS days or has run out. A completion that never expires is final."""
    if completion is None:
        return True
    if completion.valid_until is None:
        return False
    today = today or timezone.localdate()
    return completion.valid_until - dt.timedelta(days=RECERTIFY_WITHIN_DAYS) <= today


@dataclass
class CourseEntry:
    """One course as a person sees it in the catalogue or on Min læring."""

    course: CoursePage
    lessons_total: int = 0
    lessons_done: int = 0
    enrolment: Enrolment | None = None
    completion: Completion | None = None
    # From the person's requirement for the course's competence (None: no requirement).
    status: str | None = None
    status_valid_until: dt.date | None = None
    status_due_on: dt.date | None = None
    today: dt.date = field(default_factory=timezone.localdate)
    # The course's URL, when the view has it from the site cache (the templates fall back to
    # {% pageurl %}).
    url: str | None = None

    @property
    def required(self) -> bool:
        """Flagged required by the editor, or it earns a competence the person must hold."""
        return self.course.required or self.status is not None

    @property
    def due_on(self) -> dt.date | None:
        """The deadline from the person's requirement status (CompetenceStatus.due_on): the last
        valid day of their evidence for the course's competence, or, when they have none, the
        day the requirement came to apply to them. None without a requirement, or when their
        evidence never expires."""
        if self.status is None:
            return None
        if self.status == Status.MISSING:
            return self.status_due_on or self.today
        return self.status_valid_until

    @property
    def overdue(self) -> bool:
        return self.status == Status.EXPIRED

    @property
    def completed(self) -> bool:
        c = self.completion
        return c is not None and (c.valid_until is None or c.valid_until >= self.today)

    @property
    def in_progress(self) -> bool:
        return self.enrolment is not None and self.completion is None

    @property
    def percent(self) -> int:
        if not self.lessons_total:
            return 0
        return round(100 * self.lessons_done / self.lessons_total)


def _entries(
    person: Person | None,
    courses: list[CoursePage],
    today: dt.date,
    *,
    statuses: list[CompetenceStatus] | None = None,
    completions: list[Completion] | None = None,
) -> list[CourseEntry]:
    """The entries of `courses` for `person`: the live lessons of all from the site cache, the
    person's enrolments with their count of live lessons done and (unless `completions`, every
    completion of the person newest first, is given) each one's latest completion's dates in one
    query, and their competence status (read here unless `statuses` is given)."""
    lessons = _lesson_ids_by_course(courses)
    entries = {
        c.pk: CourseEntry(course=c, lessons_total=len(lessons.get(c.pk, [])), today=today)
        for c in courses
    }
    if person is None or not courses:
        return list(entries.values())
    # A lesson done counts while it is a live lesson of the course: the same pages as
    # _lesson_ids_by_course's, so that the count never exceeds lessons_total.
    live_lesson_done = Q(
        lessons_done__lesson__live=True,
        lessons_done__lesson__depth=F("course__depth") + 1,
        lessons_done__lesson__path__startswith=F("course__path"),
    )
    enrolments = Enrolment.objects.filter(person=person, course__in=list(entries)).annotate(
        live_lessons_done=Count("lessons_done", filter=live_lesson_done)
    )
    if completions is None:
        # Each enrolment's latest completion (Completion's own order), in the same query: what
        # an entry shows of it is its two dates.
        latest = Completion.objects.filter(enrolment=OuterRef("pk")).order_by(
            "-completed_on", "-pk"
        )
        enrolments = enrolments.annotate(
            latest_completion_pk=Subquery(latest.values("pk")[:1]),
            latest_completed_on=Subquery(latest.values("completed_on")[:1]),
            latest_valid_until=Subquery(latest.values("valid_until")[:1]),
        )
        completions = []
    for enrolment in enrolments:
        entry = entries[enrolment.course_id]
        entry.enrolment, entry.lessons_done = enrolment, enrolment.live_lessons_done
        if getattr(enrolment, "latest_completion_pk", None) is not None:
            entry.completion = Completion(
                pk=enrolment.latest_completion_pk,
                enrolment=enrolment,
                completed_on=enrolment.latest_completed_on,
                valid_until=enrolment.latest_valid_until,
            )
    for completion in completions:  # newest first
        entry = entries.get(completion.enrolment.course_id)
        if entry is not None and entry.completion is None:
            entry.completion = completion
    if statuses is None:
        statuses = competence_status_for_person(person=person)
    by_competence = {s.competence.pk: s for s in statuses}
    for entry in entries.values():
        status = by_competence.get(entry.course.competence_id)
        if status is not None:
            entry.status, entry.status_valid_until = status.status, status.valid_until
            entry.status_due_on = status.due_on
    return list(entries.values())


def _sort_key(entry: CourseEntry):
    return (not entry.required, entry.course.title.lower(), entry.course.pk)


def catalogue_for(
    *, index: CourseIndexPage, person: Person | None, today: dt.date | None = None
) -> list[CourseEntry]:
    """The live courses of a catalogue for `person` (their audience only), required first, then
    by title. Without a person (a visitor who is not signed in): every live course, no progress.
    """
    today = today or timezone.localdate()
    # The index's live children, from the site cache with their audience.
    live = [
        row
        for row in _live_courses_cached()
        if row.course.depth == index.depth + 1 and row.course.path.startswith(index.path)
    ]
    if person is not None:
        courses = _courses_in_audience(person, live)
    else:
        courses = [row.course for row in live]
    return sorted(_entries(person, courses, today), key=_sort_key)


@dataclass(frozen=True)
class MyLearning:
    # Required courses of their audience not started yet (started ones are in_progress).
    due: list[CourseEntry]
    in_progress: list[CourseEntry]
    completions: list[Completion]

    @property
    def required(self) -> list[CourseEntry]:
        """Every required course still to complete, started or not, soonest deadline first (a
        start page's "my required courses")."""
        started = [e for e in self.in_progress if e.required and e.course.in_audience]
        return sorted(
            self.due + started,
            key=lambda e: (e.due_on is None, e.due_on or e.today, e.course.title.lower()),
        )


def my_learning(
    *,
    person: Person,
    today: dt.date | None = None,
    statuses: list[CompetenceStatus] | None = None,
) -> MyLearning:
    """The person's own learning: what is due or overdue (required courses of their audience),
    courses in progress with their progress, and every completion with its dates. `statuses`:
    the person's competence status when the caller has it already (Min side)."""
    today = today or timezone.localdate()
    # Every completion, newest first: listed below, and each course's latest for its entry.
    completions = list(
        Completion.objects.filter(enrolment__person=person)
        .select_related("enrolment__course")
        .order_by("-completed_on", "-pk")
    )
    # Every live course (the site cache), of their audience or enrolled in: _entries reads the
    # enrolments of all of them, and what is neither is left out.
    rows = _live_courses_cached()
    live = [row.course for row in rows]
    in_audience = {course.pk for course in _courses_in_audience(person, rows)}
    for course in live:
        course.in_audience = course.pk in in_audience
    entries = [
        entry
        for entry in _entries(person, live, today, statuses=statuses, completions=completions)
        if entry.course.in_audience or entry.enrolment is not None
    ]
    # A course they have started and not completed is in progress, required or not (with its
    # deadline shown there); "due" is what they have still to start. Only courses of their
    # audience are due: one they enrolled in before moving unit is not.
    in_progress = sorted(
        (e for e in entries if e.in_progress),
        key=lambda e: e.enrolment.started_at,
        reverse=True,
    )
    started = {e.course.pk for e in in_progress}
    due = sorted(
        (
            e
            for e in entries
            if e.required
            and not e.completed
            and e.course.in_audience
            and e.course.pk not in started
        ),
        key=lambda e: (e.due_on is None, e.due_on or today, e.course.title.lower()),
    )
    for completion in completions:
        completion.expired = completion.valid_until is not None and completion.valid_until < today
    return MyLearning(due=due, in_progress=in_progress, completions=completions)


@dataclass(frozen=True)
class RequiredCourse:
    """One required course still to complete, as a start page lists it."""

    pk: int
    title: str
    url_path: str
    due_on: dt.date | None
    overdue: bool
    in_progress: bool
    percent: int


@dataclass(frozen=True)
class RequiredCourses:
    # MyLearning.required's courses in its order, with what a start page shows of each.
    required: list[RequiredCourse]
    # How many courses are in progress (len(MyLearning.in_progress)).
    in_progress_count: int


# A completion that never expires, in the read below (NULL there means no completion).
_NEVER = dt.date(9999, 12, 31)
# What a start page shows of a course.
_COURSE_FIELDS = ("pk", "title", "url_path", "path", "required", "competence_id")


def _audience_courses(person: Person) -> list[tuple]:
    """The live courses whose audience holds `person` (_courses_in_audience, on the catalogue's
    cached courses), in page order, as _COURSE_FIELDS tuples, from the site cache. Shared by
    everyone of the same unit and job category; the key holds all the answer depends on besides
    the pages: any page's change (a course published, its audience or title changed, moved,
    deleted) gives the cache a new version (lms.site.signals), and so does the deletion of a unit
    or a job category (which takes their rows out of the courses' audiences). One query (the
    person's units) when the cache is cold."""
    key = (
        f"courses.audience:{site_cache_version()}:{int(person.active)}:{person.org_unit_id}"
        f":{person.org_unit.path}:{person.job_category_id}"
    )
    rows = cache.get(key)
    if rows is None:
        rows = [
            tuple(getattr(course, name) for name in _COURSE_FIELDS)
            for course in _courses_in_audience(person, _live_courses_cached())
        ]
        cache.set(key, rows, SITE_CACHE_SECONDS)
    return rows


def required_courses(
    *,
    person: Person,
    statuses: list[CompetenceStatus],
    today: dt.date | None = None,
) -> RequiredCourses:
    """my_learning(...).required and the number of courses in progress, as Min side shows them
    (the same answer as my_learning's three queries): the live courses of the person's audience
    from the site cache (_audience_courses), and in one query the person's enrolments in live
    courses, each with how many of the course's live lessons they have done and their latest
    completion's last valid day, as tuples. The lessons of each course come from the site cache
    (_live_lesson_ids_by_course_path), and `statuses` is the person's competence status
    (competence_status_for_request)."""
    today = today or timezone.localdate()
    progress = LessonProgress.objects.filter(
        enrolment=OuterRef("pk"),
        # As _entries counts them: the course's live lessons only.
        lesson__live=True,
        lesson__depth=OuterRef("course__depth") + 1,
        lesson__path__startswith=OuterRef("course__path"),
    )
    latest = Completion.objects.filter(enrolment=OuterRef("pk")).order_by("-completed_on", "-pk")
    enrolled = (
        Enrolment.objects.filter(person=person, course__live=True)
        .annotate(
            done=Coalesce(
                Subquery(
                    progress.order_by().values("enrolment").annotate(n=Count("pk")).values("n")
                ),
                0,
            ),
            completion_until=Subquery(
                latest.annotate(
                    until=Coalesce("valid_until", Value(_NEVER, output_field=DateField()))
                ).values("until")[:1]
            ),
        )
        .order_by()
        .values_list(
            *(f"course__{name}" for name in _COURSE_FIELDS),
            "started_at",
            "done",
            "completion_until",
        )
    )
    audience = _audience_courses(person)
    in_audience = {row[0] for row in audience}
    # course id -> (its fields, in its audience, started at, lessons done, completion's end)
    courses = {row[0]: (row, True, None, 0, None) for row in audience}
    size = len(_COURSE_FIELDS)
    for row in enrolled:
        courses[row[0]] = (row[:size], row[0] in in_audience, *row[size:])
    rows = sorted(courses.values(), key=lambda item: item[0][3])  # page order (path)
    by_competence = {s.competence.pk: s for s in statuses}
    lessons = _live_lesson_ids_by_course_path()
    due: list[RequiredCourse] = []
    # The required ones of the courses in progress, with when each was started.
    started: list[tuple[dt.datetime, RequiredCourse]] = []
    in_progress_count = 0
    for (
        (pk, title, url_path, path, required, competence_id),
        is_in_audience,
        started_at,
        done,
        completion_until,
    ) in rows:
        # As CourseEntry's in_progress, completed, required, due_on and overdue.
        in_progress = started_at is not None and completion_until is None
        in_progress_count += in_progress
        status = by_competence.get(competence_id)
        if not is_in_audience or not (required or status is not None):
            continue
        if completion_until is not None and completion_until >= today:
            continue
        if status is None:
            due_on = None
        elif status.status == Status.MISSING:
            due_on = status.due_on or today
        else:
            due_on = status.valid_until
        total = len(lessons.get(path, ()))
        entry = RequiredCourse(
            pk=pk,
            title=title,
            url_path=url_path,
            due_on=due_on,
            overdue=status is not None and status.status == Status.EXPIRED,
            in_progress=in_progress,
            percent=round(100 * done / total) if in_progress and total else 0,
        )
        if in_progress:
            started.append((started_at, entry))
        else:
            due.append(entry)

    def key(entry: RequiredCourse):
        return (entry.due_on is None, entry.due_on or today, entry.title.lower())

    # my_learning's order: what is due by deadline, then what is started newest first, all of
    # it sorted by deadline (a stable sort keeps those orders among equal deadlines).
    started.sort(key=lambda item: item[0], reverse=True)
    return RequiredCourses(
        required=sorted([*sorted(due, key=key), *(entry for _, entry in started)], key=key),
        in_progress_count=in_progress_count,
    )
