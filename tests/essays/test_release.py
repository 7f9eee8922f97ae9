"""Grades released together (issue 15, point 5): until a cell's secretary releases the cell's
grades its members see nothing of them (pages, notices, e-mail), while the board's figures
count them as given; on release each member graded is told once."""

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from essays import queries, services
from essays.errors import EssayError
from essays.models import Essay, GradeRelease
from members.models import Notice, Role
from oversight import assessment
from oversight.figures import essay_tally
from study import services as study_services
from study.models import Participant
from tests.essays.conftest import AFTER
from tests.essays.corpus import INDEPENDENT, ORIGINAL
from tests.races import in_turn, needs_postgres
from tests.times import at

pytestmark = pytest.mark.django_db

COMMENT = "Cần cụ thể hơn ở phần đề xuất XYZ"
MARKS = ["met", "partly", "met"]
SHOWN = 'class="level-basic_pass">Basic pass<'  # the level as a member's pages show it


@pytest.fixture
def together(org_tree, secretary, member, spec_for):
    """A session of cell A1a whose grades are released together."""
    created = study_services.create_session(
        secretary,
        spec=spec_for(
            org_tree.cell_a1a,
            essay_required=True,
            essay_deadline=at(20, 17),
            grades_released_together=True,
        ),
    )
    return study_services.publish_session(secretary, session=created)


@pytest.fixture
def graded(secretary, member, together, write, django_capture_on_commit_callbacks, mailoutbox):
    """The member's essay, graded before the release."""
    essay = write(member, together, ORIGINAL)
    with django_capture_on_commit_callbacks(execute=True):
        services.grade_essay(
            secretary, essay=essay, level="basic_pass", comment=COMMENT, marks=MARKS
        )
    return essay


