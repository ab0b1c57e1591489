"""The learner's pages: the catalogue, a course, a lesson (Wagtail pages served through the
functions below), Min læring, the quiz and its result.

Who may see or do what is decided by courses.access; the writes are courses.services; the
reads are courses.selectors. A course of someone else's audience, or someone else's attempt, is a
404: its existence is nobody else's business.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.models import Page, Site

from courses import access
from courses.forms.quiz import QuizForm
from courses.models import CourseIndexPage, CoursePage, LessonPage
from courses.selectors import courses as selectors
from courses.selectors import quiz as quiz_selectors
from courses.services import courses as services
from courses.services import quiz as quiz_services
from lms.parsing import parse_id
from lms.people import policy
from lms.site.selectors.site import SITE_CACHE_SECONDS, site_cache_version


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _is_preview(request) -> bool:
    return bool(getattr(request, "is_preview", False))


def _page_response(request, page, extra: dict) -> TemplateResponse:
    context = page.get_context(request)
    context.update(extra)
    return TemplateResponse(request, page.get_template(request), context)


def _catalogue_url(request) -> str | None:
    """The catalogue's address on this site, from the site cache: any page's change (a new
    catalogue, a slug, unpublishing) gives the cache a new version (lms.site.signals)."""
    key = f"courses.catalogue_url:{site_cache_version(request=request)}:{request.get_host()}"
    url = cache.get(key)
    if url is None:
        site = Site.find_for_request(request)
        index = CourseIndexPage.objects.live()
        if site is not None:
            index = index.in_site(site)
        index = index.first()
        # "" for "none": a site without a catalogue is remembered too.
        url = (index.get_url(request) or "") if index is not None else ""
        cache.set(key, url, SITE_CACHE_SECONDS)
    return url or None


def _course_or_404(request, course_id: int) -> CoursePage:
    """A live course the signed-in user may take, else 404."""
    course = CoursePage.objects.live().filter(pk=course_id).first()
    if course is None or not access.may_take_course(request.user, course):
        raise Http404
    return course


def _parent_url(request, page) -> str | None:
    """The URL of the page's parent (a course's catalogue) from the site cache: any page's change
    (a slug, a move, unpublishing) gives the cache a new version (lms.site.signals)."""
    parent_path = page.path[: -page.steplen]
    key = (
        f"courses.parent_url:{site_cache_version(request=request)}:{request.get_host()}:"
        f"{parent_path}"
    )
    cached = cache.get(key)
    if cached is None:
        parent = Page.objects.filter(path=parent_path).first()
        cached = (parent.get_url(request) if parent is not None else None,)
        cache.set(key, cached, SITE_CACHE_SECONDS)
    return cached[0]


def _course_urls(request, courses) -> dict[int, str | None]:
    """course id -> its URL as {% pageurl %} gives it on this request's site, from the site
    cache (one round trip for all): any page's change (a slug, a move) gives the cache a new
    version (lms.site.signals). Only what is not cached yet is worked out, by Wagtail."""
    prefix = f"courses.url:{site_cache_version(request=request)}:{request.get_host()}:"
    by_key = {f"{prefix}{course.pk}": course for course in courses}
    if not by_key:
        return {}
    found = cache.get_many(list(by_key))
    missing = {
        key: (course.get_url(request),) for key, course in by_key.items() if key not in found
    }
    if missing:
        cache.set_many(missing, SITE_CACHE_SECONDS)
        found.update(missing)
    return {course.pk: found[key][0] for key, course in by_key.items()}


_UNREAD = object()


def _course_reads(course: CoursePage, *, person, enrolment) -> dict:
    """What the course page and the quiz page read of where the person stands: the lessons with
    what is done (one query), the enrolment's latest completion and its attempts (one each, and
    only when the enrolment has any: selectors.learner_course says so; True when not known)."""
    lessons, done_ids = selectors.course_lessons_done(course, person=person)
    completion = None
    attempts = (None, course.attempts_allowed, None)
    if enrolment is not None:
        if getattr(enrolment, "has_completions", True):
            completion = selectors.latest_completion(enrolment=enrolment)
        if getattr(enrolment, "has_attempts", True):
            attempts = quiz_selectors.attempts_state(
                enrolment=enrolment, course=course, completion=completion
            )
    return {
        "lessons": lessons,
        "done_ids": done_ids,
        "enrolment": enrolment,
        "completion": completion,
        "attempts": attempts,
    }


def _course_state(request, course: CoursePage, *, enrolment=_UNREAD, reads=None) -> dict:
    """What the course page and the quiz page say about where the person stands, from
    _course_reads (read here unless given; the enrolment too, unless the caller read it). What
    depends on today (whether a completion may be renewed) is worked out here, never cached."""
    person = policy.person_of(request.user)
    if reads is None:
        if enrolment is _UNREAD:
            enrolment = selectors.enrolment_for(person=person, course=course)
        reads = _course_reads(course, person=person, enrolment=enrolment)
    lessons, done_ids = reads["lessons"], reads["done_ids"]
    enrolment, completion = reads["enrolment"], reads["completion"]
    all_done = all(lesson.pk in done_ids for lesson in lessons)
    state = {
        "person": person,
        "course": course,
        "lessons": [{"page": lesson, "done": lesson.pk in done_ids} for lesson in lessons],
        "lessons_total": len(lessons),
        "lessons_done": sum(1 for lesson in lessons if lesson.pk in done_ids),
        "enrolment": enrolment,
        "all_lessons_done": all_done,
        "resume": None,
        "completion": None,
        "renewal_open": True,
        "open_attempt": None,
        "attempts_remaining": course.attempts_allowed,
        "last_attempt": None,
    }
    if enrolment is not None:
        open_attempt, remaining, last_attempt = reads["attempts"]
        state.update(
            resume=selectors.resume_lesson(
                lessons=lessons, done_ids=done_ids, last_lesson_id=enrolment.last_lesson_id
            ),
            completion=completion,
            renewal_open=selectors.renewal_open(completion),
            open_attempt=open_attempt,
            attempts_remaining=remaining,
            last_attempt=last_attempt,
        )
    elif lessons:
        state["resume"] = lessons[0]
    state["may_start_quiz"] = (
        enrolment is not None
        and all_done
        and state["renewal_open"]
        and state["attempts_remaining"] != 0
    )
    return state


def _learner_course_reads(request, page: CoursePage, person) -> dict | None:
    """The course page's reads for `person` (None: they may not take it), from the learner
    cache (selectors.LearnerCache): an editor's change or the person's progress is seen on the
    very next view."""
    cached = selectors.LearnerCache(request=request, person=person, what=f"course:{page.pk}")
    reads = cached.value
    if reads is cached.MISSING:
        # access.may_take_course's answer, with the enrolment and the competence, in one query.
        allowed, enrolment = selectors.learner_course(course=page, person=person)
        reads = None
        if allowed:
            reads = _course_reads(page, person=person, enrolment=enrolment)
            if page.competence_id is not None and CoursePage.competence.is_cached(page):
                reads["competence"] = page.competence
        cached.store(reads)
    if reads is not None and "competence" in reads and page.competence_id is not None:
        if reads["competence"].pk == page.competence_id:
            page.competence = reads["competence"]
    return reads


def course_index_page(request, page: CourseIndexPage):
    """The catalogue: for a signed-in person, the courses of their audience with their progress
    and due dates; for anyone else, every live course's public summary."""
    person = None if _is_preview(request) else policy.person_of(request.user)
    entries = selectors.catalogue_for(index=page, person=person)
    if not _is_preview(request):
        urls = _course_urls(request, [entry.course for entry in entries])
        for entry in entries:
            entry.url = urls[entry.course.pk]
    return _page_response(request, page, {"person": person, "entries": entries})


