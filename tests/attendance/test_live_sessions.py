"""Which sessions are live (their live board linked from the home, the session page, the sheet
and the board's dashboard): one definition, StudySession.live / is_live."""

import pytest
import time_machine
from django.urls import reverse

from attendance import queries
from study.models import StudySession
from tests.times import at

# (status, now, live): the session runs 07:30-16:30 on 10/12; check-outs come in for 30 minutes.
CASES = [
    ("published", at(10, 7, 0), False),  # not begun
    ("running", at(10, 7, 0), True),  # started by hand before its time
    ("published", at(10, 9, 0), True),
    ("published", at(10, 16, 59), True),  # check-outs still coming
    ("published", at(10, 17, 1), False),
    ("running", at(10, 17, 1), False),  # left "in progress" after its end
    ("running", at(24, 9, 0), False),
    ("closed", at(10, 9, 0), False),
    ("cancelled", at(10, 9, 0), False),
    ("draft", at(10, 9, 0), False),
]


@pytest.mark.parametrize(("status", "now", "live"), CASES)
def test_a_session_is_live_while_it_runs_and_shortly_after(session, status, now, live):
    StudySession.objects.filter(pk=session.pk).update(status=status)
    session.refresh_from_db()

    assert session.is_live(now) is live
    assert StudySession.objects.filter(StudySession.live(now), pk=session.pk).exists() is live


def test_a_session_left_running_is_no_longer_linked_as_live(client, session, secretary):
    StudySession.objects.filter(pk=session.pk).update(status="running")
    live_board = reverse("attendance:live", args=[session.pk])
    client.force_login(secretary)

    with time_machine.travel(at(10, 9, 0)):
        assert [s.pk for s in queries.running_sessions(secretary, now=at(10, 9, 0))] == [session.pk]
        assert live_board in client.get(reverse("attendance:sheet", args=[session.pk])).text
        assert live_board in client.get(session.get_absolute_url()).text
    with time_machine.travel(at(24, 9, 0)):
        assert queries.running_sessions(secretary, now=at(24, 9, 0)) == []
        assert live_board not in client.get(reverse("attendance:sheet", args=[session.pk])).text
        assert live_board not in client.get(session.get_absolute_url()).text
