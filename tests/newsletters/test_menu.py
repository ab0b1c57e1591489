"""The "Nyhedsbreve" submenu of the admin: the sends, urgent messages and the default audience
under one item, each child shown by its own access rule as before, the URLs unchanged."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse
from wagtail.admin.menu import SubmenuMenuItem, admin_menu

from lms.people.models import Role
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

SENDS = "/admin/newsletter-sends/"
URGENT = "/admin/urgent/"
AUDIENCE = "/admin/newsletter-audience/"


def newsletters_menu(user):
    """(the top-level items' names, the submenu's child URLs) as `user` is shown them."""
    request = RequestFactory().get("/admin/")
    request.user = user
    top = admin_menu.menu_items_for_request(request)
    submenu = next((i for i in top if i.name == "newsletters"), None)
    children = [] if submenu is None else submenu.menu.menu_items_for_request(request)
    return {i.name for i in top}, sorted(i.url for i in children)


@pytest.fixture
def staff_of(make_staff, tree, mfa):
    def make(role, unit="HJ"):
        return mfa(make_staff(role, tree[unit]))

    return make


def test_the_urls_are_unchanged():
    assert reverse("newsletter_sends:index") == SENDS
    assert reverse("urgent_messages:index") == URGENT
    assert reverse("newsletter_audiences:index") == AUDIENCE


def test_one_submenu_holds_the_three_pages():
    submenu = next(i for i in admin_menu.registered_menu_items if i.name == "newsletters")
    assert isinstance(submenu, SubmenuMenuItem)
    assert str(submenu.label) == "Nyhedsbreve"
    names = {i.name for i in admin_menu.registered_menu_items}
    # No longer top-level items of their own.
    assert not names & {"newsletter-sends", "urgent-messages", "newsletter-audience"}
    children = {str(i.label) for i in submenu.menu.registered_menu_items}
    assert children == {"Udsendelser", "Vigtige beskeder", "Standardmodtagere af nyhedsbrev"}


@pytest.mark.parametrize(
    "role,unit,shown",
    [
        (Role.COORDINATOR, "HJ", [AUDIENCE, SENDS]),
        (Role.STEERING_GROUP, "HJ", [SENDS]),
        (Role.LEADER, "HJ", [URGENT]),
    ],
)
def test_each_role_sees_what_it_may_use(staff_of, role, unit, shown):
    top, children = newsletters_menu(staff_of(role, unit))
    assert "newsletters" in top
    assert children == shown


@pytest.mark.parametrize("role,unit", [(Role.DEPARTMENT_CONTACT, "HJ-BFU")])
def test_no_submenu_for_who_may_use_none_of_it(staff_of, role, unit):
    top, children = newsletters_menu(staff_of(role, unit))
    assert "newsletters" not in top and children == []


def test_an_employee_sees_no_submenu(tree):
    employee = UserFactory()
    PersonFactory(org_unit=tree["HJ-GYM"], user=employee, email=employee.email)
    top, _ = newsletters_menu(employee)
    assert "newsletters" not in top


def test_the_admin_home_renders_the_submenu_for_a_leader(client, staff_of):
    client.force_login(staff_of(Role.LEADER))
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert URGENT in html and "Nyhedsbreve" in html