def course_page(request, page: CoursePage):
    """A course: its summary for anyone; lessons, progress and the quiz for its audience."""
    catalogue_url = _parent_url(request, page)
    if _is_preview(request):
        lessons = selectors.course_lessons(page)
        return _page_response(
            request,
            page,
            {
                "preview": True,
                "lessons": [{"page": lesson, "done": False} for lesson in lessons],
                "catalogue_url": catalogue_url,
            },
        )
    person = policy.person_of(request.user)
    if person is None:
        # Not signed in, or an account outside the roster: the public summary only.
        return _page_response(request, page, {"public": True, "catalogue_url": catalogue_url})
    reads = _learner_course_reads(request, page, person) if request.user.is_active else None
    if reads is None:
        raise Http404
    state = _course_state(request, page, reads=reads)
    return _page_response(request, page, {**state, "catalogue_url": catalogue_url})


def _lesson_body_key(request, page: LessonPage) -> str:
    """The lesson's body as the page shows it is kept under the site cache's version: any page's
    change gives it a new one, and so does a change of an image or a document (courses.signals).
    Keyed by host (a link to a page is relative to the site serving the request) and language
    (the blocks' own words)."""
    return (
        f"courses.lesson_body:{site_cache_version(request=request)}:{request.get_host()}:"
        f"{translation.get_language()}:{page.pk}"
    )


