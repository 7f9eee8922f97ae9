from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections

from attendance import services
from attendance.errors import AttendanceError
from attendance.models import PresencePrompt, Status
from attendance.queries import attendance_sheet
from config.asgi import application
from study import services as study_services
from tests.sockets import refusal_code
from tests.times import at


@pytest.fixture
def online_segment(org_tree, secretary, member, spec_for):
    session = study_services.create_session(
        secretary,
        spec=spec_for(
            org_tree.cell_a1a, mode="online", venue="", meeting_url="https://hop.example.vn/1"
        ),
    )
    study_services.publish_session(secretary, session=session)
    return session.segments.order_by("starts_at").first()


@pytest.mark.django_db
def test_missing_most_prompts_is_leaving_early(secretary, member, online_segment):
    services.check_in_online(member, segment=online_segment, now=at(10, 7, 35))
    participant = online_segment.session.participants.get(user=member)
    answered = services.issue_prompt(participant, online_segment, now=at(10, 8))
    services.answer_prompt(member, prompt_id=answered.pk, now=at(10, 8, 1))
    services.issue_prompt(participant, online_segment, now=at(10, 9))
    before = attendance_sheet(secretary, online_segment.session, now=at(10, 12))
    services.issue_prompt(participant, online_segment, now=at(10, 10))
    after = attendance_sheet(secretary, online_segment.session, now=at(10, 12))

    def status(sheet):
        return next(r for r in sheet.rows if r.participant == participant).cells[0].status

    assert status(before) == Status.PRESENT  # one of two missed: not more than half
    assert status(after) == Status.LEFT_EARLY  # two of three missed


@pytest.mark.django_db
def test_answer_after_two_minutes_does_not_count(member, online_segment):
    services.check_in_online(member, segment=online_segment, now=at(10, 7, 35))
    participant = online_segment.session.participants.get(user=member)
    prompt = services.issue_prompt(participant, online_segment, now=at(10, 8))

    with pytest.raises(AttendanceError) as error:
        services.answer_prompt(member, prompt_id=prompt.pk, now=at(10, 8) + timedelta(seconds=121))

    assert error.value.code == "prompt_missed"
    prompt.refresh_from_db()
    assert prompt.answered_at is None


@pytest.fixture
async def _close_worker_connections():
    yield
    await sync_to_async(connections.close_all)()


def communicator(user, segment):
    comm = WebsocketCommunicator(
        application,
        f"/ws/attendance/presence/{segment.pk}/",
        headers=[(b"origin", b"http://localhost")],
    )
    comm.scope["user"] = user
    return comm


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_close_worker_connections")
async def test_prompts_arrive_at_random_and_on_the_hosts_request(
    settings, secretary, member, online_segment
):
    import time_machine

    settings.HOCTAP_PRESENCE_MIN_SECONDS = settings.HOCTAP_PRESENCE_MAX_SECONDS = 0.2
    online_segment.ends_at = online_segment.ends_at.replace(year=2100)  # still running now
    await sync_to_async(online_segment.save)()
    with time_machine.travel(at(10, 7, 35), tick=True):
        await sync_to_async(services.check_in_online)(member, segment=online_segment)
    comm = communicator(member, online_segment)
    connected, _ = await comm.connect()

    timed = await comm.receive_json_from(timeout=3)
    await comm.send_json_to({"type": "answer", "id": timed["id"]})
    answered = await comm.receive_json_from(timeout=3)
    settings.HOCTAP_PRESENCE_MIN_SECONDS = settings.HOCTAP_PRESENCE_MAX_SECONDS = 3600
    await sync_to_async(services.ask_presence_now)(secretary, segment=online_segment)
    asked = await comm.receive_json_from(timeout=3)
    await comm.disconnect()

    assert connected
    assert timed["type"] == "prompt" and timed["expires_in"] == 120
    assert answered == {"type": "answered", "id": timed["id"]}
    assert asked["type"] == "prompt"
    rows = await sync_to_async(
        lambda: list(PresencePrompt.objects.order_by("pk").values_list("answered_at", flat=True))
    )()
    assert rows[0] is not None


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_close_worker_connections")
async def test_presence_socket_needs_an_online_check_in(member, online_segment):
    code = await refusal_code(communicator(member, online_segment))

    assert code == 4403
