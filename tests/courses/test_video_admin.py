"""The admin's page editor and its previews of a lesson with a video make the browser call no
third party either: the player waits behind the consent button there too (issue 8, privacy).
And the previews work at all: Wagtail 8 previews a page without its serve(), and a lesson's
template without its course was a server error."""

from __future__ import annotations

import json
import re

import pytest
from wagtail.embeds.embeds import get_embed_hash
from wagtail.embeds.models import Embed

from courses.models import LessonPage
from courses.selectors import courses as selectors
from tests.factories import UserFactory
from tests.site.test_admin_pages import third_party_fetches

# Every test starts from the same site and catalogue (see module_db).
pytestmark = pytest.mark.usefixtures("catalogue_module")

URL = "https://www.youtube.com/watch?v=abc123"
PLAYER = '<iframe src="https://www.youtube.com/embed/abc123"></iframe>'


def test_the_lesson_editor_and_previews_load_no_video_player(client, make_course, mfa):
    Embed.objects.create(url=URL, hash=get_embed_hash(URL), type="video", html=PLAYER)
    course = make_course(lessons=("Et",))
    lesson = LessonPage.objects.get(pk=selectors.course_lessons(course)[0].pk)
    lesson.body = json.dumps(
        [{"type": "video", "value": {"video": URL, "title": "Om tegn", "transcript": "<p>x</p>"}}]
    )
    revision = lesson.save_revision()
    revision.publish()
    lesson.save_revision()  # a draft on top, for "view draft"
    client.force_login(mfa(UserFactory(is_superuser=True, is_staff=True)))

    for url in (
        f"/admin/pages/{lesson.pk}/edit/",
        f"/admin/pages/{lesson.pk}/view_draft/",
        f"/admin/pages/{lesson.pk}/revisions/{revision.pk}/view/",
        f"/admin/pages/{lesson.pk}/history/",
        f"/admin/pages/{course.pk}/view_draft/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        outside_templates = re.sub(r"<template\b.*?</template>", "", html, flags=re.S)
        assert third_party_fetches(outside_templates) == [], url
    html = client.get(f"/admin/pages/{lesson.pk}/view_draft/").content.decode()
    assert "Om tegn" in html and "data-video-consent-play" in html
