"""The course pages read the course structure (each course's live lessons, a course's catalogue
address) from the site cache: a page's change (unpublished, retitled, moved to another slug) is
seen on the next view, however warm the cache."""

from __future__ import annotations

import pytest

from courses.selectors import courses as selectors
from courses.services import courses as services
from lms.people.models import OrgUnit
from tests.factories import JobCategoryFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue_module")]


def test_a_lesson_unpublished_leaves_the_catalogue_course_and_lesson_pages(
    client, make_course, make_learner
):
    course = make_course(title="Cachet", lessons=("Et", "To", "Tre"))
    first, second, third = selectors.course_lessons(course)
    user = make_learner()
    services.enrolment_start(course=course, person=user.person, by=user)
    services.lesson_complete(
        enrolment=course.enrolments.get(person=user.person), lesson=third, by=user
    )
    client.force_login(user)
    # Warm: every page read once.
    assert "3 lektioner" in client.get("/kurser/").content.decode()
    assert "1 af 3 lektioner gennemført" in client.get(first.url).content.decode()
    assert f'href="{third.url}"' in client.get(course.url).content.decode()

    third.unpublish()

    assert "2 lektioner" in client.get("/kurser/").content.decode()
    html = client.get(first.url).content.decode()
    assert "0 af 2 lektioner gennemført" in html
    assert "Lektion 1 af 2" in html
    html = client.get(second.url).content.decode()
    assert f'href="{third.url}"' not in html and 'rel="next"' not in html
    assert f'href="{third.url}"' not in client.get(course.url).content.decode()


def test_a_lesson_retitled_is_seen_in_the_pager(client, make_course, make_learner):
    course = make_course(lessons=("Et", "To"))
    first, second = selectors.course_lessons(course)
    client.force_login(make_learner())
    assert "Næste lektion: To" in client.get(first.url).content.decode()

    second.title = "Andet"
    second.save_revision().publish()

    assert "Næste lektion: Andet" in client.get(first.url).content.decode()


def test_the_course_page_links_to_its_catalogue_after_a_new_slug(
    client, catalogue, make_course, make_learner
):
    course = make_course(lessons=("Et",))
    client.force_login(make_learner())
    assert 'href="/kurser/"' in client.get(course.url).content.decode()

    catalogue.slug = "alle-kurser"
    catalogue.save_revision().publish()
    course.refresh_from_db()

    html = client.get(course.url).content.decode()
    assert 'href="/alle-kurser/"' in html and 'href="/kurser/"' not in html


def test_the_catalogue_and_my_learning_link_to_a_course_after_a_new_slug(
    client, make_course, make_learner
):
    from django.urls import reverse

    course = make_course(title="Flyttet", lessons=("Et",))
    user = make_learner()
    services.enrolment_start(course=course, person=user.person, by=user)
    client.force_login(user)
    old = course.url
    assert f'href="{old}"' in client.get("/kurser/").content.decode()
    assert f'href="{old}"' in client.get(reverse("courses:my_learning")).content.decode()

    course.slug = "nyt-navn"
    course.save_revision().publish()
    course.refresh_from_db()

    for url in ("/kurser/", reverse("courses:my_learning")):
        html = client.get(url).content.decode()
        assert f'href="{course.url}"' in html and f'href="{old}"' not in html


def test_an_audience_changed_is_seen_in_the_catalogue_and_my_learning_at_once(
    client, make_course, make_learner, tree
):
    # The catalogue keeps each live course with its audience in the site cache.
    course = make_course(title="Publikum", required=True, audience_units=[tree["HJ"]])
    client.force_login(make_learner("HJ-SKOLE"))
    assert "Publikum" in client.get("/kurser/").content.decode()
    assert "Publikum" in client.get("/laering/").content.decode()

    course.audience_units.set([tree["FR"]])
    course.save_revision().publish()
    assert "Publikum" not in client.get("/kurser/").content.decode()
    assert "Publikum" not in client.get("/laering/").content.decode()

    course.audience_units.set([])
    course.save_revision().publish()
    assert "Publikum" in client.get("/kurser/").content.decode()
    assert "Publikum" in client.get("/laering/").content.decode()


def test_a_unit_of_an_audience_deleted_is_seen_in_the_catalogue_at_once(
    client, make_course, make_learner, tree
):
    # A unit without people, the only one of the course's audience.
    empty = OrgUnit.objects.get(pk=tree["FR"].pk).add_child(code="FR-TOM", name="FR Tom")
    make_course(title="Tomt publikum", audience_units=[empty])
    client.force_login(make_learner("HJ-SKOLE"))
    assert "Tomt publikum" not in client.get("/kurser/").content.decode()

    # Its audience rows go with it: a course with no units is for everyone.
    OrgUnit.objects.get(pk=empty.pk).delete()
    assert "Tomt publikum" in client.get("/kurser/").content.decode()


def test_a_job_category_of_an_audience_is_kept_with_the_cached_course(
    client, make_course, make_learner, teacher
):
    other = JobCategoryFactory(code="NURSE", name="Sygeplejerske")
    make_course(title="Kun lærere", job_categories=[teacher])
    make_course(title="Kun sygeplejersker", job_categories=[other])
    client.force_login(make_learner("HJ-SKOLE"))
    html = client.get("/kurser/").content.decode()
    assert "Kun lærere" in html and "Kun sygeplejersker" not in html
