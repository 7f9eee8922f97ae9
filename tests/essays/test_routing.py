"""Issue 11.5: every essay reaches someone who may grade it."""

import pytest
from django.urls import reverse

from essays import queries, services
from essays.errors import EssayError
from members.models import Role
from tests.essays.corpus import INDEPENDENT as SECTIONS

pytestmark = pytest.mark.django_db


@pytest.fixture
def cell_leaders(org_tree, secretary, holder_of):
    deputy = holder_of(
        Role.DEPUTY_SECRETARY, org_tree.cell_a1a, cell=org_tree.cell_a1a, full_name="Phó Bí Thư"
    )
    committee = holder_of(
        Role.SECRETARY, org_tree.committee_a1, cell=org_tree.cell_a1b, full_name="Bí Thư Đảng Ủy"
    )
    return secretary, deputy, committee


@pytest.fixture
def three_essays(cell_leaders, member, session, write):
    secretary, deputy, _committee = cell_leaders  # all members of the cell before publication
    return {
        "member": write(member, session, SECTIONS[0]),
        "deputy": write(deputy, session, SECTIONS[1]),
        "secretary": write(secretary, session, SECTIONS[2]),
    }


def _queue(user, session):
    return sorted(e.participant.user.full_name for e in queries.grading_queue(user, session))


def test_each_grader_queue_holds_the_essays_routed_to_them(cell_leaders, session, three_essays):
    secretary, deputy, committee = cell_leaders

    assert _queue(secretary, session) == ["Phó Bí Thư", "Đảng Viên Viết Bài"]
    assert _queue(deputy, session) == ["Đảng Viên Viết Bài"]
    assert _queue(committee, session) == ["Bí Thư A1a"]


def test_the_deputys_essay_is_graded_by_the_secretary_not_a_fellow_deputy(
    org_tree, cell_leaders, holder_of, session, three_essays
):
    secretary, _deputy, _committee = cell_leaders
    other_deputy = holder_of(Role.DEPUTY_SECRETARY, org_tree.cell_a1a, cell=org_tree.cell_a1a)

    with pytest.raises(EssayError) as refused:
        services.grade_essay(other_deputy, essay=three_essays["deputy"], level="pass")
    grade = services.grade_essay(secretary, essay=three_essays["deputy"], level="pass")

    assert refused.value.code == "needs_level_above"
    assert grade.grader == secretary


def test_the_secretarys_essay_is_graded_above_the_cell(cell_leaders, session, three_essays):
    _secretary, deputy, committee = cell_leaders

    with pytest.raises(EssayError):
        services.grade_essay(deputy, essay=three_essays["secretary"], level="pass")
    grade = services.grade_essay(committee, essay=three_essays["secretary"], level="basic_pass")

    assert grade.grader == committee


def test_an_essay_whose_node_has_nobody_shows_to_the_board_as_unassigned(
    client, org_tree, secretary, holder_of, member, session, write
):
    board = holder_of(Role.PROPAGANDA_OFFICER, org_tree.bloc)
    write(member, session, SECTIONS[0])
    write(secretary, session, SECTIONS[1])  # nobody leads Đảng bộ Vụ A1 yet
    client.force_login(board)

    page = client.get(reverse("essays:figures", args=[session.pk]))

    assert [e.participant.user for e in page.context["unassigned"]] == [secretary]
    assert "Bí Thư A1a" in page.content.decode()
