from django.urls import path

from attendance.views import bookings as booking_views
from attendance.views import checkin as checkin_views
from attendance.views import meetings as views
from attendance.views import requests as request_views

app_name = "attendance"

urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("<int:pk>/tilmeld/", views.registration_create, name="registration_create"),
    path("<int:pk>/afmeld/", views.registration_cancel, name="registration_cancel"),
    path("<int:pk>/tjek-ind/<str:token>/", checkin_views.check_in, name="check_in"),
    path("anmodninger/", request_views.request_list, name="request_list"),
    path("anmodninger/ny/", request_views.request_create, name="request_create"),
    path("anmodninger/<int:pk>/", request_views.request_detail, name="request_detail"),
    path(
        "anmodninger/<int:pk>/accepter-forslag/",
        request_views.request_proposal_accept,
        name="request_proposal_accept",
    ),
    path(
        "anmodninger/<int:pk>/afvis-forslag/",
        request_views.request_proposal_decline,
        name="request_proposal_decline",
    ),
    path(
        "anmodninger/<int:pk>/traek-tilbage/",
        request_views.request_withdraw,
        name="request_withdraw",
    ),
    path("<int:pk>/tilmeld-medarbejdere/", booking_views.booking, name="booking"),
    path(
        "<int:pk>/tilmeld-medarbejdere/ny-kollega/",
        booking_views.colleague_create,
        name="booking_colleague_create",
    ),
    path(
        "<int:pk>/tilmeld-medarbejdere/<int:registration_pk>/afmeld/",
        booking_views.seat_cancel,
        name="booking_seat_cancel",
    ),
]
