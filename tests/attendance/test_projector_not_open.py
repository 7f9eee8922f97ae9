"""The projector of a segment whose check-in is not open yet says so and when it opens, instead
of showing a code that every phone would be refused; it switches to the code by itself."""

import re

import pytest
import time_machine
from django.urls import reverse

from tests.times import at

pytestmark = pytest.mark.django_db

# The morning segment (tests/attendance/conftest.py): 07:30-11:30 on 10/12, check-in from 07:00.


def projector(client, segment, moment, **query):
    with time_machine.travel(moment, tick=False):
        page = client.get(reverse("attendance:projector", args=[segment.pk]), query)
        state = client.get(reverse("attendance:projector-state", args=[segment.pk]), query)
    return page, state.json()


def test_before_check_in_opens_the_projector_says_when_and_shows_no_code(
    client, secretary, morning
):
    client.force_login(secretary)

    page, state = projector(client, morning, at(10, 6, 40))

    html = page.content.decode()
    assert page.status_code == 200
    assert "Chưa mở điểm danh" in html
    assert "Điểm danh Buổi sáng mở lúc 07:00." in html
    assert "<svg" not in html  # no QR
    # No scan address: only the page where a code is typed.
    assert re.findall(r"/a/[^\s\"<]*", html) == ["/a/code/"]
    assert re.search(r'id="code" class="code">\s*</p>', html)  # no six digits to type
    assert 'id="not-open" class="not-open">' in html  # shown, not hidden
    assert re.search(r'id="qr" class="qr" data-url=""\s+hidden', html)
    assert state == {
        "svg": "",
        "url": "",
        "code": "",
        "seconds_left": 20,  # asked again when the window turns
        "checked_in": 0,
        "expected": 2,
        "open": False,
        "opens_in": 20 * 60,
        "notice": "Điểm danh Buổi sáng mở lúc 07:00.",
        "window": 0,
        "rotate": 20,
        "ahead": [],  # no code held ahead either
    }


def test_the_state_is_asked_again_right_when_check_in_opens(client, secretary, morning):
    client.force_login(secretary)

    _page, state = projector(client, morning, at(10, 6, 59).replace(second=57))

    assert state["open"] is False
    assert state["opens_in"] == 3 and state["seconds_left"] == 3


def test_once_check_in_opens_the_code_shows(client, secretary, morning):
    client.force_login(secretary)

    page, state = projector(client, morning, at(10, 7, 0))

    html = page.content.decode()
    assert state["open"] is True and state["notice"] == "" and state["opens_in"] == 0
    assert re.fullmatch(r"\d{6}", state["code"]) and "/a/" in state["url"]
    assert "<svg" in state["svg"] and "<svg" in html
    assert 'id="not-open" class="not-open" hidden>' in html


def test_a_segment_opening_another_day_names_the_date(client, secretary, morning):
    client.force_login(secretary)

    _page, state = projector(client, morning, at(9, 20, 0))

    assert state["open"] is False
    assert state["notice"] == "Điểm danh Buổi sáng mở lúc 07:00 ngày 10/12/2026."


def test_the_check_out_projector_waits_too(client, secretary, afternoon):
    client.force_login(secretary)

    _page, state = projector(client, afternoon, at(10, 12, 0), direction="out")

    assert state["open"] is False and state["code"] == "" and state["url"] == ""
    assert state["notice"] == "Điểm danh Buổi chiều mở lúc 13:00."


def test_the_not_open_projector_is_in_english_when_chosen(client, settings, secretary, morning):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(secretary)

    page, state = projector(client, morning, at(10, 6, 40))

    assert "Check-in is not open yet" in page.content.decode()
    assert state["notice"] == "Check-in for Buổi sáng opens at 07:00."
