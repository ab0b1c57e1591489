"""OrgUnit's tree helpers."""

from lms.people.models import OrgUnit


def test_ancestor_paths_run_from_the_root_down_to_the_node_itself(db):
    root = OrgUnit.add_root(code="K", name="Kommune", kind=OrgUnit.Kind.MUNICIPALITY)
    admin = root.add_child(code="A", name="Forvaltning", kind=OrgUnit.Kind.ADMINISTRATION)
    school = OrgUnit.objects.get(pk=admin.pk).add_child(
        code="S", name="Skole", kind=OrgUnit.Kind.WORKPLACE
    )
    assert OrgUnit.ancestor_paths(school.path) == [root.path, admin.path, school.path]
    assert OrgUnit.ancestor_paths(root.path) == [root.path]
    assert set(OrgUnit.objects.filter(path__in=OrgUnit.ancestor_paths(school.path))) == {
        root,
        admin,
        school,
    }
