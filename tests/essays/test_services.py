import pytest

from essays import services
from essays.errors import EssayError
from essays.models import Essay, Grade
from members.models import AuditEntry, Notice, Role
from study import services as study_services
from tests.essays.conftest import AFTER
from tests.essays.corpus import ORIGINAL, PLAN
from tests.times import at

pytestmark = pytest.mark.django_db


def test_the_essay_opens_only_after_the_session_ended(member, session):
    with pytest.raises(EssayError) as early:
        services.essay_for(member, session=session, now=at(10, 12))

    essay = services.essay_for(member, session=session, now=AFTER)

    assert early.value.code == "not_ended"
    assert essay.status == Essay.Status.DRAFT


def test_autosave_refuses_an_older_copy(member, session):
    essay = services.essay_for(member, session=session, now=AFTER)
    services.save_draft(
        member, essay=essay, revision=0, sections={"understanding": "Bản mới"}, plan=[]
    )

    with pytest.raises(EssayError) as stale:
        services.save_draft(
            member, essay=essay, revision=0, sections={"understanding": "Bản cũ"}, plan=[]
        )

    essay.refresh_from_db()
    assert stale.value.code == "stale_copy"
    assert (essay.understanding, essay.revision) == ("Bản mới", 1)


@pytest.mark.parametrize(
    ("sections", "plan", "code"),
    [
        ({**ORIGINAL, "proposals": " "}, PLAN, "section_missing"),
        (ORIGINAL, [], "plan_missing"),
        (ORIGINAL, [{**PLAN[0], "responsible": ""}], "plan_incomplete"),
    ],
)
def test_an_incomplete_essay_cannot_be_submitted(member, session, sections, plan, code):
    essay = services.essay_for(member, session=session, now=AFTER)
    essay = services.save_draft(member, essay=essay, revision=0, sections=sections, plan=plan)

    with pytest.raises(EssayError) as error:
        services.submit_essay(member, essay=essay, now=AFTER)

    assert error.value.code == code
    essay.refresh_from_db()
    assert essay.status == Essay.Status.DRAFT


def test_late_submission_is_accepted_and_marked(member, session, write):
    on_time = write(member, session, ORIGINAL)

    assert on_time.status == Essay.Status.SUBMITTED and not on_time.late


def test_after_the_deadline_it_is_late(member, session, write):
    essay = write(member, session, ORIGINAL, when=at(21, 9))

    assert essay.late


def test_a_submitted_essay_cannot_be_changed_or_resubmitted(member, session, write):
    essay = write(member, session, ORIGINAL)

    with pytest.raises(EssayError) as change:
        services.save_draft(
            member, essay=essay, revision=essay.revision, sections=ORIGINAL, plan=PLAN
        )
    with pytest.raises(EssayError) as again:
        services.submit_essay(member, essay=essay)

    assert (change.value.code, again.value.code) == ("not_editable", "not_editable")


def test_secretary_grades_and_regrades_with_history(secretary, member, session, write):
    essay = write(member, session, ORIGINAL)

    services.grade_essay(secretary, essay=essay, level="basic_pass", comment="Đề xuất còn chung")
    services.grade_essay(secretary, essay=essay, level="pass", comment="Đã xem lại")

    assert [g.level for g in essay.grades.all()] == ["pass", "basic_pass"]
    entries = list(AuditEntry.objects.filter(action="essays.grade").order_by("pk"))
    assert entries[1].before["level"] == "basic_pass" and entries[1].after["level"] == "pass"
    assert Notice.objects.filter(user=member).count() == 2
    with pytest.raises(EssayError) as after_grading:
        services.save_draft(
            member, essay=essay, revision=essay.revision, sections=ORIGINAL, plan=PLAN
        )
    assert after_grading.value.code == "not_editable"


def test_grading_a_draft_or_a_level_outside_the_three_is_refused(secretary, member, session, write):
    draft = write(member, session, ORIGINAL, submit=False)

    with pytest.raises(EssayError) as not_submitted:
        services.grade_essay(secretary, essay=draft, level="pass")
    services.submit_essay(member, essay=draft, now=AFTER)
    with pytest.raises(EssayError) as bad_level:
        services.grade_essay(secretary, essay=draft, level="xuất sắc")

    assert (not_submitted.value.code, bad_level.value.code) == ("not_submitted", "bad_level")
    assert not Grade.objects.exists()


def test_nobody_grades_their_own_essay_and_a_secretarys_goes_above(
    org_tree, secretary, holder_of, session, write
):
    deputy = holder_of(Role.DEPUTY_SECRETARY, org_tree.cell_a1a, cell=org_tree.cell_a1a)
    committee_secretary = holder_of(Role.SECRETARY, org_tree.committee_a1)
    study_services.add_participant(secretary, session=session, user=deputy)
    own = write(secretary, session, ORIGINAL)

    with pytest.raises(EssayError) as self_grading:
        services.grade_essay(secretary, essay=own, level="pass")
    with pytest.raises(EssayError) as colleague:
        services.grade_essay(deputy, essay=own, level="pass")
    grade = services.grade_essay(committee_secretary, essay=own, level="pass")

    assert (self_grading.value.code, colleague.value.code) == ("own_essay", "needs_level_above")
    assert grade.grader == committee_secretary


def test_another_cells_secretary_cannot_grade(org_tree, secretary_of, member, session, write):
    essay = write(member, session, ORIGINAL)

    with pytest.raises(EssayError) as error:
        services.grade_essay(secretary_of(org_tree.cell_a1b), essay=essay, level="pass")

    assert error.value.code == "out_of_reach"


def test_return_for_revision_then_resubmit(secretary, member, session, write):
    essay = write(member, session, ORIGINAL)

    services.return_essay(secretary, essay=essay, comment="Bổ sung đề xuất cụ thể hơn")
    essay.refresh_from_db()
    essay = services.save_draft(
        member,
        essay=essay,
        revision=essay.revision,
        sections={**ORIGINAL, "proposals": ORIGINAL["proposals"] + " Thêm."},
        plan=PLAN,
    )
    services.submit_essay(member, essay=essay, now=AFTER)

    essay.refresh_from_db()
    assert essay.status == Essay.Status.SUBMITTED
    assert essay.return_comment == "Bổ sung đề xuất cụ thể hơn"


def test_return_needs_a_comment(secretary, member, session, write):
    essay = write(member, session, ORIGINAL)

    with pytest.raises(EssayError) as error:
        services.return_essay(secretary, essay=essay, comment="  ")

    assert error.value.code == "comment_missing"


def test_the_author_is_emailed_after_the_grade_commits(
    secretary, member, session, write, mailoutbox, django_capture_on_commit_callbacks
):
    essay = write(member, session, ORIGINAL)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.grade_essay(secretary, essay=essay, level="basic_pass", comment="Cần cụ thể hơn")
    before = len(mailoutbox)
    for callback in callbacks:
        callback()

    assert before == 0
    assert mailoutbox[0].to == [member.email]
    assert "Cơ bản đạt" in mailoutbox[0].body and "Cần cụ thể hơn" in mailoutbox[0].body
