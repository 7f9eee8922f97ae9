"""The grader's progress per session, against a hand-counted scene."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.urls import reverse

from essays import queries, services
from essays.models import Essay
from members.models import Role, User
from study import services as study_services
from study.models import StudySession
from tests.essays.conftest import AFTER
from tests.essays.corpus import ORIGINAL
from tests.times import at

pytestmark = pytest.mark.django_db

DEADLINE = at(20, 17)
NOW = DEADLINE + timedelta(days=8)  # past the 7 days counted from the deadline


@dataclass
class Scene:
    session: StudySession
    secretary: User
    deputy: User
    above: User  # the secretary of committee A1, who grades the cell secretary's essay
    members: list[User]
    essays: dict[str, Essay]


@pytest.fixture
def scene(org_tree, member_of, holder_of, spec_for, write):
    """Cell A1a: its secretary, a deputy and four members; committee A1's secretary above.

    m1 graded by the secretary, m2 by the deputy, m3 waiting since the deadline, m4 returned;
    the deputy's essay (the secretary's to grade) submitted 5 days after the deadline; the
    secretary's own essay (committee A1's to grade) waiting since the deadline."""
    cell = org_tree.cell_a1a
    secretary = holder_of(Role.SECRETARY, cell, cell=cell, full_name="Bí Thư A1a")
    deputy = holder_of(Role.DEPUTY_SECRETARY, cell, cell=cell, full_name="Phó Bí Thư A1a")
    above = holder_of(Role.SECRETARY, org_tree.committee_a1, full_name="Bí Thư Vụ A1")
    members = [member_of(cell, full_name=f"Đảng Viên {n}") for n in range(1, 5)]
    session = study_services.publish_session(
        secretary,
        session=study_services.create_session(
            secretary,
            spec=spec_for(cell, essay_required=True, essay_deadline=DEADLINE),
        ),
    )
    essays = {f"m{n}": write(m, session, ORIGINAL) for n, m in enumerate(members, start=1)}
    essays["deputy"] = write(deputy, session, ORIGINAL, when=DEADLINE + timedelta(days=5))
    essays["secretary"] = write(secretary, session, ORIGINAL)
    services.grade_essay(secretary, essay=essays["m1"], level="pass")
    services.grade_essay(deputy, essay=essays["m2"], level="basic_pass")
    services.return_essay(secretary, essay=essays["m4"], comment="Viết cụ thể hơn")
    return Scene(session, secretary, deputy, above, members, essays)


def _nodes(progress):
    return [
        (n.name, n.graders, n.waiting, n.overdue, n.returned, n.graded, n.oldest)
        for n in progress.nodes
    ]


def test_progress_counts_each_grader_and_organisation(scene, org_tree):
    progress = queries.grading_progress(scene.above, scene.session, now=NOW)

    assert progress.days == 7
    assert _nodes(progress) == [
        ("Đảng bộ Vụ A1", ["Bí Thư Vụ A1"], 1, 1, 0, 0, AFTER),
        ("Chi bộ A1a", ["Bí Thư A1a", "Phó Bí Thư A1a"], 2, 1, 1, 2, AFTER),
    ]
    assert [(g.name, g.graded, g.waiting) for g in progress.graders] == [
        ("Bí Thư A1a", 1, 2),  # m3 and the deputy's essay
        ("Bí Thư Vụ A1", 0, 1),
        ("Phó Bí Thư A1a", 1, 1),  # m3: a deputy does not grade a deputy's essay
    ]
    assert (progress.waiting, progress.overdue, progress.graded) == (3, 2, 2)


def test_the_days_are_a_setting(scene, settings):
    settings.HOCTAP_GRADING_REMINDER_DAYS = 2

    progress = queries.grading_progress(scene.above, scene.session, now=NOW)

    assert [n.overdue for n in progress.nodes] == [1, 2]


def test_a_cell_secretary_sees_only_their_cell(scene, org_tree, secretary_of):
    sibling = secretary_of(org_tree.cell_a1b)

    mine = queries.grading_progress(scene.secretary, scene.session, now=NOW)
    theirs = queries.grading_progress(sibling, scene.session, now=NOW)

    # The secretary's own essay is counted where it waits: at committee A1, above the cell.
    assert [n.name for n in mine.nodes] == ["Đảng bộ Vụ A1", "Chi bộ A1a"]
    assert (theirs.nodes, theirs.graders) == ([], [])


@pytest.mark.parametrize("n", [1, 4])
def test_progress_in_a_bounded_number_of_queries(
    n, org_tree, member_of, holder_of, spec_for, write, django_assert_max_num_queries
):
    cell = org_tree.cell_a1a
    secretary = holder_of(Role.SECRETARY, cell, cell=cell)
    members = [member_of(cell) for _ in range(n)]
    session = study_services.publish_session(
        secretary,
        session=study_services.create_session(
            secretary, spec=spec_for(cell, essay_required=True, essay_deadline=DEADLINE)
        ),
    )
    for member in members:
        services.grade_essay(secretary, essay=write(member, session, ORIGINAL), level="pass")
    board = User.objects.get(pk=secretary.pk)  # no permission cache

    with django_assert_max_num_queries(6):
        progress = queries.grading_progress(board, session, now=NOW)

    assert [(g.graded, g.waiting) for g in progress.graders] == [(n, 0)]


def test_progress_page_from_the_queue(client, scene):
    client.force_login(scene.secretary)

    queue = client.get(reverse("essays:queue", args=[scene.session.pk]))
    page = client.get(reverse("essays:progress", args=[scene.session.pk]))

    assert reverse("essays:progress", args=[scene.session.pk]) in queue.content.decode()
    body = page.content.decode()
    assert page.context["progress"].waiting == 3
    assert 'id="progress-graders"' in body and "Phó Bí Thư A1a" in body
