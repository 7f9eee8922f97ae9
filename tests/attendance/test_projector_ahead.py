"""Issue 16.3: the projector holds the codes of the coming windows, so a network blip does not
stop the hall scanning. Only those who may run the projector get them, and each is refused
until its own window begins."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.urls import reverse

from attendance import services, tokens
from attendance.errors import AttendanceError
from attendance.models import CheckIn
from tests.times import at

pytestmark = pytest.mark.django_db

# The morning segment (tests/attendance/conftest.py): 07:30-11:30 on 10/12, check-in from 07:00.
NOW = at(10, 7, 40) + timedelta(seconds=7)  # 13 s before the 20 s window turns


def state(client, segment, moment, **query):
    with time_machine.travel(moment, tick=False):
        response = client.get(reverse("attendance:projector-state", args=[segment.pk]), query)
    assert response.status_code == 200
    return response.json()


def token_of(url):
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]


def test_the_codes_of_the_next_two_minutes_come_with_their_qr_and_when_they_start(
    client, secretary, morning
):
    client.force_login(secretary)

    answer = state(client, morning, NOW, held=0)

    window = tokens.window_at(NOW)
    assert answer["window"] == window and answer["rotate"] == 20
    assert answer["seconds_left"] == 13
    ahead = answer["ahead"]
    assert [code["window"] for code in ahead] == list(range(window + 1, window + 7))  # 120 s
    assert [code["starts_in"] for code in ahead] == [13, 33, 53, 73, 93, 113]
    for code in ahead:
        assert "<svg" in code["svg"] and "/a/" in code["url"]
        assert code["code"] == tokens.short_code(morning.pk, None, "in", code["window"])
    assert len({code["url"] for code in ahead} | {answer["url"]}) == 7


def test_only_the_codes_not_held_yet_are_made(client, secretary, morning):
    client.force_login(secretary)
    window = tokens.window_at(NOW)

    assert [c["window"] for c in state(client, morning, NOW, held=window + 4)["ahead"]] == [
        window + 5,
        window + 6,
    ]
    assert state(client, morning, NOW, held=window + 6)["ahead"] == []
    # Without `held` (an older projector page), no codes ahead at all.
    assert state(client, morning, NOW)["ahead"] == []


def test_none_before_check_in_opens(client, secretary, morning):
    client.force_login(secretary)

    answer = state(client, morning, at(10, 6, 40), held=0)

    assert answer["open"] is False and answer["ahead"] == []


def test_a_code_held_ahead_is_refused_before_its_window_and_good_in_it(
    client, secretary, member, morning
):
    client.force_login(secretary)
    ahead = state(client, morning, NOW, held=0)["ahead"]
    later = ahead[2]  # the window that starts 53 s from now
    token = token_of(later["url"])

    for moment in (NOW, NOW + timedelta(seconds=52)):
        with pytest.raises(AttendanceError) as error:
            services.check_in_with_token(member, token=token, scanned_at=moment, now=moment)
        assert error.value.code == "qr_not_yet"
        with pytest.raises(AttendanceError) as error:
            services.check_in_with_code(member, code=later["code"], now=moment)
        assert error.value.code == "code_unknown"
    assert not CheckIn.objects.exists()

    starts = NOW + timedelta(seconds=later["starts_in"])
    result = services.check_in_with_token(member, token=token, scanned_at=starts, now=starts)

    assert result.created and result.check_in.at == starts
    # Its six digits too are good from then (the member is already in: found, not refused).
    assert not services.check_in_with_code(member, code=later["code"], now=starts).created
    # Still good in the window after its own, like every code; never after that.
    too_late = starts + timedelta(seconds=40)
    with pytest.raises(AttendanceError) as error:
        services.check_in_with_token(member, token=token, scanned_at=too_late, now=too_late)
    assert error.value.code == "qr_expired"


def test_a_member_gets_no_codes_ahead(client, member, morning):
    client.force_login(member)

    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("attendance:projector-state", args=[morning.pk]), {"held": 0})

    assert response.status_code == 404


def test_the_projector_page_itself_carries_no_code_ahead(client, secretary, morning):
    client.force_login(secretary)
    ahead = state(client, morning, NOW, held=0)["ahead"]

    with time_machine.travel(NOW, tick=False):
        html = client.get(reverse("attendance:projector", args=[morning.pk])).content.decode()

    assert token_of(state(client, morning, NOW)["url"]) in html
    for code in ahead:
        assert token_of(code["url"]) not in html


@pytest.mark.parametrize("held", ["", "x", "-3", "²", "9" * 30])
def test_a_held_window_that_is_no_number_counts_as_none_held(client, secretary, morning, held):
    client.force_login(secretary)

    assert len(state(client, morning, NOW, held=held)["ahead"]) == 6
