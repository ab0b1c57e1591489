from django.urls import path

from . import attendance_views, views

app_name = "attendance"

urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("<int:pk>/tilmeld/", views.registration_create, name="registration_create"),
    path("<int:pk>/afmeld/", views.registration_cancel, name="registration_cancel"),
    path("<int:pk>/tjek-ind/<str:token>/", attendance_views.check_in, name="check_in"),
    # --- meeting requests (attendance.request_views) ---
    # --- end meeting requests ---
    # --- booking seats for named staff (attendance.booking_views) ---
    # --- end booking ---
]
