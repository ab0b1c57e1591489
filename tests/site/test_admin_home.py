"""The admin home names the Infohus and shows each role its panels, not Wagtail's generic
summary ("localhost", "12 Pages / 0 Images")."""

import re

import pytest
from django.core import mail

from lms.people.models import Role
from tests.factories import UserFactory

# Every test starts from the same seeded site (see module_db).
pytestmark = pytest.mark.usefixtures("seeded_site_module")

ADMIN = "/admin/"


@pytest.fixture
def staff(make_staff, mfa, tree):
    def make(role, unit="HJ"):
        return mfa(make_staff(role, tree[unit]))

    return make


@pytest.mark.parametrize(
    "role,unit",
    [
        (Role.COORDINATOR, "HJ"),
        (Role.DEPARTMENT_CONTACT, "HJ-BFU"),
        (Role.INSTITUTION_COORDINATOR, "HJ-GYM"),
        (Role.STEERING_GROUP, "HJ"),
    ],
)
def test_the_admin_home_names_the_infohus_and_has_no_generic_summary(
    client, seeded_site, staff, role, unit
):
    client.force_login(staff(role, unit))
    response = client.get(ADMIN)
    assert response.status_code == 200
    html = response.content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert "Infohus Hjørring" in title
    assert "Wagtail" not in title
    h1 = re.search(r'<h1 class="w-h1[^"]*">(.*?)</h1>', html, re.S).group(1)
    assert h1.strip() == "Infohus Hjørring"
    assert "localhost" not in html
    assert "w-summary" not in html  # "12 Pages / 0 Images"


def test_other_admin_pages_end_their_title_with_the_infohus_name(client, seeded_site, staff):
    client.force_login(staff(Role.COORDINATOR))
    html = client.get("/admin/meetings/").content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert title.strip().endswith("Infohus Hjørring")


def test_a_renamed_infohus_shows_at_once(client, seeded_site, staff):
    from lms.site.models import InfohusSettings

    client.force_login(staff(Role.COORDINATOR))
    client.get(ADMIN)  # cached
    settings = InfohusSettings.for_site(seeded_site.site)
    settings.infohus_name = "Infohus Vendsyssel"
    settings.save()
    assert "<title>" in (html := client.get(ADMIN).content.decode())
    assert "Infohus Vendsyssel" in re.search(r"<title>(.*?)</title>", html, re.S).group(1)


def test_the_seeded_site_is_named_after_the_infohus(seeded_site):
    seeded_site.site.refresh_from_db()
    assert seeded_site.site.site_name == "Infohus Hjørring"


def test_the_steering_group_gets_its_coverage_panel(client, seeded_site, staff):
    client.force_login(staff(Role.STEERING_GROUP))
    html = client.get(ADMIN).content.decode()
    assert "Dækning i forhold til krav" in html
    client.force_login(staff(Role.DEPARTMENT_CONTACT, "HJ-BFU"))
    assert "Dækning i forhold til krav" not in client.get(ADMIN).content.decode()


def test_account_mails_name_the_infohus_not_the_host(client, seeded_site):
    from allauth.account.models import EmailAddress

    user = UserFactory(email="anna@example.dk")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    response = client.post("/konto/password/reset/", {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject.startswith("[Infohus Hjørring] ")
    assert "Hej fra Infohus Hjørring!" in message.body
    assert "Hej fra testserver" not in message.body
    assert "Tak fordi du bruger Infohus Hjørring!" in message.body
