"""Issue 14: the lean check-in path keeps every guarantee of the old one, in fewer statements."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from attendance import services, tokens
from attendance.errors import AttendanceError
from attendance.models import CheckIn
from members.models import Role
from tests.attendance.test_views import qr_path
from tests.times import at

pytestmark = pytest.mark.django_db

# On PostgreSQL with Redis (CI): the user with whether they hold a role above a cell
# (members.backends), the one statement that reads the segment and inserts or finds, and the
# session's "running" the first time; the login session is served from Redis. On SQLite (the
# test settings keep sessions in the database): the session, the user, the segment, an
# insert, then a find when it inserted nothing.
ON_POSTGRESQL = connection.vendor == "postgresql"
STATEMENTS_FIRST = 3 if ON_POSTGRESQL else 5
STATEMENTS_AGAIN = 2 if ON_POSTGRESQL else 5


def test_a_check_in_and_a_double_tap_take_a_few_statements(
    client, member, morning, django_assert_num_queries
):
    client.force_login(member)
    path = qr_path(morning, at(10, 7, 58))
    with time_machine.travel(at(10, 7, 58), tick=False):
        with django_assert_num_queries(STATEMENTS_FIRST):
            first = client.get(path)
        with django_assert_num_queries(STATEMENTS_AGAIN):
            again = client.get(path)

    assert first.status_code == 200 and first.context["result"].created
    assert again.status_code == 200 and not again.context["result"].created
    assert CheckIn.objects.get().at == at(10, 7, 58)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="one statement on PostgreSQL")
def test_on_postgresql_the_check_in_itself_is_one_statement(
    member, morning, django_assert_num_queries
):
    moment = at(10, 7, 40)
    token = tokens.make_token(morning.pk, None, "in", tokens.window_at(moment))
    services.check_in_with_token(member, token=token, scanned_at=moment, now=moment)

    with django_assert_num_queries(1):  # segment, participant, insert or find: one statement
        again = services.check_in_with_token(member, token=token, scanned_at=moment, now=moment)

    assert not again.created and again.check_in.at == moment
    assert again.check_in.segment.name == "Buổi sáng" and not again.late


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the rule in SQL is PostgreSQL's")
@pytest.mark.parametrize("direction", ["in", "out"])
def test_the_statement_and_the_refusals_agree_on_the_times(member, afternoon, direction):
    """The one statement judges the times in SQL; the refusal is worded from the same rule in
    Python. At each edge of the window, they must agree."""
    edges = [
        afternoon.checkin_opens_at,
        afternoon.ends_at,
        afternoon.ends_at + services.CHECKOUT_GRACE,
    ]
    moments = sorted({edge + timedelta(seconds=s) for edge in edges for s in (-1, 0, 1)})
    if direction == "out":  # a check-out closes a check-in
        services.check_in_with_token(
            member,
            token=tokens.make_token(afternoon.pk, None, "in", tokens.window_at(at(10, 14))),
            scanned_at=at(10, 14),
            now=at(10, 14),
        )
    for moment in moments:
        CheckIn.objects.filter(direction=direction).delete()
        token = tokens.make_token(afternoon.pk, None, direction, tokens.window_at(moment))
        refusal = services._refusal(afternoon, direction, moment)
        try:
            services.check_in_with_token(member, token=token, scanned_at=moment, now=moment)
        except AttendanceError as error:
            assert refusal is not None and error.code == refusal.code, moment
        else:
            assert refusal is None, moment


def test_the_result_page_is_small_and_shows_no_menu(client, member, morning):
    client.force_login(member)
    with time_machine.travel(at(10, 7, 58), tick=False):
        response = client.get(qr_path(morning, at(10, 7, 58)))

    page = response.content.decode()
    assert response.status_code == 200 and 'role="status"' in page
    assert "Đảng Viên Một" in page and "Buổi sáng" in page and "07:58" in page
    assert "<details" not in page and "<script" not in page and 'lang="vi"' in page


@pytest.mark.parametrize(
    ("scanned", "vietnamese"),
    [
        (at(10, 6, 50), "mở lúc 07:00"),  # before check-in opens
        (at(10, 11, 31), "đã kết thúc"),  # after the segment
    ],
)
def test_refusals_are_in_vietnamese_and_record_nothing(
    client, member, morning, scanned, vietnamese
):
    client.force_login(member)
    with time_machine.travel(scanned, tick=False):
        response = client.get(qr_path(morning, scanned))

    assert response.status_code == 400
    assert vietnamese in response.content.decode()
    assert not CheckIn.objects.exists()


def test_a_retry_after_the_segment_ended_still_finds_the_first_check_in(client, member, morning):
    client.force_login(member)
    with time_machine.travel(at(10, 7, 58), tick=False):
        client.get(qr_path(morning, at(10, 7, 58)))
    with time_machine.travel(at(10, 11, 45), tick=False):  # a retry on a very bad network
        late = client.get(qr_path(morning, at(10, 11, 45)))

    assert late.status_code == 200 and not late.context["result"].created
    assert "07:58" in late.content.decode()
    assert CheckIn.objects.get().at == at(10, 7, 58)


def test_someone_not_expected_is_told_so(client, org_tree, member_of, morning):
    stranger = member_of(org_tree.cell_b)
    client.force_login(stranger)
    with time_machine.travel(at(10, 7, 58), tick=False):
        response = client.get(qr_path(morning, at(10, 7, 58)))

    assert response.status_code == 400
    assert "không có tên trong danh sách" in response.content.decode()
    assert not CheckIn.objects.exists()


def test_a_check_out_needs_the_check_in_first(client, member, afternoon):
    client.force_login(member)
    with time_machine.travel(at(10, 16, 35), tick=False):
        out_first = client.get(qr_path(afternoon, at(10, 16, 35), "out"))
    with time_machine.travel(at(10, 14, 0), tick=False):
        client.get(qr_path(afternoon, at(10, 14, 0)))
    with time_machine.travel(at(10, 16, 35), tick=False):
        out_then = client.get(qr_path(afternoon, at(10, 16, 35), "out"))

    assert out_first.status_code == 400 and "chưa điểm danh" in out_first.content.decode()
    assert out_then.status_code == 200 and out_then.context["result"].created
    assert CheckIn.objects.filter(direction="out").get().at == at(10, 16, 35)


def test_the_forced_password_change_comes_before_the_check_in(client, member, morning):
    member.must_change_password = True
    member.save(update_fields=["must_change_password"])
    client.force_login(member)
    with time_machine.travel(at(10, 7, 58), tick=False):
        response = client.get(qr_path(morning, at(10, 7, 58)))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_change_password"))
    assert not CheckIn.objects.exists()


def test_the_two_factor_gate_comes_before_the_check_in(
    client, settings, org_tree, holder_of, morning, session
):
    settings.HOCTAP_REQUIRE_2FA_ABOVE_CELL = True
    officer = holder_of(Role.PROPAGANDA_OFFICER, org_tree.upper_a, cell=org_tree.cell_a1a)
    with time_machine.travel(at(10, 7, 58), tick=False):
        client.force_login(officer)  # at the scan's time: officers' sessions time out
        response = client.get(qr_path(morning, at(10, 7, 58)))

    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    assert not CheckIn.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="races need a real server")
def test_two_phones_of_one_member_scanning_at_once_make_one_row(member, morning):
    """No check-in yet; two requests race through the whole page: one row, two answers."""
    moment = at(10, 7, 41)
    path = qr_path(morning, moment)
    clients = [Client(), Client()]
    for each in clients:
        each.force_login(member)
    barrier = threading.Barrier(2)
    answers: list = []

    def scan(each):
        barrier.wait()
        try:
            answers.append(each.get(path))
        finally:
            connections.close_all()

    with time_machine.travel(moment, tick=False):
        threads = [threading.Thread(target=scan, args=(each,)) for each in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    # (Read from the pages: the test client's captured contexts mix across threads.)
    headings = sorted(a.content.decode().split("<h1>")[1].split("</h1>")[0] for a in answers)
    assert sorted(a.status_code for a in answers) == [200, 200]
    assert headings == ["Đã điểm danh", "Đã điểm danh lúc 07:41"]
    assert CheckIn.objects.get().at == moment
