import pytest
from django.http import Http404

from members import permissions
from members.models import Organization, Role, User
from tests.factories import RoleAssignmentFactory

pytestmark = pytest.mark.django_db


def test_subtree_query_is_one_prefix_query(org_tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        subtree = list(Organization.objects.in_subtree(org_tree.upper_a))

    assert subtree == [
        org_tree.upper_a,
        org_tree.committee_a1,
        org_tree.cell_a1a,
        org_tree.cell_a1b,
    ]


def test_lineage_is_root_first_in_one_query(org_tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        lineage = list(org_tree.cell_a1b.lineage())

    assert lineage == [org_tree.bloc, org_tree.upper_a, org_tree.committee_a1, org_tree.cell_a1b]


def test_cell_secretary_sees_own_cell_members_only(org_tree, secretary_of, member_of):
    secretary = secretary_of(org_tree.cell_a1a)
    colleague = member_of(org_tree.cell_a1a)
    sibling_member = member_of(org_tree.cell_a1b)
    member_of(org_tree.cell_b)

    visible = permissions.visible_to(secretary, User, permissions.MEMBERS_VIEW_MEMBER)

    assert set(visible) == {secretary, colleague}
    assert not permissions.can(secretary, permissions.MEMBERS_VIEW_MEMBER, sibling_member)
    with pytest.raises(Http404):
        permissions.get_for(secretary, User, permissions.MEMBERS_VIEW_MEMBER, pk=sibling_member.pk)


def test_propaganda_officer_sees_whole_subtree_and_nothing_beside(org_tree, holder_of, member_of):
    officer = holder_of(Role.PROPAGANDA_OFFICER, org_tree.upper_a)
    in_a1a = member_of(org_tree.cell_a1a)
    in_a1b = member_of(org_tree.cell_a1b)
    in_b = member_of(org_tree.cell_b)

    members = set(permissions.visible_to(officer, User, permissions.MEMBERS_VIEW_MEMBER))
    orgs = list(
        permissions.visible_to(officer, Organization, permissions.MEMBERS_VIEW_ORGANIZATION)
    )

    assert members == {in_a1a, in_a1b}
    assert in_b not in members
    assert orgs == [org_tree.upper_a, org_tree.committee_a1, org_tree.cell_a1a, org_tree.cell_a1b]
    assert not permissions.can(officer, permissions.MEMBERS_VIEW_ORGANIZATION, org_tree.bloc)


def test_officer_cannot_import(org_tree, holder_of):
    officer = holder_of(Role.PROPAGANDA_OFFICER, org_tree.upper_a)

    assert not permissions.can(officer, permissions.MEMBERS_IMPORT)
    assert permissions.can(officer, permissions.MEMBERS_VIEW_MEMBER, org_tree.cell_a1a)


def test_plain_member_sees_own_cell_but_no_member_records(org_tree, member_of):
    member = member_of(org_tree.cell_a1a)
    colleague = member_of(org_tree.cell_a1a)
    member_of(org_tree.cell_a1b)

    orgs = list(permissions.visible_to(member, Organization, permissions.MEMBERS_VIEW_ORGANIZATION))

    assert orgs == [org_tree.cell_a1a]
    assert not permissions.can(member, permissions.MEMBERS_VIEW_MEMBER, colleague)
    assert list(permissions.visible_to(member, User, permissions.MEMBERS_VIEW_MEMBER)) == []


def test_nested_grants_collapse_to_the_top(org_tree, holder_of):
    user = holder_of(Role.ADMINISTRATOR, org_tree.upper_a)
    RoleAssignmentFactory(user=user, organization=org_tree.cell_a1a, role=Role.SECRETARY)
    permissions.forget_grants(user)

    assert permissions.granted_paths(user, permissions.MEMBERS_IMPORT) == [org_tree.upper_a.path]


def test_grants_are_cached_per_user_object(org_tree, holder_of, django_assert_num_queries):
    officer = holder_of(Role.PROPAGANDA_OFFICER, org_tree.upper_a)
    permissions.can(officer, permissions.MEMBERS_VIEW_ORGANIZATION, org_tree.cell_a1a)

    with django_assert_num_queries(0):
        permissions.can(officer, permissions.MEMBERS_VIEW_ORGANIZATION, org_tree.cell_a1b)


def test_anonymous_and_inactive_see_nothing(org_tree, secretary_of):
    from django.contrib.auth.models import AnonymousUser

    secretary = secretary_of(org_tree.cell_a1a, is_active=False)

    assert (
        list(
            permissions.visible_to(
                AnonymousUser(), Organization, permissions.MEMBERS_VIEW_ORGANIZATION
            )
        )
        == []
    )
    assert (
        list(permissions.visible_to(secretary, Organization, permissions.MEMBERS_VIEW_ORGANIZATION))
        == []
    )


def test_unknown_action_is_a_programming_error(org_tree, secretary_of):
    secretary = secretary_of(org_tree.cell_a1a)

    with pytest.raises(ValueError, match="unknown action"):
        permissions.can(secretary, "members.fly", org_tree.cell_a1a)


def test_malformed_lookup_is_not_found(org_tree, secretary_of):
    secretary = secretary_of(org_tree.cell_a1a)

    with pytest.raises(Http404):
        permissions.get_for(secretary, User, permissions.MEMBERS_VIEW_MEMBER, pk="abc")
