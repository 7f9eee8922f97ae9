import threading

import pytest
from django.db import connection, connections

from attendance import services, tokens
from attendance.models import CheckIn
from tests.times import at

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="races need a real server"),
]


def test_two_requests_racing_on_two_workers_leave_one_row(member, morning):
    moment = at(10, 7, 40)
    token = tokens.make_token(morning.pk, None, "in", tokens.window_at(moment))
    barrier = threading.Barrier(4)
    created: list[bool] = []
    errors: list[Exception] = []

    def tap():
        barrier.wait()
        try:
            result = services.check_in_with_token(
                member, token=token, scanned_at=moment, now=moment
            )
            created.append(result.created)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=tap) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(created) == [False, False, False, True]
    assert CheckIn.objects.count() == 1
