"""The grader's progress per session, against a hand-counted scene, and the reminder to the
secretary when essays wait too long: told once per essay, not every day."""

from dataclasses import dataclass
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from essays import queries, reminders, services
from essays.models import Essay, GradingReminder
from members.models import Notice, Role, User
from study import services as study_services
from study.models import StudySession
from tests.essays.conftest import AFTER
from tests.essays.corpus import ORIGINAL
from tests.oversight.test_warnings import _race
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


# --- The reminder ---------------------------------------------------------------------------


def _told():
    return sorted(
        (n.user.full_name, n.title, n.url) for n in Notice.objects.select_related("user").all()
    )


def test_the_secretary_is_reminded_once_per_batch(scene, django_capture_on_commit_callbacks):
    Notice.objects.all().delete()
    mail.outbox.clear()
    url = reverse("essays:progress", args=[scene.session.pk])

    with django_capture_on_commit_callbacks(execute=True):
        first = reminders.remind_graders(now=NOW)
    told_first, mails_first = _told(), [(m.to, m.subject) for m in mail.outbox]
    again = reminders.remind_graders(now=NOW + timedelta(days=1))
    told_again = _told()
    # The deputy's essay crosses 7 days later than the others: a batch of its own.
    later = reminders.remind_graders(now=DEADLINE + timedelta(days=13))

    assert (first.essays, first.notices) == (2, 2)
    assert told_first == [
        ("Bí Thư A1a", "Essays waiting more than 7 days for grading: 1", url),
        ("Bí Thư Vụ A1", "Essays waiting more than 7 days for grading: 1", url),
    ] or told_first == [
        ("Bí Thư A1a", "Bài thu hoạch chờ chấm quá 7 ngày: 1", url),
        ("Bí Thư Vụ A1", "Bài thu hoạch chờ chấm quá 7 ngày: 1", url),
    ]
    assert sorted(to for to, _subject in mails_first) == sorted(
        [[scene.secretary.email], [scene.above.email]]
    )
    assert (again.essays, again.notices, told_again) == (0, 0, told_first)
    assert (later.essays, later.notices) == (1, 1)
    assert set(GradingReminder.objects.values_list("essay_id", flat=True)) == {
        scene.essays[k].pk for k in ("m3", "deputy", "secretary")
    }


def test_an_essay_submitted_again_waits_anew(scene, write):
    reminders.remind_graders(now=NOW)
    m4 = scene.members[3]
    essay = write(m4, scene.session, ORIGINAL, when=NOW)  # revised after being returned

    reminders.remind_graders(now=NOW + timedelta(days=6))
    before = GradingReminder.objects.filter(essay=essay).count()
    after = reminders.remind_graders(now=NOW + timedelta(days=8))

    assert (before, after.essays, after.notices) == (0, 1, 1)
    assert list(
        GradingReminder.objects.filter(essay=essay).values_list("submitted_at", flat=True)
    ) == [NOW]


def test_nobody_to_tell_records_nothing_until_someone_holds_the_role(scene, org_tree, holder_of):
    Notice.objects.all().delete()
    scene.above.role_assignments.all().delete()

    nobody = reminders.remind_graders(now=NOW)
    # With no secretary above, its deputies grade the cell secretary's essay: they are told.
    deputy_above = holder_of(Role.DEPUTY_SECRETARY, org_tree.committee_a1)
    told = reminders.remind_graders(now=NOW + timedelta(days=1))

    assert (nobody.essays, nobody.notices) == (1, 1)  # only the cell's batch
    assert (told.essays, told.notices) == (1, 1)
    assert list(Notice.objects.filter(user=deputy_above).values_list("url", flat=True)) == [
        reverse("essays:progress", args=[scene.session.pk])
    ]


def test_the_command_for_the_embedded_mode(scene):
    out = StringIO()

    with time_machine.travel(NOW, tick=False):
        call_command("remind_graders", stdout=out)
        call_command("remind_graders", stdout=out)

    assert out.getvalue().splitlines() == [
        "Grading reminders: 2 essay(s) told, 2 notice(s).",
        "Grading reminders: 0 essay(s) told, 0 notice(s).",
    ]


def test_beat_runs_it_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["grading-reminders"]

    assert (entry["task"], entry["schedule"]) == ("essays.tasks.remind_graders", 24 * 3600)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="races need a real server")
def test_three_runs_at_once_tell_each_essay_once(scene):
    Notice.objects.all().delete()

    results, errors = _race(3, lambda: reminders.remind_graders(now=NOW))

    assert errors == []
    assert sorted(r.essays for r in results) == [0, 0, 2]
    assert GradingReminder.objects.count() == 2
    assert sorted(Notice.objects.values_list("user_id", flat=True)) == sorted(
        [scene.secretary.pk, scene.above.pk]
    )
