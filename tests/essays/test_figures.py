from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from essays import services
from members.models import Role
from study import services as study_services
from tests.essays.corpus import INDEPENDENT, ORIGINAL
from tests.times import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def graded(org_tree, member_of, secretary, member, session, write):
    """In A1a: the member on time (pass), a late one (fail), one missing; the secretary's own
    essay missing too."""
    late = member_of(org_tree.cell_a1a, full_name="Người Nộp Muộn")
    missing = member_of(org_tree.cell_a1a, full_name="Người Chưa Nộp")
    for user in (late, missing):
        study_services.add_participant(secretary, session=session, user=user)
    services.grade_essay(secretary, essay=write(member, session, ORIGINAL), level="pass")
    services.grade_essay(
        secretary, essay=write(late, session, INDEPENDENT[0], when=at(22, 9)), level="fail"
    )
    return session


def test_session_figures_per_organisation(client, secretary, graded):
    client.force_login(secretary)

    response = client.get(reverse("essays:figures", args=[graded.pk]))

    (row,) = response.context["rows"]
    assert (row.expected, row.submitted, row.on_time, row.late, row.missing) == (4, 2, 1, 1, 2)
    assert row.levels == {"pass": 1, "basic_pass": 0, "fail": 1}


def test_grade_list_is_a_real_workbook(client, secretary, graded):
    client.force_login(secretary)

    response = client.get(reverse("essays:session-xlsx", args=[graded.pk]))
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))

    assert rows[0][0] == "KẾT QUẢ CHẤM BÀI THU HOẠCH"
    body = {r[1]: r for r in rows[4:]}
    assert body["Đảng Viên Viết Bài"][8] == "Đạt"
    assert body["Người Nộp Muộn"][7] == "có" and body["Người Nộp Muộn"][8] == "Chưa đạt"


def test_grade_list_for_a_period_and_an_organisation(client, org_tree, holder_of, graded):
    client.force_login(holder_of(Role.PROPAGANDA_OFFICER, org_tree.upper_a))

    response = client.get(
        reverse("essays:grades-xlsx"),
        {"organization": org_tree.committee_a1.pk, "start": "2026-12-01", "end": "2026-12-31"},
    )
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    page = client.get(reverse("essays:figures", args=[graded.pk]))

    people = [r for r in rows[4:] if isinstance(r[0], int)]
    totals = {r[0]: r[6] for r in rows[4:] if isinstance(r[0], str)}
    total = page.context["total"]
    assert len(people) == total.expected == 4  # drafts and never-opened essays included
    assert sorted(r[6] for r in people) == ["Chưa nộp", "Chưa nộp", "Đã chấm", "Đã chấm"]
    assert (totals["Phải nộp"], totals["Nộp đúng hạn"], totals["Nộp muộn"]) == (
        total.expected,
        total.on_time,
        total.late,
    )
    assert totals["Chưa nộp"] == total.missing
    assert (totals["Đạt"], totals["Cơ bản đạt"], totals["Chưa đạt"]) == (1, 0, 1)


def test_figures_of_another_subtree_are_404(client, org_tree, secretary_of, graded):
    client.force_login(secretary_of(org_tree.cell_b))

    assert client.get(reverse("essays:figures", args=[graded.pk])).status_code == 404


@pytest.mark.parametrize("n", [1, 4])
def test_grade_list_queries_do_not_grow(
    client, org_tree, member_of, secretary, session, write, n, django_assert_max_num_queries
):
    for i in range(n):
        author = member_of(org_tree.cell_a1a)
        study_services.add_participant(secretary, session=session, user=author)
        services.grade_essay(
            secretary, essay=write(author, session, INDEPENDENT[i % 4]), level="pass"
        )
    client.force_login(secretary)

    with django_assert_max_num_queries(10):
        client.get(reverse("essays:session-xlsx", args=[session.pk]))
    with django_assert_max_num_queries(10):
        client.get(reverse("essays:figures", args=[session.pk]))


def test_member_sees_their_year(client, member, graded):
    client.force_login(member)

    import time_machine

    with time_machine.travel(at(23, 9), tick=False):
        response = client.get(reverse("essays:mine"))

    (record,) = response.context["years"]
    assert (record.year, record.essays, record.submitted) == (2026, 1, 1)
    assert record.levels["pass"] == 1
