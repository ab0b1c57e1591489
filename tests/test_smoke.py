def test_policy_scopes_cover_subtree(tree, make_staff):
    from lms.people import policy
    from lms.people.models import Role

    from .factories import PersonFactory

    user = make_staff(Role.COORDINATOR, tree["HJ"])
    inside = PersonFactory(org_unit=tree["HJ-SKOLE"])
    outside = PersonFactory(org_unit=tree["FR-SKOLE"])
    assert policy.can(user, policy.Action.PERSON_VIEW, inside)
    assert not policy.can(user, policy.Action.PERSON_VIEW, outside)
    assert list(policy.people(user, policy.Action.PERSON_VIEW)) == [inside]
