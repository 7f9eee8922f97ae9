"""Issue 16: a phone or a door scanner that sends its queue twice at once (a retry racing the
first send on another worker) leaves one row of each: the client id is unique in the database."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections

from attendance import services, tokens
from attendance.models import CheckIn, QueuedScan
from members.cards import card_code
from tests.times import at

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="races need a real server"),
]


def _race(send, n=4):
    barrier = threading.Barrier(n)
    answers, errors = [], []

    def run():
        barrier.wait()
        try:
            answers.extend(send())
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return answers


@pytest.mark.parametrize("held", [3, 90], ids=["on-time", "late"])
def test_a_phones_queue_sent_twice_at_once_is_applied_once(member, morning, held):
    scanned = at(10, 7, 40)
    sent = 1_800_000_000_000
    item = {
        "client_id": f"race-phone-{held}",
        "token": tokens.make_token(morning.pk, None, "in", tokens.window_at(scanned)),
        "scanned_at": sent - held * 1000,
        "sent_at": sent,
        "user": member.pk,
    }
    arrived = scanned + timedelta(seconds=held)

    answers = _race(lambda: services.receive_phone_scans(member, scans=[item], now=arrived))

    assert len({a.state for a in answers}) == 1
    assert QueuedScan.objects.count() == 1
    assert CheckIn.objects.count() == (1 if held == 3 else 0)


def test_a_door_queue_sent_twice_at_once_is_applied_once(secretary, member, morning):
    sent = 1_800_000_000_000
    item = {
        "client_id": "race-door",
        "code": card_code(member.pk),
        "scanned_at": sent,
        "sent_at": sent,
    }

    answers = _race(
        lambda: services.receive_door_scans(
            secretary, segment=morning, scans=[item], now=at(10, 7, 40)
        )
    )

    assert {a.state for a in answers} == {"recorded"}
    assert QueuedScan.objects.count() == 1 and CheckIn.objects.count() == 1
