import pytest
from django.db import transaction
from pytest_django.fixtures import validate_django_db
from wagtail.models import Site

from lms.people.models import OrgUnit, Role

from .caches import cache_own_clear
from .factories import (
    PersonFactory,
    RoleAssignmentFactory,
    UserFactory,
    tree_make,
    wagtail_roots_ensure,
)
from .queries import caches_warm

# The open transaction of the module whose tests share data (module_db), and whether the test
# being set up is transactional: such a test cannot run inside that transaction.
_module_transaction: list = []
_setting_up_transactional: list[bool] = [False]


def is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None:
        transactional, reset_sequences, *_ = validate_django_db(marker)
        if transactional or reset_sequences:
            return True
    names = set(getattr(item, "fixturenames", ()))
    return bool(names & {"transactional_db", "live_server", "django_db_reset_sequences"})


def _module_transaction_end() -> None:
    while _module_transaction:
        blocker, atomic = _module_transaction.pop()
        with blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    # pytest-django runs transactional tests last; one of the module's own may follow its shared
    # tests directly, so the module's transaction ends before it.
    _setting_up_transactional[0] = is_transactional(item)
    if _setting_up_transactional[0]:
        _module_transaction_end()


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker):
    """For data a module's tests share: a module-scoped fixture builds it once, in
    `with module_db.unblock():`, and hands out primary keys; function fixtures load fresh objects.

    The data lives in a transaction around the module's tests, rolled back after the last; each
    test runs in a savepoint inside it (pytest-django's `db`), so every test starts from the same
    data. None when the first test to ask is transactional: then build per test (shared_open)."""
    if _setting_up_transactional[0]:
        yield None
        return
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        # A transactional test before this module flushed Wagtail's migration data.
        wagtail_roots_ensure()
    _module_transaction.append((django_db_blocker, atomic))
    yield django_db_blocker
    _module_transaction_end()


def shared_open(shared) -> bool:
    """Whether a module's shared data (built under module_db) is there for this test."""
    if shared is None or not _module_transaction:
        return False
    # Wagtail caches the sites' root paths; a test that changed a site was rolled back since.
    Site.clear_site_root_paths_cache()
    return True


@pytest.fixture
def tree(db):
    """Two municipalities, each with an administration, a workplace and an institution.

    Returns a dict of units by code.
    """
    return tree_make()


@pytest.fixture(scope="module")
def tree_module(module_db):
    """The `tree` built once for the module (see module_db), by code: primary keys, or None.
    A folder whose tests share it overrides `tree` with tree_shared."""
    if module_db is None:
        return None
    with module_db.unblock():
        return {code: unit.pk for code, unit in tree_make().items()}


def tree_shared(pks: dict[str, int] | None) -> dict[str, OrgUnit]:
    """Fresh objects of the module's shared tree (a test may change them), or a tree of its own."""
    if not shared_open(pks):
        return tree_make()
    units = OrgUnit.objects.in_bulk(pks.values())
    return {code: units[pk] for code, pk in pks.items()}


@pytest.fixture
def make_staff(db):
    """make_staff(role, unit) -> a verified user holding `role` over `unit`."""

    def make(role: Role, unit, **user_fields):
        user = UserFactory(**user_fields)
        RoleAssignmentFactory(user=user, role=role, org_unit=unit)
        return user

    return make


@pytest.fixture
def person_factory(db):
    return PersonFactory


@pytest.fixture
def mfa(db):
    """mfa(user) -> gives `user` an allauth TOTP authenticator (staff need it for /admin/)."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    def activate(user):
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, generate_totp_secret())
        return user

    return activate


@pytest.fixture
def assert_queries(django_assert_num_queries):
    """assert_queries(n, fn, warm=True) -> fn(): fn takes exactly n queries once warm.

    With warm=True (a read: a page view, a selector) fn runs twice uncounted first: the first
    run fills every cache it reads, the per-request ones of the objects it is given included, but
    may itself drop one (a first visit makes the site's settings, which drops the cached Infohus
    name); the second fills that again. A write that must not run again passes warm=False: then
    only the per-process caches are filled (tests.queries.caches_warm)."""

    def check(expected: int, fn, *, warm: bool = True):
        caches_warm()
        if warm:
            fn()
            fn()
        with django_assert_num_queries(expected):
            return fn()

    return check


@pytest.fixture
def cache_fresh():
    """The test starts and ends with none of this process's cache keys (rate-limit counters,
    used TOTP codes), and leaves the other test processes' keys alone (tests.caches)."""
    cache_own_clear()
    yield
    cache_own_clear()


@pytest.fixture(autouse=True)
def _site_cache_forgotten():
    """Every test starts from a new version of the site cache (lms.site.selectors.site): a
    rolled-back test's settings, contacts and pages would otherwise stay cached under the version
    its changes made, and the next test of this process would read them."""
    from lms.site.selectors.site import site_cache_forget

    site_cache_forget()


@pytest.fixture(autouse=True)
def _report_sections_forgotten():
    """The Overblik sections are cached by unit id (reports.viewsets.sections): a rolled-back
    test's unit id is used again (SQLite), so every test starts without them."""
    from reports.viewsets.sections import sections_cache_forget

    sections_cache_forget()


@pytest.fixture(autouse=True)
def _rendered_mails_forgotten():
    """A newsletter worker keeps each send's rendered mail by the send's id. Ids are never
    reused in production, but a rolled-back test's send id is (SQLite), in every test that sends
    (the browser tests' live server runs in this process too): start every test without it."""
    from newsletters.services import deliveries

    deliveries._rendered_cache.clear()
    yield
    deliveries._rendered_cache.clear()


@pytest.fixture(autouse=True)
def _celery_join_guard_reset():
    """Start every test with Celery's "never call get() within a task" guard down.

    Eager tasks raise that process-wide flag while they run and restore the value they found, so
    threads running eager tasks at once (the concurrency tests) can leave it raised for the tests
    that follow in the same process."""
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)