def member_pages(client, member, session) -> dict[str, str]:
    """Every page on which a member sees their essay."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(member)
    urls = {
        "mine": reverse("essays:mine"),
        "write": reverse("essays:write", args=[session.pk]),
        "home": reverse("home"),
        "session": session.get_absolute_url(),
    }
    with time_machine.travel(AFTER, tick=False):
        return {name: client.get(url).content.decode() for name, url in urls.items()}


def told(member, session) -> int:
    """Notices telling the member of their essay's grade (not the session's announcement)."""
    url = reverse("essays:write", args=[session.pk])
    return Notice.objects.filter(user=member, url=url).count()


def year_figures(member):
    [row] = assessment.member_year(member, 2026, now=AFTER)
    return row.figures


def test_until_released_the_member_sees_nothing_of_the_grade(
    client, member, together, graded, mailoutbox
):
    pages = member_pages(client, member, together)
    figures = year_figures(member)

    for name, page in pages.items():
        assert COMMENT not in page, name
        assert SHOWN not in page, name
    assert 'class="level-basic_pass">0<' in pages["mine"]  # the year: nothing graded yet
    assert "essay-submitted" in pages["mine"] and "essay-graded" not in pages["mine"]
    assert told(member, together) == 0
    assert mailoutbox == []
    assert (figures.submitted, figures.basic_passed, figures.ungraded) == (1, 0, 1)


def test_the_boards_figures_count_the_grade_as_given(org_tree, holder_of, member, together, graded):
    board = holder_of(Role.PROPAGANDA_OFFICER, org_tree.bloc)

    _rows, total = queries.session_figures(board, together)
    tally = essay_tally(
        Participant.objects.current().filter(session=together), ("session_id",), now=AFTER
    )

    assert total.levels["basic_pass"] == 1
    assert tally[(together.pk,)].levels["basic_pass"] == 1


def test_the_release_shows_the_grades_and_tells_each_member_once(
    client,
    org_tree,
    secretary,
    member,
    member_of,
    together,
    graded,
    write,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    second = member_of(org_tree.cell_a1a, full_name="Người Thứ Hai")
    study_services.add_participant(secretary, session=together, user=second)
    services.grade_essay(
        secretary, essay=write(second, together, INDEPENDENT[1]), level="pass", marks=["met"] * 3
    )
    waiting = member_of(org_tree.cell_a1a, full_name="Người Chưa Chấm")
    study_services.add_participant(secretary, session=together, user=waiting)
    write(waiting, together, INDEPENDENT[0])

    with django_capture_on_commit_callbacks(execute=True):
        services.release_grades(secretary, session=together, organization=org_tree.cell_a1a)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(EssayError) as twice:
        services.release_grades(secretary, session=together, organization=org_tree.cell_a1a)
    pages = member_pages(client, member, together)

    assert twice.value.code == "already_released"
    assert (told(member, together), told(second, together), told(waiting, together)) == (1, 1, 0)
    assert sorted(m.to[0] for m in mailoutbox) == sorted([member.email, second.email])
    for name, page in pages.items():
        assert SHOWN in page, name
    assert 'class="level-basic_pass">1<' in pages["mine"]
    assert COMMENT in pages["mine"] and COMMENT in pages["write"]
    assert year_figures(member).basic_passed == 1


def test_a_grade_given_after_the_release_is_shown_and_told_at_once(
    org_tree, secretary, member, together, write, mailoutbox, django_capture_on_commit_callbacks
):
    services.release_grades(secretary, session=together, organization=org_tree.cell_a1a)
    essay = write(member, together, ORIGINAL)

    with django_capture_on_commit_callbacks(execute=True):
        services.grade_essay(secretary, essay=essay, level="pass", marks=["met"] * 3)

    assert told(member, together) == 1
    assert [m.to for m in mailoutbox] == [[member.email]]
    assert queries.my_essays(member, now=AFTER)[0].grade.level == "pass"


def test_a_session_graded_as_usual_shows_and_tells_at_once(
    org_tree, secretary, member, session, write, mailoutbox, django_capture_on_commit_callbacks
):
    essay = write(member, session, ORIGINAL)

    with django_capture_on_commit_callbacks(execute=True):
        services.grade_essay(secretary, essay=essay, level="pass")
    with pytest.raises(EssayError) as nothing_to_release:
        services.release_grades(secretary, session=session, organization=org_tree.cell_a1a)

    assert [m.to for m in mailoutbox] == [[member.email]]
    assert queries.my_essays(member, now=AFTER)[0].status == Essay.Status.GRADED
    assert nothing_to_release.value.code == "not_released_together"


def test_a_deputy_does_not_release(org_tree, holder_of, together, graded):
    deputy = holder_of(Role.DEPUTY_SECRETARY, org_tree.cell_a1a, cell=org_tree.cell_a1a)

    with pytest.raises(EssayError) as refused:
        services.release_grades(deputy, session=together, organization=org_tree.cell_a1a)

    assert refused.value.code == "out_of_reach"
    assert not GradeRelease.objects.exists()


def test_the_secretary_releases_from_the_queue_and_a_double_tap_releases_once(
    client, org_tree, secretary, member, together, graded, django_capture_on_commit_callbacks
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(secretary)
    queue = client.get(reverse("essays:queue", args=[together.pk]))
    url = reverse("essays:release", args=[together.pk, org_tree.cell_a1a.pk])
    key = queue.context["releases"] and _once_key(queue.content.decode(), url)

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, {"once": key})
        second = client.post(url, {"once": key})
    after = client.get(reverse("essays:queue", args=[together.pk])).content.decode()

    assert "Release the grades of Chi bộ A1a" in queue.content.decode()
    assert "1 graded, 0 waiting" in queue.content.decode()
    assert first.status_code == second.status_code == 302
    assert GradeRelease.objects.get().released_by == secretary
    assert told(member, together) == 1
    assert "Released by" in after and "Release the grades of" not in after


def test_another_cells_secretary_cannot_release(client, org_tree, secretary_of, together, graded):
    client.force_login(secretary_of(org_tree.cell_a1b))

    response = client.post(reverse("essays:release", args=[together.pk, org_tree.cell_a1a.pk]))

    assert response.status_code == 404
    assert not GradeRelease.objects.exists()
    assert not Notice.objects.exists()


def _once_key(page: str, action: str) -> str:
    form = page[page.index(f'action="{action}"') :]
    start = form.index('name="once" value="') + len('name="once" value="')
    return form[start : start + 32]


@pytest.mark.django_db(transaction=True)
@needs_postgres
@pytest.mark.parametrize(
    "grade_first", [True, False], ids=["grade-then-release", "release-then-grade"]
)
def test_a_grade_saved_while_the_cell_is_released_is_told_once(
    org_tree, secretary, member, together, write, grade_first
):
    essay = write(member, together, ORIGINAL)

    def grade():
        services.grade_essay(secretary, essay=essay, level="pass", marks=["met"] * 3)

    def release():
        services.release_grades(secretary, session=together, organization=org_tree.cell_a1a)

    outcomes = in_turn(grade, release) if grade_first else in_turn(release, grade)

    assert outcomes["blocked"] == 1
    assert (outcomes["first"], outcomes["second"]) == ("done", "done")
    assert told(member, together) == 1


@pytest.mark.django_db(transaction=True)
@needs_postgres
def test_two_releases_at_once_tell_each_member_once(org_tree, secretary, member, together, write):
    services.grade_essay(
        secretary, essay=write(member, together, ORIGINAL), level="pass", marks=["met"] * 3
    )

    def release():
        services.release_grades(secretary, session=together, organization=org_tree.cell_a1a)

    outcomes = in_turn(release, release)

    assert outcomes["blocked"] == 1
    assert outcomes["first"] == "done"
    assert isinstance(outcomes["second"], EssayError)
    assert outcomes["second"].code == "already_released"
    assert GradeRelease.objects.count() == 1
    assert told(member, together) == 1


@pytest.mark.parametrize("n", [1, 4])
def test_the_queue_with_its_releases_keeps_to_a_bounded_number_of_queries(
    client,
    org_tree,
    secretary,
    member_of,
    together,
    write,
    n,
    django_assert_max_num_queries,
):
    for i in range(n):
        author = member_of(org_tree.cell_a1a)
        study_services.add_participant(secretary, session=together, user=author)
        essay = write(author, together, INDEPENDENT[i % len(INDEPENDENT)])
        services.grade_essay(secretary, essay=essay, level="pass", marks=["met"] * 3)
    client.force_login(secretary)

    with django_assert_max_num_queries(13):
        response = client.get(reverse("essays:queue", args=[together.pk]))

    [cell] = response.context["releases"]
    assert (cell.organization, cell.graded, cell.waiting, cell.release) == (
        org_tree.cell_a1a,
        n,
        0,
        None,
    )


def test_a_stale_tab_saving_the_graded_essay_is_not_told_it_is_graded(
    client, member, together, graded
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(member)

    with time_machine.travel(AFTER, tick=False):
        refused = client.post(
            reverse("essays:autosave", args=[together.pk]),
            {"revision": graded.revision, "understanding": "Một tab cũ vẫn mở"},
        )

    assert refused.status_code == 409
    assert refused.json()["error"] == "The essay is submitted and can no longer be changed."
    assert Essay.objects.get().understanding == ORIGINAL["understanding"]


@pytest.fixture
def deputy(org_tree, holder_of):
    """Cell A1a's deputy secretary, a member of the cell (expected at `together`)."""
    return holder_of(
        Role.DEPUTY_SECRETARY, org_tree.cell_a1a, org_tree.cell_a1a, full_name="Phó Bí Thư"
    )


