"""Criteria per session (issue 15, point 3): the organiser sets them, the grader marks each one
before choosing the level, the level's rule is shown, and the marks are kept with the grade."""

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from essays import criteria, services
from essays.errors import EssayError
from essays.models import Essay, Grade, GradeMark, Level
from members.models import AuditEntry
from study import services as study_services
from study.models import StudySession
from tests.essays.corpus import ORIGINAL
from tests.study.test_views import form_data as session_form_data
from tests.times import at

pytestmark = pytest.mark.django_db

OWN_CRITERIA = [
    "Nắm vững nội dung Kết luận 328",
    "Liên hệ với nhiệm vụ của Vụ",
    "Kế hoạch cá nhân khả thi",
    "Trình bày rõ ràng",
]


@pytest.fixture
def own_session(org_tree, secretary, member, spec_for):
    created = study_services.create_session(
        secretary,
        spec=spec_for(
            org_tree.cell_a1a,
            essay_required=True,
            essay_deadline=at(20, 17),
            grading_criteria=["  ", *OWN_CRITERIA, ""],
        ),
    )
    return study_services.publish_session(secretary, session=created)


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def grade_post(essay, marks, level, comment="", **extra):
    data = {"level": level, "comment": comment, "version": essay.revision}
    data.update({f"mark-{index}": mark for index, mark in enumerate(marks)})
    data.update(extra)
    return data


@pytest.mark.parametrize(
    ("marks", "level"),
    [
        (["met", "met", "met"], Level.PASS),
        (["met", "partly", "met"], Level.BASIC_PASS),
        (["partly", "partly", "partly"], Level.BASIC_PASS),
        (["met", "met", "not_met"], Level.FAIL),
        (["not_met", "partly", "met"], Level.FAIL),
    ],
)
def test_the_rule_points_to_one_level(marks, level):
    assert criteria.level_for(marks) == level


def test_a_session_without_its_own_criteria_is_graded_on_the_defaults(session):
    with translation.override("en"):
        shown = session.criteria()

    assert session.grading_criteria == []
    assert shown == [
        "Grasp of the document's content",
        "Concrete proposals tied to the unit's political task",
        "A feasible personal action plan",
    ]


def test_the_organisers_criteria_are_kept_without_blank_lines(own_session):
    own_session.refresh_from_db()

    assert own_session.grading_criteria == OWN_CRITERIA
    assert own_session.criteria() == OWN_CRITERIA


def test_the_marks_are_kept_with_the_grade_with_the_criteria_as_they_were(
    secretary, member, own_session, write
):
    essay = write(member, own_session, ORIGINAL)

    grade = services.grade_essay(
        secretary,
        essay=essay,
        level="basic_pass",
        marks=["met", "partly", "met", "met"],
        version=essay.revision,
    )
    StudySession.objects.filter(pk=own_session.pk).update(grading_criteria=["Khác"])

    kept = [(m.criterion, m.mark) for m in grade.marks.all()]
    assert kept == list(zip(OWN_CRITERIA, ["met", "partly", "met", "met"], strict=True))
    audit = AuditEntry.objects.filter(action="essays.grade").get()
    assert audit.after["marks"] == [list(pair) for pair in kept]


@pytest.mark.parametrize(
    "marks",
    [
        ["met", "met", "met"],  # one criterion left unmarked
        ["met", "met", "met", "met", "met"],
        ["met", "met", "đạt", "met"],
    ],
)
def test_every_criterion_must_be_marked(secretary, member, own_session, write, marks):
    essay = write(member, own_session, ORIGINAL)

    with pytest.raises(EssayError) as refused:
        services.grade_essay(secretary, essay=essay, level="pass", marks=marks)

    assert refused.value.code == "marks_missing"
    assert not Grade.objects.exists()


def test_a_level_against_the_marks_needs_a_comment(secretary, member, own_session, write):
    essay = write(member, own_session, ORIGINAL)
    marks = ["met", "met", "not_met", "met"]

    with pytest.raises(EssayError) as refused:
        services.grade_essay(secretary, essay=essay, level="basic_pass", marks=marks, comment=" ")
    grade = services.grade_essay(
        secretary,
        essay=essay,
        level="basic_pass",
        marks=marks,
        comment="Kế hoạch còn chung nhưng đã sửa sau góp ý",
    )

    assert refused.value.code == "level_against_marks"
    assert (grade.level, grade.marks.count()) == ("basic_pass", 4)
    assert Grade.objects.count() == 1


def test_the_grade_page_shows_the_criteria_the_marks_and_the_rule(
    client, secretary, member, own_session, write
):
    essay = write(member, own_session, ORIGINAL)
    english(client).force_login(secretary)

    page = client.get(reverse("essays:grade", args=[essay.pk])).content.decode()

    for criterion in OWN_CRITERIA:
        assert f"<legend>{criterion}</legend>" in page
    assert page.count('value="partly"') == len(OWN_CRITERIA)
    assert "every criterion met" in page and "a criterion not met" in page
    assert f'name="version" value="{essay.revision}"' in page


