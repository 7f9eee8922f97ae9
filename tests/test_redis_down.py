"""Redis down is not an outage (issue 10, point 7).

REDIS_URL-style settings point at a closed local port: nothing listens there, so every use of
Redis fails at once, as with a stopped server. Pages, logins, check-ins and grades must answer
as usual, sessions must hold, and tasks must wait in the outbox until the broker is back.
"""

import io
import os
import socket
import threading
import time
from contextlib import contextmanager, suppress
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
import time_machine
from channels.layers import get_channel_layer
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from attendance import tokens
from attendance.models import CheckIn
from essays import services as essay_services
from essays.tasks import email_essay_notice
from members.models import QueuedTask
from members.tasks import _Broker, enqueue, resend_queued_tasks
from study import services as study_services
from tests.factories import PASSWORD
from tests.times import at

pytestmark = pytest.mark.django_db

DOWN = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused, at once
AFTER_SESSION = at(10, 18)


def redis_settings(settings, url: str, **options) -> None:
    """What config/settings.py sets when REDIS_URL is given, pointed at `url`."""
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "hoctap-test",
            "OPTIONS": options,
        }
    }
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "config.cache.ResilientRedisChannelLayer",
            "CONFIG": {
                "hosts": [{"address": url, "socket_timeout": None, "socket_connect_timeout": 0.25}],
                "prefix": "hoctap-test",
            },
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


@pytest.fixture
def redis_down(settings):
    redis_settings(settings, DOWN)
    # No pause between attempts: every call below goes to Redis and meets the failure.
    settings.HOCTAP_REDIS_RETRY_SECONDS = 0
    cache.clear()  # the stand-in kept in process memory while Redis is down
    yield
    cache.clear()


@pytest.fixture
def broker_down(settings):
    """Celery publishes to a broker that refuses connections (no eager shortcut)."""
    from config.celery import app

    def use(url: str, eager: bool) -> None:
        app.conf.broker_url = url
        app.conf.task_always_eager = eager
        app._pool = None  # the broker connection pools, made again for the new URL
        app.amqp._producer_pool = None

    settings.HOCTAP_REDIS_RETRY_SECONDS = 0
    before = (app.conf.broker_url, app.conf.task_always_eager)
    use(DOWN, eager=False)
    yield use
    use(*before)
    _Broker.down_until, _Broker.was_down = 0.0, False


@pytest.fixture
def secretary(org_tree, secretary_of):
    return secretary_of(org_tree.cell_a1a, full_name="Bí Thư A1a")


@pytest.fixture
def member(org_tree, member_of):
    return member_of(org_tree.cell_a1a, full_name="Đảng Viên Một", party_card_number="08.000001")


@pytest.fixture
def study_session(org_tree, secretary, member, spec_for):
    spec = spec_for(org_tree.cell_a1a, essay_required=True, essay_deadline=at(20, 17))
    created = study_services.create_session(secretary, spec=spec)
    return study_services.publish_session(secretary, session=created)


@pytest.fixture
def morning(study_session):
    return study_session.segments.get(name="Buổi sáng")


@pytest.fixture
def essay(member, study_session):
    sections = {
        "understanding": "Nhận thức về Kết luận 328.",
        "relation": "Liên hệ với công việc của bản thân.",
        "proposals": "Đề xuất cụ thể cho nhiệm vụ chính trị của đơn vị.",
    }
    plan = [
        {
            "content": "Học",
            "objective": "Hiểu",
            "solution": "Đọc",
            "timeline": "Quý I",
            "responsible": "Tôi",
        }
    ]
    written = essay_services.essay_for(member, session=study_session, now=AFTER_SESSION)
    written = essay_services.save_draft(
        member, essay=written, revision=0, sections=sections, plan=plan, now=AFTER_SESSION
    )
    return essay_services.submit_essay(member, essay=written, now=AFTER_SESSION)


def qr_path(segment, moment) -> str:
    token = tokens.make_token(segment.pk, None, "in", tokens.window_at(moment))
    return reverse("attendance:scan", args=[token])


def test_login_page_login_home_and_pages_answer_with_redis_down(client, redis_down, member):
    login_page = client.get(reverse("account_login"))
    logged_in = client.post(
        reverse("account_login"), {"login": member.party_card_number, "password": PASSWORD}
    )
    home = client.get(reverse("home"))
    sessions = client.get(reverse("study:session-list"))
    notices = client.get(reverse("members:notice-list"))

    assert login_page.status_code == 200 and 'name="password"' in login_page.content.decode()
    assert logged_in.status_code == 302 and logged_in["Location"] == reverse("home")
    assert home.status_code == 200 and home.context["user"] == member
    assert "Đảng Viên Một" in home.content.decode()
    assert sessions.status_code == 200 and sessions.context["user"] == member
    assert notices.status_code == 200 and notices.context["user"] == member
    assert Session.objects.count() == 1  # the session lives in the database


