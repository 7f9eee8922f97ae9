"""Burst of members checking in at once, against the production setup (DESIGN, issue 5).

What it does, on this machine only (loopback):
  1. migrates a dedicated database and builds one cell of N members, a published session and a
     segment that is open now; gives every member a logged-in session directly in the session
     store (no password is hashed: a hall of phones stays logged in, see DESIGN);
  2. starts gunicorn (sync workers, config.wsgi) for HTTP, as in production;
  3. sends every member's check-in (the projector's current QR URL) from C client threads with
     keep-alive connections, each member twice, so double taps race each other;
  4. reports throughput, p50/p95/p99 latency and errors, checks that exactly N rows were written
     (nothing lost, nothing doubled), then measures the same server's trivial view (/healthz).

Run (PostgreSQL and Redis up, see README):
  export DATABASE_URL=postgres://hoctap:hoctap@127.0.0.1:5432/hoctap_bench
  export REDIS_URL=redis://127.0.0.1:6379/1 SECRET_KEY=bench
  .venv/bin/python bench/checkin_burst.py --members 2000 --clients 32 --workers 4
"""

import argparse
import http.client
import json
import os
import queue
import signal
import statistics
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")


def setup_django():
    import django

    django.setup()


def build_scene(members: int) -> tuple[list[str], str, int]:
    """Returns (session cookies, check-in path, segment id)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.urls import reverse
    from django.utils import timezone

    from attendance import tokens
    from attendance.models import CheckIn
    from members.models import Membership, Organization, RoleAssignment, User
    from study import services
    from study.models import StudySession
    from study.services import SegmentSpec, SessionSpec

    call_command("migrate", verbosity=0)
    CheckIn.objects.all().delete()
    StudySession.objects.all().delete()
    cell = Organization.objects.filter(code="BENCH").first() or Organization.objects.add_root(
        create_kwargs={"name": "Chi bộ đo tải", "code": "BENCH", "kind": Organization.Kind.CELL}
    )
    existing = User.objects.filter(party_card_number__startswith="77").count()
    users = [
        User(
            full_name=f"Đảng viên {i}",
            full_name_folded=f"dang vien {i}",
            party_card_number=f"77{i:06d}",
            password="!",
        )
        for i in range(existing, members)
    ]
    User.objects.bulk_create(users, batch_size=1000)
    people = list(User.objects.filter(party_card_number__startswith="77").order_by("pk")[:members])
    have = set(Membership.objects.filter(organization=cell).values_list("user_id", flat=True))
    Membership.objects.bulk_create(
        [Membership(user=u, organization=cell) for u in people if u.pk not in have], batch_size=1000
    )
    secretary = people[0]
    RoleAssignment.objects.get_or_create(user=secretary, organization=cell, role="secretary")
    now = timezone.now()
    session = services.create_session(
        secretary,
        spec=SessionSpec(
            title="Đo tải điểm danh",
            organizer=cell,
            audience=[cell],
            venue="Hội trường",
            starts_at=now - timedelta(minutes=5),
            ends_at=now + timedelta(hours=2),
            segments=[
                SegmentSpec("Buổi sáng", now - timedelta(minutes=5), now + timedelta(hours=1))
            ],
        ),
    )
    services.publish_session(secretary, session=session, announce=False)
    segment = session.segments.get()
    cookies = []
    for user in people:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={store.session_key}")
    # A window long enough for the whole burst (the server reads HOCTAP_QR_ROTATE_SECONDS too).
    token = tokens.make_token(segment.pk, None, "in", tokens.window_at(timezone.now()))
    return cookies, reverse("attendance:scan", args=[token]), segment.pk


def start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--keep-alive",
            "30",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    for _ in range(100):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("gunicorn did not start")


def burst(
    port: int, requests: list[tuple[str, str | None]], clients: int
) -> tuple[list[float], int, float]:
    """Send (path, cookie) requests from `clients` threads; returns latencies, errors, seconds."""
    work: queue.Queue = queue.Queue()
    for item in requests:
        work.put(item)
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()

    def client():
        nonlocal errors
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            try:
                path, cookie = work.get_nowait()
            except queue.Empty:
                return
            headers = {"Cookie": cookie} if cookie else {}
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                errors += 0 if ok else 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors, time.perf_counter() - started


def summary(name: str, latencies: list[float], errors: int, seconds: float) -> dict:
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return round(1000 * ordered[min(len(ordered) - 1, int(p * len(ordered)))], 1)

    result = {
        "what": name,
        "requests": len(latencies),
        "seconds": round(seconds, 2),
        "req_per_s": round(len(latencies) / seconds, 1),
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "mean_ms": round(1000 * statistics.fmean(latencies), 1),
        "errors": errors,
    }
    print(json.dumps(result, ensure_ascii=False))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--trivial", type=int, default=5000, help="requests to /healthz")
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        raise SystemExit(
            "Set DATABASE_URL (PostgreSQL) and REDIS_URL: this measures the production setup."
        )
    os.environ["HOCTAP_QR_ROTATE_SECONDS"] = "3600"  # the burst must not straddle a QR window
    os.environ.setdefault("HOCTAP_CONN_MAX_AGE", "600")
    os.environ.setdefault("HOCTAP_MANIFEST_STATIC", "0")  # no collectstatic needed to measure
    setup_django()
    cookies, path, segment_id = build_scene(args.members)
    print(f"scene: {args.members} members, {args.workers} gunicorn workers, {args.clients} clients")
    server = start_gunicorn(args.port, args.workers)
    try:
        # Every member twice, the two taps far apart in the queue and racing across workers.
        requests = [(path, c) for c in cookies] + [(path, c) for c in reversed(cookies)]
        check_in = summary(
            "check-in burst (each member twice)", *burst(args.port, requests, args.clients)
        )
        trivial = summary(
            "trivial view /healthz",
            *burst(args.port, [("/healthz", None)] * args.trivial, args.clients),
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    from attendance.models import CheckIn

    rows = CheckIn.objects.filter(segment_id=segment_id).count()
    distinct = (
        CheckIn.objects.filter(segment_id=segment_id).values("participant").distinct().count()
    )
    verdict = {
        "members": args.members,
        "rows": rows,
        "distinct_participants": distinct,
        "lost": args.members - distinct,
        "doubled": rows - distinct,
    }
    print(json.dumps(verdict))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"checkin-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(
        json.dumps(
            {"args": vars(args), "check_in": check_in, "trivial": trivial, "rows": verdict},
            indent=2,
        )
    )
    if verdict["lost"] or verdict["doubled"] or check_in["errors"]:
        raise SystemExit("FAILED: check-ins lost, doubled or refused")


if __name__ == "__main__":
    main()
