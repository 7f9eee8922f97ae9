import pytest
from django.urls import reverse

from attendance import services, tokens
from members.models import Role
from study import services as study_services
from tests.times import at

pytestmark = pytest.mark.django_db


def checked_in(user, segment, moment):
    token = tokens.make_token(segment.pk, None, "in", tokens.window_at(moment))
    services.check_in_with_token(user, token=token, scanned_at=moment, now=moment)


@pytest.fixture
def bloc_session(org_tree, holder_of, member_of, spec_for):
    """A bloc-wide session with two members in cell A1a, one in A1b and one in B."""
    officer = holder_of(Role.PROPAGANDA_OFFICER, org_tree.bloc)
    people = {
        "a1": member_of(org_tree.cell_a1a),
        "a2": member_of(org_tree.cell_a1a),
        "b1": member_of(org_tree.cell_a1b),
        "c1": member_of(org_tree.cell_b),
    }
    session = study_services.create_session(officer, spec=spec_for(org_tree.bloc))
    study_services.publish_session(officer, session=session)
    morning, afternoon = session.segments.order_by("starts_at")
    for key in ("a1", "a2", "b1", "c1"):
        checked_in(people[key], morning, at(10, 7, 40))
    checked_in(people["a1"], afternoon, at(10, 13, 30))
    checked_in(people["c1"], afternoon, at(10, 13, 30))
    return officer, session


def test_board_counts_per_organisation_and_retention(client, bloc_session):
    officer, session = bloc_session
    client.force_login(officer)

    board = client.get(reverse("attendance:live", args=[session.pk])).context["board"]

    assert [(r.name, r.expected, r.arrived) for r in board.organizations] == [
        ("Chi bộ A1a", 2, [2, 1]),
        ("Chi bộ A1b", 1, [1, 0]),
        ("Chi bộ B", 1, [1, 1]),
    ]
    assert board.totals == [4, 2] and board.retention == 0.5


def test_committee_board_sees_only_its_subtree(client, org_tree, holder_of, bloc_session):
    _officer, session = bloc_session
    client.force_login(holder_of(Role.PROPAGANDA_OFFICER, org_tree.upper_a))

    board = client.get(reverse("attendance:live", args=[session.pk])).context["board"]

    assert [r.name for r in board.organizations] == ["Chi bộ A1a", "Chi bộ A1b"]
    assert board.totals == [3, 1]


def test_fragment_and_query_bound(client, bloc_session, django_assert_max_num_queries):
    officer, session = bloc_session
    client.force_login(officer)

    with django_assert_max_num_queries(10):
        fragment = client.get(reverse("attendance:live", args=[session.pk]), {"fragment": "1"})

    assert "<html" not in fragment.content.decode() and "Chi bộ A1a" in fragment.content.decode()


def test_live_board_of_another_subtree_is_404(client, org_tree, secretary_of, secretary, session):
    client.force_login(secretary_of(org_tree.cell_b))

    assert client.get(reverse("attendance:live", args=[session.pk])).status_code == 404
