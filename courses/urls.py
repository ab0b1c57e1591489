"""The learner's own pages (Min læring, quiz, certificates). Course and lesson pages themselves are
served by Wagtail under the course catalogue page."""

from django.urls import path  # noqa: F401

app_name = "courses"

urlpatterns: list = [
    # --- learning (courses.views) ---
    # --- end learning ---
    # --- certificates and team (courses.certificate_views, courses.team_views) ---
    # --- end certificates and team ---
]
