from io import BytesIO

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from attendance import services, tokens
from tests.times import at

pytestmark = pytest.mark.django_db


def checked_in(member, segment, moment):
    token = tokens.make_token(segment.pk, None, "in", tokens.window_at(moment))
    services.check_in_with_token(member, token=token, scanned_at=moment, now=moment)


def test_session_sheet_is_a_real_printable_workbook(client, secretary, member, morning, session):
    checked_in(member, morning, at(10, 7, 40))
    client.force_login(secretary)

    with time_machine.travel(at(10, 18), tick=False):  # after the session: no "not yet"
        response = client.get(reverse("attendance:sheet-xlsx", args=[session.pk]))
    sheet = load_workbook(BytesIO(response.content)).active

    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert response["Content-Disposition"].startswith("attachment")
    assert rows[0][0] == "BẢNG ĐIỂM DANH"
    assert rows[4][:5] == ["STT", "Họ và tên", "Số thẻ đảng viên", "Chi bộ", "Buổi sáng"]
    member_row = next(r for r in rows if r[1] == "Đảng Viên Một")
    assert member_row[4] == "Có mặt 07:40" and member_row[5] in (
        "Vắng không lý do",
        "Chưa điểm danh",
    )
    assert sheet.freeze_panes == "C6"
    assert sheet.page_setup.orientation == "landscape"


def test_members_by_sessions_matrix(
    client, org_tree, secretary, member, morning, afternoon, session
):
    checked_in(member, morning, at(10, 7, 40))
    client.force_login(secretary)

    with time_machine.travel(at(11, 8), tick=False):
        response = client.get(
            reverse("attendance:matrix"),
            {"organization": org_tree.cell_a1a.pk, "start": "2026-12-01", "end": "2026-12-31"},
        )
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))

    member_row = next(r for r in rows if r[1] == "Đảng Viên Một")
    assert member_row[4] == "Tham dự một phần" and member_row[5] == "0/1"


def test_matrix_refuses_another_subtree_and_inverted_dates(client, org_tree, secretary):
    client.force_login(secretary)

    other = client.get(
        reverse("attendance:matrix"),
        {"organization": org_tree.cell_b.pk, "start": "2026-12-01", "end": "2026-12-31"},
    )
    inverted = client.get(
        reverse("attendance:matrix"),
        {"organization": org_tree.cell_a1a.pk, "start": "2026-12-31", "end": "2026-12-01"},
    )

    assert other.status_code == 200 and other.context["form"].errors["organization"]
    assert inverted.status_code == 200 and inverted.context["form"].non_field_errors()


@pytest.mark.parametrize("n", [1, 4])
def test_exports_queries_do_not_grow_with_members(
    client, org_tree, secretary, member_of, session, n, django_assert_max_num_queries
):
    from study import services as study_services

    for _ in range(n):
        study_services.add_participant(
            secretary, session=session, user=member_of(org_tree.cell_a1a)
        )
    client.force_login(secretary)

    # session, login and grants (4); the session, participants, segments; the five kinds of
    # facts an outcome reads (check-ins, excuses, prompts, manual marks).
    with django_assert_max_num_queries(11):
        client.get(reverse("attendance:sheet-xlsx", args=[session.pk]))
    # The matrix counts the organisation's members too: is it for the background?
    with django_assert_max_num_queries(12):
        client.get(
            reverse("attendance:matrix"),
            {"organization": org_tree.cell_a1a.pk, "start": "2026-12-01", "end": "2026-12-31"},
        )
