import asyncio

import pytest
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings

from config.asgi import application
from members.consumers import user_group
from tests.sockets import refusal_code

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def member(org_tree, member_of):
    # Arranged synchronously: a thread-pool connection opened inside the test would outlive it.
    return member_of(org_tree.cell_a1a)


def communicator_for(user):
    comm = WebsocketCommunicator(application, "/ws/me/", headers=[(b"origin", b"http://localhost")])
    comm.scope["user"] = user
    return comm


async def test_anonymous_socket_is_closed():
    from django.contrib.auth.models import AnonymousUser

    code = await refusal_code(communicator_for(AnonymousUser()))

    assert code == 4401


async def test_user_receives_events_for_their_group(member):
    comm = communicator_for(member)
    connected, _ = await comm.connect()

    await get_channel_layer().group_send(
        user_group(member.pk), {"type": "user.event", "payload": {"n": 1}}
    )

    assert connected
    assert await comm.receive_json_from(timeout=2) == {"n": 1}
    await comm.disconnect()


@pytest.mark.skipif(
    not settings.REDIS_URL, reason="the redis-py 8 idle trap only exists with real Redis"
)
async def test_idle_socket_survives_longer_than_redis_socket_timeout(member):
    # DESIGN's dependency trap: redis-py 8 defaults socket_timeout to 5 s, which dropped idle
    # sockets. Waiting is the point of this test, so it waits (once, 6 s) against real Redis.
    comm = communicator_for(member)
    await comm.connect()
    await asyncio.sleep(6)

    await get_channel_layer().group_send(
        user_group(member.pk), {"type": "user.event", "payload": {"late": True}}
    )

    assert await comm.receive_json_from(timeout=3) == {"late": True}
    await comm.disconnect()