def test_members_logged_in_before_redis_stopped_stay_logged_in(client, settings, member):
    client.force_login(member)  # while everything worked: the session row is in the database
    redis_settings(settings, DOWN)
    settings.HOCTAP_REDIS_RETRY_SECONDS = 0

    pages = [client.get(reverse("home")) for _ in range(3)]

    assert [p.status_code for p in pages] == [200, 200, 200]
    assert all(p.context["user"] == member for p in pages)


def test_check_in_with_redis_down_answers_its_page_and_records_once(
    client, redis_down, member, morning, django_capture_on_commit_callbacks
):
    client.force_login(member)
    with (
        time_machine.travel(at(10, 7, 58), tick=False),
        django_capture_on_commit_callbacks(execute=True) as announced,  # the live counter
    ):
        first = client.get(qr_path(morning, at(10, 7, 58)))
        second = client.get(qr_path(morning, at(10, 7, 58)))

    assert first.status_code == 200 and first.context["result"].created
    assert second.status_code == 200 and not second.context["result"].created
    assert "07:58" in second.content.decode()
    assert CheckIn.objects.get().participant.user == member
    assert len(announced) == 1


def test_the_host_asks_for_presence_and_opens_the_live_page_with_redis_down(
    client, redis_down, secretary, morning
):
    client.force_login(secretary)

    asked = client.post(reverse("attendance:ask-presence", args=[morning.pk]))
    live = client.get(asked["Location"])

    assert asked.status_code == 302
    assert asked["Location"] == reverse("attendance:live", args=[morning.session_id])
    assert live.status_code == 200 and "data-ws-paths" in live.content.decode()


def test_grading_with_redis_and_broker_down_answers_and_keeps_the_email(
    client, redis_down, broker_down, secretary, member, essay, django_capture_on_commit_callbacks
):
    client.force_login(secretary)

    with django_capture_on_commit_callbacks(execute=True):
        graded = client.post(
            reverse("essays:grade", args=[essay.pk]),
            {
                "level": "pass",
                "comment": "Tốt",
                "version": essay.revision,
                **{f"mark-{index}": "met" for index in range(3)},
            },
        )

    assert graded.status_code == 302
    assert essay.grades.get().level == "pass"
    queued = QueuedTask.objects.get()
    assert queued.name == "essays.tasks.email_essay_notice"
    assert mail.outbox == []


