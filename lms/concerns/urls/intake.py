from django.urls import path

from lms.concerns.views import intake

app_name = "concerns"

urlpatterns = [
    path("", intake.start, name="start"),
    path("fagperson/", intake.professional, name="professional"),
    path("borger/", intake.citizen, name="citizen"),
    path("kvittering/", intake.receipt, name="receipt"),
]
