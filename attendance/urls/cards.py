"""Public pages of the Action Cards (no login): the address printed as a QR code on every card."""

from django.urls import path

from attendance.views import cards as card_views

app_name = "cards"

urlpatterns = [
    path("", card_views.card_list, name="list"),
    path("<slug:slug>/", card_views.card_detail, name="detail"),
    path("<slug:slug>/versioner/", card_views.card_versions, name="versions"),
    path("<slug:slug>/v<int:number>/", card_views.card_version, name="version"),
    path("<slug:slug>/pdf/", card_views.card_pdf_view, name="pdf"),
]