def _lesson_body(request, page: LessonPage, *, key: str, html: str | None) -> str:
    """The lesson's body ({% include_block %} of each block): `html` if found in the cache, else
    rendered and kept under `key`."""
    if html is None:
        context = {"request": request, "page": page, "self": page}
        html = "".join(str(child.render_as_block(context=context)) for child in page.body)
        cache.set(key, html, SITE_CACHE_SECONDS)
    return mark_safe(html)


def lesson_page(request, page: LessonPage):
    if _is_preview(request):
        return _page_response(request, page, {"preview": True})
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    # The course, if live and the user may take it, with what the person has done of its live
    # lessons, in one query; the lessons themselves from the site cache. Both kept in the cache
    # under the site's and the person's learner versions (an editor's change or the person's
    # progress is seen on the very next view).
    person = policy.person_of(request.user) if request.user.is_active else None
    if person is None:
        raise Http404
    body_key = _lesson_body_key(request, page)
    cached = selectors.LearnerCache(
        request=request, person=person, what=f"lesson:{page.pk}", also=[body_key]
    )
    if cached.value is cached.MISSING:
        cached.value = selectors.lesson_course(lesson=page, person=person)
        cached.store(cached.value)
    course, lessons = cached.value
    if course is None:
        raise Http404
    ids = [lesson.pk for lesson in lessons]
    position = ids.index(page.pk) if page.pk in ids else 0
    return _page_response(
        request,
        page,
        {
            "course": course,
            "position": position + 1,
            "lessons_total": len(lessons),
            "previous_lesson": lessons[position - 1] if position > 0 else None,
            "next_lesson": lessons[position + 1] if position + 1 < len(lessons) else None,
            "done": page.pk in ids and course.lesson_done,
            "lessons_done": course.lessons_done,
            "body_html": _lesson_body(request, page, key=body_key, html=cached.also.get(body_key)),
        },
    )


@login_required
def my_learning(request):
    person = policy.person_of(request.user)
    context = {"person": person, "learning": None, "catalogue_url": _catalogue_url(request)}
    if person is not None:
        learning = selectors.my_learning(person=person)
        entries = [*learning.due, *learning.in_progress]
        courses = [entry.course for entry in entries]
        courses += [completion.enrolment.course for completion in learning.completions]
        urls = _course_urls(request, courses)
        for entry in entries:
            entry.url = urls[entry.course.pk]
        for completion in learning.completions:
            completion.course_url = urls[completion.enrolment.course_id]
        context["learning"] = learning
    return TemplateResponse(request, "courses/my_learning.html", context)


