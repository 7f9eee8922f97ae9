"""Live pages that give up gracefully (issue 13, point 6), and the projector before check-in opens
(point 5), in a real browser.

The WebSocket tests need the ASGI application itself (pytest-django's live server is WSGI and
has no /ws/): `asgi_server` serves it with uvicorn, as production serves /ws/, in a thread of
this process and on the test database. Playwright's clock drives the pages' timers, so that a
minute of retrying or polling takes no minute.
"""

import re
import socket
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from members.models import Organization, Role
from study import services as study_services
from study.services import SegmentSpec, SessionSpec
from tests.e2e.conftest import NOT_WITH_ROUTES, outside_event_loop
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    OrganizationFactory,
    RoleAssignmentFactory,
    UserFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

REFUSED = "Tài khoản của đồng chí không được nhận cập nhật trực tiếp ở trang này"
PAUSED = "Mất kết nối trực tiếp: số liệu được tải lại sau mỗi 10 giây."


@pytest.fixture
def asgi_server(transactional_db, monkeypatch):
    """The whole ASGI application (HTTP, static files, WebSockets) on a loopback port."""
    import uvicorn
    from channels.routing import ProtocolTypeRouter
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
    from django.db import connections

    from config.asgi import application, django_asgi_app

    # Each request and each consumer call closes its connection, as Django advises under ASGI
    # without a pool: none outlives the test (PostgreSQL drops no database still in use).
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    app = ProtocolTypeRouter(
        {"http": ASGIStaticFilesHandler(django_asgi_app), "websocket": application}
    )

    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=10)
    listener.close()


@pytest.fixture
def bloc_session(db):
    """A bloc-wide session running now, for two cells; each cell has a secretary."""
    bloc = OrganizationFactory(
        name="Đảng bộ Khối Trực tiếp", code="DUK-TT", kind=Organization.Kind.BLOC_COMMITTEE
    )
    cell_a = OrganizationFactory(parent=bloc, name="Chi bộ Một", code="TT-1")
    cell_b = OrganizationFactory(parent=bloc, name="Chi bộ Hai", code="TT-2")
    bloc.refresh_from_db()
    officer = UserFactory(email="tuyengiao@tt.example.vn", full_name="Cán Bộ Tuyên Giáo")
    RoleAssignmentFactory(user=officer, organization=bloc, role=Role.PROPAGANDA_OFFICER)
    secretaries = {}
    for cell, card in ((cell_a, "07.000001"), (cell_b, "07.000002")):
        user = UserFactory(party_card_number=card, full_name=f"Bí Thư {cell.name}")
        MembershipFactory(user=user, organization=cell)
        RoleAssignmentFactory(user=user, organization=cell, role=Role.SECRETARY)
        secretaries[cell.code] = user
    now = timezone.now().replace(microsecond=0)
    spec = SessionSpec(
        title="Học tập Nghị quyết toàn Khối",
        organizer=bloc,
        audience=[cell_a, cell_b],
        venue="Hội trường lớn",
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(hours=3),
        segments=[SegmentSpec("Buổi sáng", now - timedelta(minutes=10), now + timedelta(hours=2))],
    )
    session = study_services.create_session(officer, spec=spec)
    study_services.publish_session(officer, session=session, announce=False)
    return {"session": session, "secretary_b": secretaries["TT-2"], "officer": officer}


def log_in(page, login):
    page.goto("/accounts/login/")
    page.fill("#id_login", login)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))


