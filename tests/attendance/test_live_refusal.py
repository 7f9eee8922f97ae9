"""A live socket refused for lack of rights reaches the page as the app's own close code.

Closing before the accept would become an HTTP 403 on the handshake, and the browser would see
only 1006 and retry forever; so every consumer accepts, then closes with 4403 (4401 when nobody
is logged in on the per-user socket), and static/js/live.js stops on those codes.
"""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.db import connections

from config.asgi import application
from study import services as study_services
from tests.sockets import refusal_code

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
async def _close_worker_connections():
    # The consumers read the database in Channels' worker thread; that thread's connection must
    # not outlive the test (PostgreSQL refuses to drop a database still in use).
    yield
    await sync_to_async(connections.close_all)()


def socket(user, path: str) -> WebsocketCommunicator:
    comm = WebsocketCommunicator(application, path, headers=[(b"origin", b"http://localhost")])
    comm.scope["user"] = user
    return comm


@pytest.fixture
def outsider(org_tree, secretary_of):
    return secretary_of(org_tree.cell_a1b, full_name="Bí Thư A1b")


@pytest.fixture
def online_segment(org_tree, secretary, spec_for):
    session = study_services.create_session(
        secretary,
        spec=spec_for(
            org_tree.cell_a1a, mode="online", venue="", meeting_url="https://hop.example.vn/1"
        ),
    )
    study_services.publish_session(secretary, session=session)
    return session.segments.order_by("starts_at").first()


@pytest.mark.parametrize("who", ["outsider", "member", "anonymous"])
async def test_the_live_board_socket_refused_closes_with_4403_after_accepting(
    who, outsider, member, morning
):
    user = {"outsider": outsider, "member": member, "anonymous": AnonymousUser()}[who]

    code = await refusal_code(socket(user, f"/ws/attendance/segments/{morning.pk}/"))

    assert code == 4403


async def test_a_socket_for_a_segment_that_does_not_exist_closes_with_4403(secretary, morning):
    code = await refusal_code(socket(secretary, f"/ws/attendance/segments/{morning.pk + 99}/"))

    assert code == 4403


async def test_the_secretarys_socket_is_accepted_and_stays_open(secretary, morning):
    comm = socket(secretary, f"/ws/attendance/segments/{morning.pk}/")

    code = await refusal_code(comm)
    await comm.disconnect()

    assert code is None


async def test_the_presence_socket_without_an_online_check_in_closes_with_4403(
    member, online_segment
):
    code = await refusal_code(socket(member, f"/ws/attendance/presence/{online_segment.pk}/"))

    assert code == 4403


async def test_the_personal_socket_of_nobody_closes_with_4401():
    code = await refusal_code(socket(AnonymousUser(), "/ws/me/"))

    assert code == 4401


async def test_a_refused_socket_joined_no_group(outsider, morning, checked_in_later):
    comm = socket(outsider, f"/ws/attendance/segments/{morning.pk}/")
    code = await refusal_code(comm)

    await sync_to_async(checked_in_later)()

    assert code == 4403
    assert await comm.receive_nothing(timeout=0.2)


@pytest.fixture
def checked_in_later(member, morning):
    """Checks the member in, committed, so that a count goes out to the segment's group."""
    from django.db import transaction

    from attendance import services, tokens
    from tests.times import at

    def run():
        moment = at(10, 7, 40)
        token = tokens.make_token(morning.pk, None, "in", tokens.window_at(moment))
        with transaction.atomic():
            services.check_in_with_token(member, token=token, scanned_at=moment, now=moment)

    return run