@require_POST
@login_required
def course_start(request, course_id: int):
    """Start (or resume): enrol, then go to where the person left off."""
    course = _course_or_404(request, course_id)
    try:
        enrolment = services.enrolment_start(
            course=course, person=policy.person_of(request.user), by=request.user
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect(course.get_url(request))
    lessons = selectors.course_lessons(course)
    resume = selectors.resume_lesson(
        lessons=lessons,
        done_ids=selectors.lessons_done_ids(enrolment=enrolment),
        last_lesson_id=enrolment.last_lesson_id,
    )
    if resume is None:
        return redirect("courses:quiz", course_id=course.pk)
    return redirect(resume.get_url(request))


@require_POST
@login_required
def lesson_done(request, lesson_id: int):
    """Mark the lesson done and go on to the next lesson not done, or back to the course."""
    lesson = LessonPage.objects.live().filter(pk=lesson_id).first()
    if lesson is None:
        raise Http404
    course = CoursePage.objects.live().filter(path=lesson.path[: -LessonPage.steplen]).first()
    if course is None or not access.may_take_course(request.user, course):
        raise Http404
    try:
        enrolment = services.enrolment_start(
            course=course, person=policy.person_of(request.user), by=request.user
        )
        services.lesson_complete(enrolment=enrolment, lesson=lesson, by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect(lesson.get_url(request))
    lessons = selectors.course_lessons(course)
    following = selectors.resume_lesson(
        lessons=lessons,
        done_ids=selectors.lessons_done_ids(enrolment=enrolment),
        last_lesson_id=lesson.pk,
    )
    if following is not None:
        return redirect(following.get_url(request))
    messages.success(
        request, _("You have finished every lesson. Take the quiz when you are ready.")
    )
    return redirect(course.get_url(request))


def _quiz_response(request, state: dict, attempt, form: QuizForm | None):
    context = {**state, "attempt": attempt, "form": form}
    if attempt is not None:
        context["pass_mark"] = quiz_selectors.revision_pass_mark(
            attempt.revision, default=state["course"].pass_mark
        )
    return TemplateResponse(request, "courses/quiz.html", context)


@login_required
def quiz(request, course_id: int):
    """GET: the open attempt's questions, or what to do before the quiz. POST: hand it in."""
    course = _course_or_404(request, course_id)
    state = _course_state(request, course)
    if state["enrolment"] is None:
        return redirect(course.get_url(request))
    attempt = state["open_attempt"]
    if request.method != "POST":
        form = None
        if attempt is not None:
            form = QuizForm(questions=quiz_selectors.attempt_questions(attempt))
        return _quiz_response(request, state, attempt, form)

    posted = request.POST.get("attempt", "")
    if attempt is None or str(attempt.pk) != posted:
        # Handed in already (another tab, the back button): show how that attempt went.
        earlier = (
            quiz_selectors.attempt_for_user(user=request.user, pk=parse_id(posted))
            if posted
            else None
        )
        if earlier is not None and earlier.submitted_at is not None:
            messages.info(request, _("This attempt has already been handed in."))
            return redirect("courses:attempt_result", attempt_id=earlier.pk)
        return redirect("courses:quiz", course_id=course.pk)
    form = QuizForm(request.POST, questions=quiz_selectors.attempt_questions(attempt))
    if not form.is_valid():
        return _quiz_response(request, state, attempt, form)
    try:
        attempt = quiz_services.attempt_submit(
            attempt=attempt, answers=form.answers(), by=request.user
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("courses:quiz", course_id=course.pk)
    return redirect("courses:attempt_result", attempt_id=attempt.pk)


@require_POST
@login_required
def quiz_start(request, course_id: int):
    course = _course_or_404(request, course_id)
    enrolment = selectors.enrolment_for(person=policy.person_of(request.user), course=course)
    if enrolment is None:
        return redirect(course.get_url(request))
    try:
        quiz_services.attempt_start(enrolment=enrolment, by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect(course.get_url(request))
    return redirect("courses:quiz", course_id=course.pk)


@login_required
def attempt_result(request, attempt_id: int):
    """The score, passed or not, and the feedback on every answer chosen and every correct
    answer missed. Only the person's own attempts."""
    attempt = quiz_selectors.attempt_for_user(user=request.user, pk=attempt_id)
    if attempt is None:
        raise Http404
    course = attempt.enrolment.course
    if attempt.submitted_at is None:
        return redirect("courses:quiz", course_id=course.pk)
    rows = []
    for question, choices in quiz_selectors.attempt_questions(attempt):
        chosen = set(attempt.answers.get(question.id, []))
        credit = quiz_services.question_credit(question, chosen)
        rows.append(
            {
                "question": question,
                "credit_percent": round(float(credit) * 100),
                "full": credit == 1,
                "answers": [
                    {"choice": choice, "chosen": choice.id in chosen}
                    for choice in choices
                    if choice.id in chosen or choice.correct
                ],
            }
        )
    enrolment = attempt.enrolment
    completion = getattr(attempt, "completion", None) if attempt.passed else None
    context = {
        "attempt": attempt,
        "course": course,
        "rows": rows,
        "pass_mark": quiz_selectors.revision_pass_mark(attempt.revision, default=course.pass_mark),
        "completion": completion,
        "has_multiple": any(row["question"].is_multiple for row in rows),
        "attempts_remaining": quiz_selectors.attempts_remaining(enrolment=enrolment, course=course),
        "is_latest": not enrolment.attempts.filter(number__gt=attempt.number).exists(),
        "renewal_open": selectors.renewal_open(selectors.latest_completion(enrolment=enrolment)),
    }
    return TemplateResponse(request, "courses/attempt_result.html", context)