def eventually(page, condition, seconds: float = 10) -> None:
    """Wait (in real time) for something the server side sees."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline
        page.wait_for_timeout(50)


def desk(browser, base_url):
    context = browser.new_context(
        base_url=base_url, viewport={"width": 1280, "height": 800}, service_workers=NOT_WITH_ROUTES
    )
    context.set_default_timeout(10_000)
    return context


def test_a_refused_live_socket_stops_retrying_says_why_and_the_page_keeps_polling(
    browser, asgi_server, bloc_session
):
    # A cell's secretary may open the live board of a bloc-wide session (their cell's rows),
    # but not follow the bloc's pushed counts: the socket is refused with the app's 4403.
    context = desk(browser, asgi_server)
    page = context.new_page()
    log_in(page, bloc_session["secretary_b"].party_card_number)
    attempts, closes, polls = [], [], []

    def opened(ws):
        attempts.append(ws.url)
        ws.on("close", lambda closed: closes.append(closed))

    page.on("websocket", opened)
    page.on("request", lambda r: polls.append(r.url) if "fragment=1" in r.url else None)
    page.clock.install()

    page.goto(f"/attendance/sessions/{bloc_session['session'].pk}/live/")
    status = page.locator("#live-status")
    expect(status).to_have_attribute("data-mode", "refused")
    expect(status.locator(".live-state")).to_contain_text(REFUSED)
    page.clock.fast_forward("02:00")  # two minutes of the page's timers
    expect(page.locator("#board")).to_contain_text("Chi bộ Hai")
    page.wait_for_timeout(1500)  # real time, for any socket the page might still open

    assert len(attempts) == 1 and attempts[0].endswith(
        f"/ws/attendance/segments/{bloc_session['session'].segments.get().pk}/"
    )
    assert len(closes) == 1
    assert polls  # what the page itself may show is still fetched
    expect(status.locator(".live-age")).to_have_text(re.compile(r"vừa cập nhật|cập nhật \d+ giây"))
    context.close()


@pytest.fixture
def redis_down(monkeypatch):
    """While `redis_down["now"]` holds, joining a group fails as with Redis stopped: the
    consumer cannot accept, and the browser's handshake fails (1006)."""
    from channels.layers import get_channel_layer

    state = {"now": False, "failed": 0}
    layer_class = type(get_channel_layer())
    group_add = layer_class.group_add

    async def failing_group_add(self, group, channel):
        if state["now"]:
            state["failed"] += 1
            raise ConnectionError("Redis is down")
        return await group_add(self, group, channel)

    monkeypatch.setattr(layer_class, "group_add", failing_group_add)
    return state


def test_a_dropped_socket_polls_every_10_s_shows_the_age_and_goes_live_again(
    browser, asgi_server, bloc_session, redis_down
):
    context = desk(browser, asgi_server)
    page = context.new_page()
    log_in(page, bloc_session["officer"].email)
    first, attempts, polls = [], [], []

    # The first socket goes through Playwright, so that the test can drop it; later ones go
    # straight to the server.
    def through_playwright(ws):
        first.append(ws)
        ws.connect_to_server()

    page.route_web_socket(lambda url: not first, through_playwright)
    page.on("websocket", lambda ws: attempts.append(ws.url))
    page.route(
        re.compile(r".*fragment=1.*"),
        lambda route: (polls.append(route.request.url), route.abort()),  # and HTTP fails too
    )
    page.clock.install()
    page.goto(f"/attendance/sessions/{bloc_session['session'].pk}/live/")
    status = page.locator("#live-status")
    expect(status).to_have_attribute("data-mode", "live")
    expect(status.locator(".live-state")).to_have_text("Trực tiếp")
    page.clock.pause_at(datetime.now(UTC) + timedelta(seconds=5))

    redis_down["now"] = True
    first[0].close(code=1001)  # the socket drops, and cannot come back for now
    expect(status).to_have_attribute("data-mode", "paused")
    expect(status.locator(".live-state")).to_have_text(PAUSED)
    expect(status.locator(".live-age")).to_have_text("vừa cập nhật")
    page.clock.fast_forward(12_000)

    expect(status.locator(".live-age")).to_have_text("cập nhật 12 giây trước")
    eventually(page, lambda: polls)
    assert len(polls) == 1  # the tenth second
    expect(status).to_have_attribute("data-mode", "paused")
    eventually(page, lambda: redis_down["failed"] >= 1)  # a retry met Redis down
    retried = len(attempts)

    redis_down["now"] = False
    page.clock.fast_forward(30_000)  # the next retry finds the socket back
    expect(status).to_have_attribute("data-mode", "live")
    expect(status.locator(".live-age")).to_have_text("")
    assert len(attempts) > retried
    page.wait_for_timeout(500)  # real time: the fetches started while away, and the catch-up
    settled = len(polls)
    page.clock.fast_forward(30_000)
    page.wait_for_timeout(500)
    assert len(polls) == settled  # live again: no more polling every 10 s
    context.close()