def test_the_secretary_grades_with_marks_through_the_page(
    client, secretary, member, own_session, write
):
    essay = write(member, own_session, ORIGINAL)
    client.force_login(secretary)

    response = client.post(
        reverse("essays:grade", args=[essay.pk]),
        grade_post(essay, ["met", "met", "met", "partly"], "basic_pass"),
    )

    assert response.status_code == 302
    grade = Grade.objects.get()
    assert [m.mark for m in grade.marks.all()] == ["met", "met", "met", "partly"]
    assert Essay.objects.get().status == Essay.Status.GRADED


def test_a_grade_without_marks_is_sent_back_with_what_to_do(
    client, secretary, member, own_session, write
):
    essay = write(member, own_session, ORIGINAL)
    english(client).force_login(secretary)

    response = client.post(
        reverse("essays:grade", args=[essay.pk]),
        grade_post(essay, ["met", "met"], "pass", comment="Tốt"),
    )

    assert response.status_code == 200
    assert "Mark this criterion." in response.content.decode()
    assert response.context["grade_form"]["comment"].value() == "Tốt"
    assert not Grade.objects.exists()


def test_a_level_against_the_marks_without_comment_is_sent_back(
    client, secretary, member, own_session, write
):
    essay = write(member, own_session, ORIGINAL)
    english(client).force_login(secretary)

    response = client.post(
        reverse("essays:grade", args=[essay.pk]),
        grade_post(essay, ["met", "met", "met", "met"], "fail"),
    )

    assert response.status_code == 200
    assert "The marks point to “Pass”" in response.content.decode()
    assert not Grade.objects.exists() and not GradeMark.objects.exists()


def test_the_organiser_sets_criteria_and_release_where_the_session_is_edited(
    client, org_tree, secretary
):
    client.force_login(secretary)
    data = session_form_data(
        org_tree.cell_a1a,
        grading_criteria="Hiểu nội dung\r\n\r\nĐề xuất gắn với nhiệm vụ\r\n",
        grades_released_together="on",
    )

    created = client.post(reverse("study:session-create"), data)
    session = StudySession.objects.get()
    edit_page = client.get(reverse("study:session-edit", args=[session.pk])).content.decode()

    assert created.status_code == 302
    assert session.grading_criteria == ["Hiểu nội dung", "Đề xuất gắn với nhiệm vụ"]
    assert session.grades_released_together is True
    assert "Hiểu nội dung\nĐề xuất gắn với nhiệm vụ</textarea>" in edit_page


def test_more_criteria_than_allowed_are_refused(client, org_tree, secretary):
    client.force_login(secretary)
    data = session_form_data(
        org_tree.cell_a1a, grading_criteria="\n".join(f"Tiêu chí {n}" for n in range(9))
    )

    response = client.post(reverse("study:session-create"), data)

    assert response.status_code == 200
    assert not StudySession.objects.exists()


def test_a_change_of_criteria_or_release_is_in_the_sessions_history(
    org_tree, secretary, session, spec_for
):
    from study import queries as study_queries

    study_services.update_session(
        secretary,
        session=session,
        spec=spec_for(
            org_tree.cell_a1a,
            essay_required=True,
            essay_deadline=at(20, 17),
            grading_criteria=["Hiểu nội dung", "Đề xuất cụ thể"],
            grades_released_together=True,
        ),
    )

    with translation.override("en"):
        [latest, *_older] = study_queries.session_history(session)
        changes = {c.label: (c.before, c.after) for c in latest.changes}

    assert changes["Grading criteria"] == ("—", "Hiểu nội dung, Đề xuất cụ thể")
    assert changes["Grades released together"] == ("no", "yes")


def test_whether_grades_are_released_together_is_fixed_once_the_session_has_ended(
    org_tree, secretary, session, spec_for
):
    from study.errors import StudyError

    def spec(**options):
        return spec_for(
            org_tree.cell_a1a, essay_required=True, essay_deadline=at(20, 17), **options
        )

    with time_machine.travel(at(10, 17), tick=False), pytest.raises(StudyError) as refused:
        study_services.update_session(
            secretary, session=session, spec=spec(grades_released_together=True)
        )
    with time_machine.travel(at(10, 17), tick=False):
        study_services.update_session(
            secretary, session=session, spec=spec(grading_criteria=["Hiểu nội dung"])
        )

    session.refresh_from_db()
    assert refused.value.code == "release_choice_fixed"
    assert (session.grades_released_together, session.grading_criteria) == (
        False,
        ["Hiểu nội dung"],
    )
