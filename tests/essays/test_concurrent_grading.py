"""Two graders, one essay (issue 15, point 4): the second to save is told the essay was just
graded by the other, with that grade, and nothing of theirs is laid over it silently."""

import pytest
from django.conf import settings
from django.urls import reverse

from essays import services
from essays.errors import GradeConflictError
from essays.models import Essay, Grade
from members.models import Role
from tests.essays.corpus import ORIGINAL
from tests.races import in_turn, needs_postgres

ALL_MET = ["met", "met", "met"]
NONE_MET = ["not_met", "not_met", "not_met"]


@pytest.fixture
def deputy(org_tree, holder_of):
    return holder_of(
        Role.DEPUTY_SECRETARY, org_tree.cell_a1a, cell=org_tree.cell_a1a, full_name="Phó Bí Thư"
    )


def post(essay_pk, version, level, marks, comment=""):
    data = {"level": level, "comment": comment, "version": version}
    data.update({f"mark-{index}": mark for index, mark in enumerate(marks)})
    return data


@pytest.mark.django_db
def test_the_second_grader_in_turn_is_refused_with_the_first_grade(
    secretary, deputy, member, session, write
):
    essay = write(member, session, ORIGINAL)
    opened_at = essay.revision  # both open the page now
    services.grade_essay(
        secretary, essay=essay, level="pass", marks=ALL_MET, comment="Tốt", version=opened_at
    )

    with pytest.raises(GradeConflictError) as refused:
        services.grade_essay(deputy, essay=essay, level="fail", marks=NONE_MET, version=opened_at)

    assert refused.value.code == "graded_meanwhile"
    assert refused.value.grade.grader == secretary and refused.value.grade.level == "pass"
    assert "Bí Thư A1a" in refused.value.message
    assert list(Grade.objects.values_list("level", "grader")) == [("pass", secretary.pk)]


@pytest.mark.django_db
def test_a_grade_saved_again_over_the_new_version_is_a_deliberate_regrade(
    secretary, deputy, member, session, write
):
    essay = write(member, session, ORIGINAL)
    services.grade_essay(
        secretary, essay=essay, level="pass", marks=ALL_MET, version=essay.revision
    )
    seen = Essay.objects.get(pk=essay.pk).revision

    regrade = services.grade_essay(
        deputy, essay=essay, level="fail", marks=NONE_MET, version=seen, comment="Xem lại"
    )

    assert Essay.objects.get(pk=essay.pk).latest_grade == regrade
    assert Grade.objects.count() == 2


@pytest.mark.django_db
def test_an_essay_returned_meanwhile_is_not_graded(secretary, deputy, member, session, write):
    essay = write(member, session, ORIGINAL)
    opened_at = essay.revision
    services.return_essay(secretary, essay=essay, comment="Viết lại phần đề xuất")

    with pytest.raises(GradeConflictError) as refused:
        services.grade_essay(deputy, essay=essay, level="pass", marks=ALL_MET, version=opened_at)

    assert refused.value.code == "changed_meanwhile" and refused.value.grade is None
    assert not Grade.objects.exists()


@pytest.mark.django_db
def test_the_second_graders_page_says_who_graded_and_keeps_their_choices(
    client, secretary, deputy, member, session, write
):
    essay = write(member, session, ORIGINAL)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(deputy)
    url = reverse("essays:grade", args=[essay.pk])
    opened = client.get(url).context["grade_form"]["version"].value()
    services.grade_essay(
        secretary, essay=essay, level="pass", marks=ALL_MET, comment="Tốt", version=opened
    )

    refused = client.post(url, post(essay.pk, opened, "fail", NONE_MET, "Chưa đạt vì sao chép"))
    page = refused.content.decode()
    again = client.post(
        url,
        post(essay.pk, refused.context["grade_form"]["version"].value(), "fail", NONE_MET, "Vẫn"),
    )

    assert refused.status_code == 200
    assert "Bí Thư A1a has just graded this essay: Pass" in page
    assert 'id="grade-history"' in page and "Tốt" in page
    assert refused.context["grade_form"]["comment"].value() == "Chưa đạt vì sao chép"
    assert again.status_code == 302
    assert list(Grade.objects.order_by("pk").values_list("grader", "level")) == [
        (secretary.pk, "pass"),
        (deputy.pk, "fail"),
    ]


@pytest.mark.django_db(transaction=True)
@needs_postgres
def test_two_graders_saving_at_the_same_time_the_second_waits_and_is_refused(
    secretary, deputy, member, session, write
):
    essay = write(member, session, ORIGINAL)
    opened_at = essay.revision
    outcomes = in_turn(  # the second waits on the essay's row lock
        lambda: services.grade_essay(
            secretary, essay=essay, level="pass", marks=ALL_MET, version=opened_at
        ),
        lambda: services.grade_essay(
            deputy, essay=essay, level="fail", marks=NONE_MET, version=opened_at
        ),
    )

    assert outcomes["blocked"] == 1
    assert outcomes["first"] == "done"
    assert isinstance(outcomes["second"], GradeConflictError)
    assert outcomes["second"].code == "graded_meanwhile"
    assert outcomes["second"].grade.grader == secretary
    assert list(Grade.objects.values_list("grader", "level")) == [(secretary.pk, "pass")]


@pytest.mark.django_db
def test_a_page_without_its_version_is_told_to_open_the_essay_again(
    client, secretary, member, session, write
):
    essay = write(member, session, ORIGINAL)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(secretary)

    response = client.post(
        reverse("essays:grade", args=[essay.pk]),
        {k: v for k, v in post(essay.pk, 0, "pass", ALL_MET).items() if k != "version"},
    )

    assert response.status_code == 200
    assert "This page is out of date: open the essay again" in response.content.decode()
    assert not Grade.objects.exists()
