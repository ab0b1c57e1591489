"""A date filter given a far-off date (year 1, year 9999) answers with the listing (or a form
error), never a server error: converting such a day's midnight to UTC overflows (issue 8,
unbounded values and malformed input)."""

import pytest
from django.urls import reverse

from lms.people.models import Role

FAR = ["0001-01-01", "9999-12-31", "1-1-1"]


@pytest.mark.parametrize("value", FAR)
def test_date_filters_with_far_off_days(client, tree, make_staff, mfa, value):
    coordinator = mfa(make_staff(Role.COORDINATOR, tree["HJ"]))
    # The platform's own date filters. Wagtail's own reports (site history) still fail on year 1:
    # left for a fix at the lookup level (see the issue 9 probe report).
    checks = [(coordinator, reverse("meetings:index"), "starts_at")]
    for user, url, name in checks:
        client.force_login(user)
        for suffix in ("_after", "_before", "_from", "_to"):
            response = client.get(url, {name + suffix: value})
            assert response.status_code in (200, 400), (url, name + suffix, response.status_code)
