from datetime import timedelta

import pytest

from attendance import tokens
from attendance.errors import AttendanceError
from tests.times import at

NOW = at(10, 7, 40)


def test_token_round_trips_within_its_window_and_the_next():
    token = tokens.make_token(5, None, "in", tokens.window_at(NOW))

    assert tokens.read_token(token, at=NOW) == tokens.QrClaim(5, None, "in", tokens.window_at(NOW))
    assert tokens.read_token(token, at=NOW + timedelta(seconds=20)).segment_id == 5


def test_token_two_windows_old_is_expired(settings):
    token = tokens.make_token(5, 2, "out", tokens.window_at(NOW))

    with pytest.raises(AttendanceError) as error:
        tokens.read_token(token, at=NOW + timedelta(seconds=2 * settings.HOCTAP_QR_ROTATE_SECONDS))

    assert error.value.code == "qr_expired"


def test_token_from_the_future_is_refused():
    token = tokens.make_token(5, None, "in", tokens.window_at(NOW) + 1)

    with pytest.raises(AttendanceError):
        tokens.read_token(token, at=NOW)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
        lambda t: t.replace("5", "6", 1),
        lambda _t: "not-a-token",
        lambda _t: "",
    ],
)
def test_tampered_tokens_are_invalid(mangle):
    token = tokens.make_token(5, None, "in", tokens.window_at(NOW))

    with pytest.raises(AttendanceError) as error:
        tokens.read_token(mangle(token), at=NOW)

    assert error.value.code == "qr_invalid"


def test_short_code_is_six_digits_and_changes_with_the_window():
    first = tokens.short_code(5, None, "in", 100)
    second = tokens.short_code(5, None, "in", 101)

    assert len(first) == 6 and first.isdigit()
    assert first != second
    assert tokens.short_code(5, 3, "in", 100) != first
