"""Keeps what the learner pages cache in step; connected in CoursesConfig.ready().

A learner's enrolments, lessons done, quiz attempts and completions give the person a new
learner version (courses.selectors.courses.learner_version) when any of them is saved or
deleted: now, for the rest of the transaction, and again once it is committed, so that what a
request cached from the old rows in between is dropped too (as lms.site.signals does for the
site cache). What a course page or a lesson shows besides the pages themselves (the competence
it earns, the images and documents of a lesson) moves the site cache's version; an audience
changed without its page being saved moves it through courses.apps.connect_audience_signals.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.images import get_image_model

from courses.models import Completion, Enrolment, LessonProgress, QuizAttempt
from courses.selectors.courses import learner_forget
from lms.competence.models import Competence
from lms.site.selectors.site import site_cache_forget


def on_learning_changed(sender, instance, raw=False, **kwargs) -> None:
    if raw:
        return
    if isinstance(instance, Enrolment):
        person_id = instance.person_id
    elif type(instance).enrolment.is_cached(instance):
        person_id = instance.enrolment.person_id
    else:
        person_id = (
            Enrolment.objects.filter(pk=instance.enrolment_id)
            .values_list("person_id", flat=True)
            .first()
        )
    if person_id is None:
        return
    learner_forget(person_id=person_id)
    transaction.on_commit(lambda: learner_forget(person_id=person_id))


def on_shown_changed(sender, **kwargs) -> None:
    site_cache_forget()
    transaction.on_commit(site_cache_forget)


def connect() -> None:
    for model in (Enrolment, LessonProgress, QuizAttempt, Completion):
        for signal in (post_save, post_delete):
            signal.connect(
                on_learning_changed,
                sender=model,
                dispatch_uid=f"courses.learner.{model.__name__}.{signal is post_save}",
            )
    # Documents move it for every page (lms.site.signals).
    for model in (Competence, get_image_model()):
        for signal in (post_save, post_delete):
            signal.connect(
                on_shown_changed,
                sender=model,
                dispatch_uid=f"courses.shown.{model.__name__}.{signal is post_save}",
            )