def test_the_projector_before_check_in_opens_says_when_then_shows_the_code_by_itself(
    browser, live_server, bloc_session
):
    now = timezone.now().replace(microsecond=0)
    officer = bloc_session["officer"]
    organizer = bloc_session["session"].organizer
    spec = SessionSpec(
        title="Học tập chuyên đề buổi chiều",
        organizer=organizer,
        audience=list(bloc_session["session"].audience.all()),
        venue="Hội trường lớn",
        starts_at=now + timedelta(minutes=20),
        ends_at=now + timedelta(hours=2),
        segments=[
            SegmentSpec(
                "Buổi chiều",
                now + timedelta(minutes=20),
                now + timedelta(hours=2),
                checkin_opens_at=now + timedelta(seconds=5),
            )
        ],
    )
    session = study_services.create_session(officer, spec=spec)
    study_services.publish_session(officer, session=session, announce=False)
    opens = timezone.localtime(now + timedelta(seconds=5)).strftime("%H:%M")
    context = desk(browser, live_server.url)
    page = context.new_page()
    log_in(page, officer.email)

    page.goto(f"/attendance/segments/{session.segments.get().pk}/projector/")

    expect(page.locator("#not-open")).to_be_visible()
    expect(page.locator(".not-open-title")).to_have_text("Chưa mở điểm danh")
    expect(page.locator("#opens-at")).to_have_text(f"Điểm danh Buổi chiều mở lúc {opens}.")
    expect(page.locator("#opens-in")).to_have_text(re.compile(r"còn 0:0\d"))
    expect(page.locator("#qr")).to_be_hidden()
    expect(page.locator("#code-box")).to_be_hidden()
    assert page.locator("#qr svg").count() == 0 and page.locator("#code").inner_text() == ""
    # When check-in opens, the projector turns to the code without a reload.
    expect(page.locator("#qr svg")).to_be_visible(timeout=15_000)
    expect(page.locator("#not-open")).to_be_hidden()
    expect(page.locator("#code")).to_have_text(re.compile(r"^\d{6}$"))
    context.close()


def test_a_check_in_in_the_second_after_a_push_reaches_the_live_board_with_no_other_push(
    browser, asgi_server, bloc_session, monkeypatch
):
    """One push a second per segment: the check-ins of a burst's last second are told by no
    push, and the board fetches its figures once more 1.5 s after the last one. The page's
    clock is the test's, and the server's second is made to last, so the order is sure."""
    from django.core.cache import cache

    from attendance import services as attendance_services
    from attendance import tokens

    monkeypatch.setattr(attendance_services, "ANNOUNCE_EVERY_SECONDS", 60)
    session = bloc_session["session"]
    segment = session.segments.get()
    members = [p.user for p in session.participants.select_related("user")]
    assert len(members) == 2
    context = desk(browser, asgi_server)
    page = context.new_page()
    log_in(page, bloc_session["officer"].email)
    page.clock.install()
    page.goto(f"/attendance/sessions/{session.pk}/live/")
    expect(page.locator("#live-status")).to_have_attribute("data-mode", "live")
    arrived = page.locator("#board .stat b.arrived").first
    expect(arrived).to_have_text("0/2")
    page.clock.pause_at(datetime.now(UTC) + timedelta(seconds=5))

    def check_in(member):
        """Whether a push of this segment was held back already (so this one is not pushed)."""
        held = cache.get(f"announce:{segment.pk}") is not None
        now = timezone.now()
        token = tokens.make_token(segment.pk, None, "in", tokens.window_at(now))
        attendance_services.check_in_with_token(member, token=token, scanned_at=now, now=now)
        return held

    assert not outside_event_loop(check_in, members[0])
    expect(arrived).to_have_text("1/2")  # pushed, and fetched
    assert outside_event_loop(check_in, members[1])  # in the second after the push: not pushed
    page.wait_for_timeout(500)
    expect(arrived).to_have_text("1/2")

    page.clock.run_for(1_600)

    expect(arrived).to_have_text("2/2")
    context.close()
