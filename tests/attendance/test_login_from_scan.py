"""The login page reached from a scan says the check-in will be completed after logging in.

What it says comes from the server alone: the scan held in the session and the `next` address
of the resume view. A crafted link to the login page promises nothing.
"""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from attendance import tokens
from attendance.models import CheckIn
from tests.factories import PASSWORD
from tests.times import at

pytestmark = pytest.mark.django_db

PROMISE = (
    "Sau khi đăng nhập, việc điểm danh Buổi sáng của “Học tập Kết luận 328-KL/ĐUK” sẽ được "
    "hoàn tất, tính theo giờ quét mã (07:44)."
)


def scan_path(segment, moment, direction="in", token=None):
    token = token or tokens.make_token(segment.pk, None, direction, tokens.window_at(moment))
    return reverse("attendance:scan", args=[token])


def notice(response) -> str:
    html = response.content.decode()
    start = html.find('class="msg msg-info held-scan"')
    if start == -1:
        return ""
    return html[html.index(">", start) + 1 : html.index("</p>", start)]


def test_the_login_page_after_a_scan_says_the_check_in_will_be_completed(client, member, morning):
    scanned = at(10, 7, 44)
    with time_machine.travel(scanned, tick=False):
        redirect = client.get(scan_path(morning, scanned))
    with time_machine.travel(scanned + timedelta(minutes=2), tick=False):
        page = client.get(redirect["Location"])
        login = client.post(
            redirect["Location"], {"login": member.party_card_number, "password": PASSWORD}
        )
        client.get(login["Location"])

    assert redirect["Location"].startswith(reverse("account_login") + "?next=")
    assert page.status_code == 200
    assert notice(page) == PROMISE
    assert CheckIn.objects.get().at == scanned  # and it was


def test_a_wrong_password_keeps_the_notice(client, member, morning):
    scanned = at(10, 7, 44)
    with time_machine.travel(scanned, tick=False):
        redirect = client.get(scan_path(morning, scanned))
        wrong = client.post(
            redirect["Location"], {"login": member.party_card_number, "password": "sai"}
        )

    assert wrong.status_code == 200
    assert notice(wrong) == PROMISE


def test_the_check_out_scan_speaks_of_the_check_out(client, member, afternoon):
    scanned = at(10, 16, 25)
    with time_machine.travel(scanned, tick=False):
        redirect = client.get(scan_path(afternoon, scanned, direction="out"))
        page = client.get(redirect["Location"])

    assert notice(page) == (
        "Sau khi đăng nhập, việc điểm danh ra về Buổi chiều của “Học tập Kết luận "
        "328-KL/ĐUK” sẽ được hoàn tất, tính theo giờ quét mã (16:25)."
    )


def test_a_crafted_next_without_a_held_scan_promises_nothing(client, morning):
    page = client.get(reverse("account_login"), {"next": reverse("attendance:resume")})

    assert page.status_code == 200
    assert notice(page) == ""


def test_a_held_scan_with_another_next_promises_nothing(client, morning):
    scanned = at(10, 7, 44)
    with time_machine.travel(scanned, tick=False):
        client.get(scan_path(morning, scanned))
        page = client.get(reverse("account_login"), {"next": reverse("home")})
        bare = client.get(reverse("account_login"))

    assert notice(page) == "" and notice(bare) == ""


def test_a_scan_of_an_altered_code_promises_nothing(client, morning):
    scanned = at(10, 7, 44)
    with time_machine.travel(scanned, tick=False):
        redirect = client.get(scan_path(morning, scanned, token="not-a-hoctap-code"))
        page = client.get(redirect["Location"])

    assert page.status_code == 200
    assert notice(page) == ""


def test_a_scan_older_than_ten_minutes_asks_to_scan_again(client, morning):
    scanned = at(10, 7, 44)
    with time_machine.travel(scanned, tick=False):
        redirect = client.get(scan_path(morning, scanned))
    with time_machine.travel(scanned + timedelta(minutes=11), tick=False):
        page = client.get(redirect["Location"])

    assert notice(page) == (
        "Lần quét mã đã quá 10 phút: sau khi đăng nhập, hãy quét lại mã đang hiện trên màn hình."
    )