def test_tasks_kept_while_the_broker_was_down_are_sent_when_it_is_back(
    broker_down, secretary, member, essay, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        essay_services.grade_essay(secretary, essay=essay, level="basic_pass", comment="Cần")
    enqueue(email_essay_notice, essay_id=essay.pk, subject="Nhắc lại")  # keyword arguments too
    still_down = resend_queued_tasks()
    attempts = list(QueuedTask.objects.values_list("attempts", flat=True))

    broker_down("memory://localhost/", eager=True)  # the broker is back
    call_command("resend_queued_tasks", stdout=io.StringIO())

    assert still_down == 0 and attempts == [1, 0]  # stopped at the first failure
    assert not QueuedTask.objects.exists()
    assert [m.to for m in mail.outbox] == [[member.email], [member.email]]
    assert "Cần" in mail.outbox[0].body and mail.outbox[1].subject == "Nhắc lại"


def test_rate_limits_keep_counting_in_process_memory_with_redis_down(
    client, redis_down, settings, member
):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/5m/key"}
    login = reverse("account_login")

    wrong = [
        client.post(login, {"login": member.party_card_number, "password": "sai"}) for _ in range(3)
    ]
    refused = client.post(login, {"login": member.party_card_number, "password": PASSWORD})

    assert [r.status_code for r in wrong] == [200, 200, 200]
    assert refused.status_code == 200 and "sai quá nhiều lần" in refused.content.decode()
    assert "_auth_user_id" not in client.session  # even the right password waits


def test_while_redis_is_down_counters_last_and_cached_facts_do_not(redis_down):
    with time_machine.travel(at(10, 8), tick=False):
        cache.set("allauth:rl:account:login_failed:5/300s/key:abc", [1.0], 300)
        cache.set("hoctap:officer:7", True, 3600)  # a fact another process may change
        created = cache.add("code-tries:7", 0, 600)
        counted = cache.incr("code-tries:7")
    with time_machine.travel(at(10, 8, 1), tick=False):  # a minute later
        counter = cache.get("allauth:rl:account:login_failed:5/300s/key:abc")
        fact = cache.get("hoctap:officer:7")

    assert created and counted == 1  # add-then-incr throttles do not crash
    assert counter == [1.0] and fact is None  # the fact is read from the database again


@contextmanager
def silent_redis():
    """A server that accepts connections and never answers: a hung Redis, or a lost host."""
    server = socket.create_server(("127.0.0.1", 0))
    try:
        yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    finally:
        server.close()


def test_a_hung_redis_costs_one_timeout_then_the_breaker_answers(settings):
    with silent_redis() as url:
        redis_settings(settings, url, socket_timeout=0.2, socket_connect_timeout=0.2)
        settings.HOCTAP_REDIS_RETRY_SECONDS = 60

        started = time.perf_counter()
        first = cache.get("announce:1")
        waited = time.perf_counter() - started
        started = time.perf_counter()
        for n in range(200):
            cache.set(f"k{n}", n)
            cache.get(f"k{n}")
            cache.get("django.contrib.sessions.cached_db" + "x" * 32)
        degraded = time.perf_counter() - started

    assert first is None and 0.15 < waited < 3
    assert degraded < 0.5  # 600 calls: none of them waited on the server


# --- Against the real Redis that CI runs (REDIS_URL), cut off and reconnected --------------


class Cable:
    """A TCP forwarder to the real Redis that the test can cut and plug back in: the network
    fails, not our code."""

    def __init__(self, target_url: str) -> None:
        target = urlsplit(target_url)
        self.target_url = target_url
        self.target = (target.hostname or "127.0.0.1", target.port or 6379)
        self._sockets: list[socket.socket] = []
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self.url = urlunsplit(target._replace(netloc=f"127.0.0.1:{self.port}"))
        self._start()

    def _start(self) -> None:
        threading.Thread(target=self._accept, args=(self._server,), daemon=True).start()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self._sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for s in (source, sink):
            with suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        with suppress(OSError):
            self._server.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        self._server.close()
        for s in self._sockets:
            with suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()
        self._sockets = []

    def plug_in(self) -> None:
        self._server = socket.create_server(("127.0.0.1", self.port))
        self._start()


@pytest.fixture
def cable(settings):
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("needs the real Redis of CI (REDIS_URL)")
    wire = Cable(url)
    redis_settings(settings, wire.url)
    settings.HOCTAP_REDIS_RETRY_SECONDS = 0
    yield wire
    wire.cut()


def test_after_redis_returns_a_logout_made_during_the_outage_holds(client, cable, member):
    client.force_login(member)
    stolen = client.cookies["sessionid"].value
    cached_before = client.get(reverse("home")).context["user"]  # read back through Redis

    cable.cut()
    logged_out = client.post(reverse("account_logout"))
    cable.plug_in()
    client.cookies["sessionid"] = stolen  # a copy of the cookie, replayed after the outage
    after = client.get(reverse("home"))

    assert cached_before == member
    assert logged_out.status_code == 302 and not Session.objects.filter(pk=stolen).exists()
    assert after.status_code in (200, 302) and not after.wsgi_request.user.is_authenticated
    assert cache.get("announce:x") is None and cache.add("announce:x", 1, 5)  # Redis works


def test_after_redis_returns_a_change_made_during_the_outage_holds(cable):
    cache.set("hoctap:officer:7", False, 3600)  # cached before the outage

    cable.cut()
    cache.delete("hoctap:officer:7")  # a role was granted: the cached fact is forgotten
    cable.plug_in()
    after = cache.get("hoctap:officer:7")

    assert after is None


def test_a_restarted_redis_brings_no_logged_out_session_back(client, cable, member):
    client.force_login(member)
    stolen = client.cookies["sessionid"].value
    client.get(reverse("home"))  # the session is cached, the run of Redis noted
    Session.objects.filter(pk=stolen).delete()  # logged out, say just before Redis stopped

    # Redis restarts and reloads a snapshot taken before that logout: its connections drop,
    # its run id is new, and it holds the old copy. No request sees it go.
    redis.Redis.from_url(cable.target_url).set("hoctap-test:redis-run-id", "an earlier run")
    cable.cut()
    cable.plug_in()
    after = client.get(reverse("home"))

    assert not after.wsgi_request.user.is_authenticated


async def test_live_updates_flow_again_when_redis_returns(cable):
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add("board", channel)

    cable.cut()
    await layer.group_send("board", {"type": "attendance.count", "count": 1})  # dropped
    cable.plug_in()
    await layer.group_send("board", {"type": "attendance.count", "count": 2})

    assert (await layer.receive(channel))["count"] == 2
