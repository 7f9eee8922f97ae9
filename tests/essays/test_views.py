import pytest
import time_machine
from django.urls import reverse

from essays.models import Essay
from tests.essays.conftest import AFTER
from tests.essays.corpus import INDEPENDENT, ORIGINAL, PLAN

pytestmark = pytest.mark.django_db

ALL_MET = {f"mark-{index}": "met" for index in range(3)}  # the default criteria, each met


def form_data(sections, revision, plan=PLAN, **extra):
    data = {"revision": revision, **sections}
    for index, item in enumerate(plan):
        for name, value in item.items():
            data[f"plan-{index}-{name}"] = value
    data.update(extra)
    return data


def test_autosave_keeps_the_text_and_refuses_a_stale_tab(client, member, session):
    client.force_login(member)
    url = reverse("essays:autosave", args=[session.pk])
    with time_machine.travel(AFTER, tick=False):
        client.get(reverse("essays:write", args=[session.pk]))
        first = client.post(url, form_data({"understanding": "Đang viết dở"}, 0, plan=[]))
        stale = client.post(url, form_data({"understanding": "Bản cũ hơn"}, 0, plan=[]))

    assert first.status_code == 200 and first.json()["revision"] == 1
    assert stale.status_code == 409 and "bản mới hơn" in stale.json()["error"]
    assert Essay.objects.get().understanding == "Đang viết dở"


def test_member_submits_through_the_page(client, member, session):
    client.force_login(member)
    with time_machine.travel(AFTER, tick=False):
        client.get(reverse("essays:write", args=[session.pk]))
        response = client.post(
            reverse("essays:write", args=[session.pk]), form_data(ORIGINAL, 0, submit="1")
        )

    assert response.status_code == 302
    assert Essay.objects.get().status == Essay.Status.SUBMITTED


def test_missing_section_shows_the_message_and_keeps_the_text(client, member, session):
    client.force_login(member)
    with time_machine.travel(AFTER, tick=False):
        client.get(reverse("essays:write", args=[session.pk]))
        response = client.post(
            reverse("essays:write", args=[session.pk]),
            form_data({**ORIGINAL, "proposals": ""}, 0, submit="1"),
        )

    assert response.status_code == 200
    assert "Hãy viết phần “Đề xuất cụ thể" in response.content.decode()
    essay = Essay.objects.get()
    assert essay.status == Essay.Status.DRAFT and essay.understanding == ORIGINAL["understanding"]


def test_queue_lists_waiting_first_and_grading_moves_to_the_next(
    client, org_tree, member_of, secretary, member, session, write
):
    from study import services as study_services

    second = member_of(org_tree.cell_a1a, full_name="Người Thứ Hai")
    study_services.add_participant(secretary, session=session, user=second)
    first_essay = write(member, session, ORIGINAL)
    second_essay = write(second, session, INDEPENDENT[1])
    client.force_login(secretary)

    queue = client.get(reverse("essays:queue", args=[session.pk]))
    graded = client.post(
        reverse("essays:grade", args=[first_essay.pk]),
        {"level": "pass", "comment": "Tốt", "version": first_essay.revision, **ALL_MET},
    )

    assert [e.pk for e in queue.context["essays"]] == [first_essay.pk, second_essay.pk]
    assert graded["Location"] == reverse("essays:grade", args=[second_essay.pk])


def test_another_cells_essay_is_404_to_grade(
    client, org_tree, secretary_of, member, session, write
):
    essay = write(member, session, ORIGINAL)
    client.force_login(secretary_of(org_tree.cell_a1b))

    assert client.get(reverse("essays:grade", args=[essay.pk])).status_code == 404
    assert (
        client.post(reverse("essays:grade", args=[essay.pk]), {"level": "pass"}).status_code == 404
    )
    assert not essay.grades.exists()


def test_member_sees_level_and_comment(client, secretary, member, session, write):
    from essays import services

    essay = write(member, session, ORIGINAL)
    services.grade_essay(secretary, essay=essay, level="basic_pass", comment="Cần cụ thể hơn")
    client.force_login(member)

    with time_machine.travel(AFTER, tick=False):
        page = client.get(reverse("essays:mine")).content.decode()

    assert "Cần cụ thể hơn" in page


@pytest.mark.parametrize("n", [1, 4])
def test_queue_queries_are_bounded(
    client, org_tree, member_of, secretary, session, write, n, django_assert_max_num_queries
):
    from study import services as study_services

    for i in range(n):
        author = member_of(org_tree.cell_a1a)
        study_services.add_participant(secretary, session=session, user=author)
        write(author, session, INDEPENDENT[i % len(INDEPENDENT)])
    client.force_login(secretary)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("essays:queue", args=[session.pk]))

    assert len(response.context["essays"]) == n
