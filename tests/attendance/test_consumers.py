import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections, transaction

from attendance import services, tokens
from config.asgi import application
from tests.sockets import refusal_code
from tests.times import at

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
async def _close_worker_connections():
    # The consumer reads the database in Channels' worker thread; that thread's connection
    # must not outlive the test (PostgreSQL refuses to drop a database still in use).
    yield
    await sync_to_async(connections.close_all)()


def communicator(user, segment):
    comm = WebsocketCommunicator(
        application,
        f"/ws/attendance/segments/{segment.pk}/",
        headers=[(b"origin", b"http://localhost")],
    )
    comm.scope["user"] = user
    return comm


@pytest.fixture
def checked_in(member, morning):
    """A function that checks the member in, committing so on_commit fires as in production."""

    def run():
        moment = at(10, 7, 40)
        token = tokens.make_token(morning.pk, None, "in", tokens.window_at(moment))
        with transaction.atomic():
            services.check_in_with_token(member, token=token, scanned_at=moment, now=moment)

    return run


async def test_projector_socket_gets_the_new_count(secretary, morning, checked_in):
    comm = communicator(secretary, morning)
    connected, _ = await comm.connect()

    await sync_to_async(checked_in)()

    assert connected
    assert await comm.receive_json_from(timeout=3) == {
        "type": "count",
        "segment": morning.pk,
        "count": 1,
    }
    await comm.disconnect()


async def test_socket_of_another_cell_or_a_member_is_closed(
    org_tree, secretary_of, member, morning
):
    outsider = await sync_to_async(secretary_of)(org_tree.cell_a1b)

    for user in (outsider, member):
        assert await refusal_code(communicator(user, morning)) == 4403


async def test_a_points_host_watches_the_counter_of_their_point_only(
    org_tree, holder_of, member_of, spec_for
):
    from members.models import Role
    from study import services as study_services
    from study.services import PointSpec

    def arrange():
        officer = holder_of(Role.PROPAGANDA_OFFICER, org_tree.bloc)
        host = member_of(org_tree.cell_b, full_name="Chủ Trì")
        member_of(org_tree.cell_a1a)
        spec = spec_for(
            org_tree.bloc,
            mode="hybrid",
            meeting_url="https://hop.example.vn/p",
            points=[
                PointSpec(org_tree.cell_b, "Điểm cầu B", host=host),
                PointSpec(org_tree.cell_a1a, "Điểm cầu A"),
            ],
        )
        session = study_services.create_session(officer, spec=spec)
        study_services.publish_session(officer, session=session)
        points = {p.place: p.pk for p in session.connection_points.all()}
        return host, session.segments.first(), points

    host, segment, points = await sync_to_async(arrange)()

    def socket(point):
        comm = WebsocketCommunicator(
            application,
            f"/ws/attendance/segments/{segment.pk}/?point={point}",
            headers=[(b"origin", b"http://localhost")],
        )
        comm.scope["user"] = host
        return comm

    mine = socket(points["Điểm cầu B"])
    own_code = await refusal_code(mine)
    other_code = await refusal_code(socket(points["Điểm cầu A"]))
    await mine.disconnect()

    assert own_code is None  # stays open
    assert other_code == 4403