def test_a_grader_does_not_see_their_own_unreleased_grade_on_the_grading_page(
    client, deputy, secretary, together, write
):
    essay = write(deputy, together, INDEPENDENT[0])
    services.grade_essay(secretary, essay=essay, level="basic_pass", comment=COMMENT, marks=MARKS)
    client.force_login(deputy)

    with time_machine.travel(AFTER, tick=False):
        own = client.get(reverse("essays:grade", args=[essay.pk]))

    assert own.status_code == 404
    assert COMMENT not in own.content.decode()


def _sheet_rows(response) -> list[tuple]:
    from io import BytesIO

    from openpyxl import load_workbook

    return list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))


def test_a_graders_own_unreleased_grade_is_left_out_of_their_grade_list(
    client, deputy, secretary, member, together, write, graded
):
    essay = write(deputy, together, INDEPENDENT[0])
    services.grade_essay(
        secretary,
        essay=essay,
        level="fail",
        comment="Riêng của phó bí thư",
        marks=["not_met", "met", "met"],
    )
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(deputy)

    with time_machine.travel(AFTER, tick=False):
        response = client.get(reverse("essays:session-xlsx", args=[together.pk]))

    rows = _sheet_rows(response)
    [own] = [r for r in rows if r[1] == "Phó Bí Thư"]
    [other] = [r for r in rows if r[1] == member.full_name]
    assert (own[6], own[8], own[9], own[10]) == ("Submitted", None, None, None)
    assert (other[8], other[9]) == ("Basic pass", COMMENT)  # the members they grade: as given
    assert [r[6] for r in rows if r[0] in ("Fail", "Basic pass")] == [1, 0]


def test_the_release_choice_is_fixed_once_an_essay_is_graded_even_before_the_end(
    org_tree, secretary, together, graded, spec_for
):
    from study.errors import StudyError

    # The end still ahead (or moved back there by an edit): a grade given decides it.
    assert together.ends_at > timezone.now()
    spec = spec_for(
        org_tree.cell_a1a,
        essay_required=True,
        essay_deadline=at(20, 17),
        grades_released_together=False,
    )
    with pytest.raises(StudyError) as refused:
        study_services.update_session(secretary, session=together, spec=spec)

    together.refresh_from_db()
    assert refused.value.code == "release_choice_fixed"
    assert together.grades_released_together is True
