"""Public pages of the Action Cards (being written)."""

app_name = "cards"

urlpatterns: list = []
