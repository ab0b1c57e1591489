"""The learner's own pages (Min læring, quiz, certificates). Course and lesson pages themselves are
served by Wagtail under the course catalogue page."""

from django.urls import path

from courses.views import certificates as _certificates
from courses.views import courses as _learning
from courses.views import team as _team

app_name = "courses"

urlpatterns: list = [
    path("", _learning.my_learning, name="my_learning"),
    path("kursus/<int:course_id>/start/", _learning.course_start, name="course_start"),
    path("kursus/<int:course_id>/quiz/", _learning.quiz, name="quiz"),
    path("kursus/<int:course_id>/quiz/start/", _learning.quiz_start, name="quiz_start"),
    path("lektion/<int:lesson_id>/gennemfoert/", _learning.lesson_done, name="lesson_done"),
    path("forsoeg/<int:attempt_id>/", _learning.attempt_result, name="attempt_result"),
    path("beviser/", _certificates.my_certificates, name="certificates"),
    path(
        "bevis/verificer/", _certificates.certificate_verify_start, name="certificate_verify_start"
    ),
    path(
        "bevis/verificer/<str:code>/",
        _certificates.certificate_verify,
        name="certificate_verify",
    ),
    path("bevis/<str:code>/pdf/", _certificates.certificate_pdf, name="certificate"),
    path("team/", _team.team, name="team"),
]
