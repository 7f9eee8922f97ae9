import pytest

from members.demo import seed_demo
from members.models import Membership, Organization, RoleAssignment, User

pytestmark = pytest.mark.django_db


def counts():
    return (
        Organization.objects.count(),
        Organization.objects.cells().count(),
        User.objects.count(),
        Membership.objects.count(),
        RoleAssignment.objects.count(),
    )


def test_demo_bloc_is_realistic_and_idempotent():
    logins = seed_demo(members_per_cell=20)
    first = counts()
    names = list(User.objects.order_by("pk").values_list("full_name", flat=True)[:5])

    seed_demo(members_per_cell=20)

    assert counts() == first
    _orgs, cells, _users, memberships, roles = first
    assert Organization.objects.filter(kind=Organization.Kind.UPPER_COMMITTEE).count() == 4
    assert 38 <= cells <= 45
    assert 780 <= memberships <= 900
    assert roles >= 2 * cells
    assert all(" " in name for name in names)
    card_logins = [login.login for login in logins if "@" not in login.login]
    assert User.objects.filter(party_card_number__in=card_logins).count() == len(set(card_logins))
