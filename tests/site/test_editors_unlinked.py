"""Site editors of a site that no municipality owns yet (a module of its own: the editors' tests
share two linked sites)."""

from lms.people.models import Role
from lms.site.services.pages import site_seed

from .builders import members


def test_a_site_without_unit_has_no_editors_until_a_superuser_sets_one(tree, make_staff):
    coordinator = make_staff(Role.COORDINATOR, tree["HJ"])
    home = site_seed(infohus_name="Infohus HJ").home
    assert home.org_unit_id is None
    assert members(home) == set()
    # site_seed fills an empty unit (and the sync follows at once).
    site_seed(org_unit=tree["HJ"])
    home.refresh_from_db()
    assert home.org_unit_id == tree["HJ"].pk
    assert members(home) == {coordinator.pk}
    # Taking the unit away empties the group.
    home.org_unit = None
    home.save_revision().publish()
    assert members(home) == set()
