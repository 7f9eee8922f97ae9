"""The board's reports at bloc scale (issue 12, point 6; the "bloc reports" of issue 14's bench).

What it does, on this machine only (loopback), against PostgreSQL:
  1. builds a bloc in a dedicated database with SQL set operations (seeded, so runs compare):
     the bloc, U upper-level committees, cells of 30, N members; each committee holds S sessions
     in the year (morning, afternoon with check-out; every other one asks for an essay), so each
     member is expected at S sessions; check-ins thinning from morning to afternoon, some
     leaving early, excuses, essays (some late, some missing) and grades;
  2. settles the outcomes (attendance.settlement, what beat does every 10 minutes) and times it;
  3. starts gunicorn (sync workers, config.wsgi, as in production) and measures the board's
     dashboard of the bloc, of one committee and of one cell for the year: 20 requests each from
     5 concurrent clients, no cache between them (p50/p95/max);
  4. times the bloc's annual assessment (oversight.assessment.assess) and one committee's
     assessment export (.xlsx), with peak Python memory;
  5. writes EXPLAIN (ANALYZE, BUFFERS) of the dashboard's heaviest statements, and a Markdown
     table to bench/results/oversight-scale-<date>-<members>.md.

Run (PostgreSQL and Redis up, see README):
  createdb -O hoctap hoctap_scale
  export DATABASE_URL=postgres://hoctap:hoctap@127.0.0.1:5432/hoctap_scale
  export REDIS_URL=redis://127.0.0.1:6379/3 SECRET_KEY=bench
  .venv/bin/python bench/oversight_scale.py --members 60000 --sessions 30
The database is emptied first: never point it at one that matters.
"""

import argparse
import datetime as dt
import http.client
import os
import platform
import signal
import statistics
import subprocess
import sys
import threading
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("HOCTAP_REQUIRE_2FA_ABOVE_CELL", "0")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from attendance import settlement  # noqa: E402
from members.models import Membership, Organization, Role, RoleAssignment, User  # noqa: E402
from oversight import assessment, exports, periods, queries  # noqa: E402
from study.models import Participant, Segment, StudySession  # noqa: E402

YEAR = 2026
TZ = dt.timezone(dt.timedelta(hours=7))
PORT = 8791
CELL_SIZE = 30


def sql(statement: str, params=()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


def build(members: int, units: int, sessions_per_member: int) -> tuple[Organization, User]:
    tables = ", ".join(
        f'"{t}"'
        for t in connection.introspection.table_names()
        if not t.startswith(("django_migrations", "django_content_type", "auth_permission"))
    )
    sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    sql("SELECT setseed(0.42)")
    bloc = Organization.add_root(
        name="Đảng bộ Khối (bench)", code="BENCH", kind=Organization.Kind.BLOC_COMMITTEE
    )
    cells_per_unit = -(-members // (units * CELL_SIZE))
    cells = []
    for u in range(units):
        unit = bloc.add_child(
            name=f"Đảng bộ {u + 1}", code=f"U{u + 1}", kind=Organization.Kind.UPPER_COMMITTEE
        )
        for c in range(cells_per_unit):
            cells.append(
                unit.add_child(
                    name=f"Chi bộ {u + 1}.{c + 1}", code=f"C{u + 1}.{c + 1}", kind="cell"
                )
            )
    users = [
        User(
            full_name=f"Đảng viên {i:05d}",
            party_card_number=f"{90_000_000 + i:012d}",
            password="!",
        )
        for i in range(members)
    ]
    for user in users:
        user.full_name_folded = user.full_name.lower()
    User.objects.bulk_create(users, batch_size=5000)
    Membership.objects.bulk_create(
        [
            Membership(
                user=user, organization=cells[i // CELL_SIZE], started_on=dt.date(2020, 1, 1)
            )
            for i, user in enumerate(users)
        ],
        batch_size=5000,
    )
    officer = User.objects.create(full_name="Ban Tuyên giáo (bench)", email="bench@example.vn")
    officer.set_password("bench")
    officer.save()
    RoleAssignment.objects.create(user=officer, organization=bloc, role=Role.PROPAGANDA_OFFICER)
    sessions, segments = [], []
    for unit in Organization.objects.filter(depth=2).order_by("path"):
        for k in range(sessions_per_member):
            # spread over the year, all over before the end of October
            day = dt.datetime(YEAR, 1, 5, tzinfo=TZ) + dt.timedelta(
                days=k * 290 // sessions_per_member + unit.pk % 7
            )
            sessions.append(
                StudySession(
                    title=f"Học tập nghị quyết {k + 1}",
                    organizer=unit,
                    venue="Hội trường",
                    starts_at=day.replace(hour=7, minute=30),
                    ends_at=day.replace(hour=16, minute=30),
                    status=StudySession.Status.CLOSED,
                    essay_required=k % 2 == 0,
                    essay_deadline=day + dt.timedelta(days=10) if k % 2 == 0 else None,
                    created_by=officer,
                    published_at=day - dt.timedelta(days=7),
                )
            )
    StudySession.objects.bulk_create(sessions, batch_size=2000)
    for session in sessions:
        morning = session.starts_at
        afternoon = session.starts_at.replace(hour=13, minute=30)
        segments += [
            Segment(
                session=session,
                name="Buổi sáng",
                starts_at=morning,
                ends_at=morning.replace(hour=11, minute=30),
                checkin_opens_at=morning - dt.timedelta(minutes=30),
                late_after=morning + dt.timedelta(minutes=15),
            ),
            Segment(
                session=session,
                name="Buổi chiều",
                starts_at=afternoon,
                ends_at=session.ends_at,
                checkin_opens_at=afternoon - dt.timedelta(minutes=30),
                late_after=afternoon + dt.timedelta(minutes=15),
                has_checkout=True,
            ),
        ]
    Segment.objects.bulk_create(segments, batch_size=5000)
    StudySession.audience.through.objects.bulk_create(
        [
            StudySession.audience.through(studysession_id=s.pk, organization_id=s.organizer_id)
            for s in sessions
        ]
    )
    # Everyone of the committee is expected; check-ins thin out from morning to afternoon.
    sql(
        """INSERT INTO study_participant (source, added_at, organization_id, user_id, session_id)
        SELECT 'audience', s.published_at, m.organization_id, m.user_id, s.id
        FROM study_studysession s
        JOIN members_organization u ON u.id = s.organizer_id
        JOIN members_organization c ON c.path LIKE u.path || '%%' AND c.depth = u.depth + 1
        JOIN members_membership m ON m.organization_id = c.id"""
    )
    sql(
        """INSERT INTO attendance_checkin
            (direction, at, method, device, created_at, participant_id, segment_id)
        SELECT 'in', g.starts_at + (random() * 40 - 20) * interval '1 minute', 'qr', '',
               g.starts_at, p.id, g.id
        FROM study_participant p JOIN study_segment g ON g.session_id = p.session_id
        WHERE random() < CASE WHEN g.has_checkout THEN 0.72 ELSE 0.92 END"""
    )
    sql(
        """INSERT INTO attendance_checkin
            (direction, at, method, device, created_at, participant_id, segment_id)
        SELECT 'out', g.ends_at - (random() * random() * 120) * interval '1 minute', 'qr', '',
               g.ends_at, c.participant_id, g.id
        FROM attendance_checkin c JOIN study_segment g ON g.id = c.segment_id
        WHERE g.has_checkout AND c.direction = 'in' AND random() < 0.9"""
    )
    sql(
        """INSERT INTO attendance_excuserequest
            (reason, decision, created_at, decided_at, participant_id, decided_by_id)
        SELECT 'Đi công tác', 'accepted', s.starts_at - interval '1 day', s.starts_at,
               p.id, %s
        FROM study_participant p JOIN study_studysession s ON s.id = p.session_id
        WHERE NOT EXISTS (SELECT 1 FROM attendance_checkin c WHERE c.participant_id = p.id)
          AND random() < 0.4""",
        [officer.pk],
    )
    sql(
        """INSERT INTO essays_essay (understanding, relation, proposals, plan, status, revision,
            saved_at, submitted_at, late, return_comment, participant_id, upload, upload_name,
            upload_text)
        SELECT 'Nội dung', 'Liên hệ', 'Đề xuất', '[]', 'submitted', 1, t.at, t.at,
               t.at > s.essay_deadline, '', p.id, '', '', ''
        FROM study_participant p JOIN study_studysession s ON s.id = p.session_id,
        LATERAL (SELECT s.ends_at + (random() * 12) * interval '1 day' AS at) t
        WHERE s.essay_required AND random() < 0.85"""
    )
    sql(
        """INSERT INTO essays_grade (level, comment, graded_at, essay_id, grader_id)
        SELECT CASE WHEN r < 0.6 THEN 'pass' WHEN r < 0.9 THEN 'basic_pass' ELSE 'fail' END,
               '', e.submitted_at + interval '3 days', e.id, %s
        FROM (SELECT id, submitted_at, random() AS r FROM essays_essay) e
        WHERE r < 0.95""",
        [officer.pk],
    )
    sql(
        """UPDATE essays_essay e SET latest_grade_id = g.id, status = 'graded'
        FROM essays_grade g WHERE g.essay_id = e.id"""
    )
    sql("ANALYZE")
    return bloc, officer


def count(model) -> int:
    return model.objects.count()


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def peak_of(fn) -> int:
    """The peak of memory allocated by Python while `fn` runs, in bytes: in a run of its own,
    since tracing every allocation makes code that allocates much (the assessment builds 60,000
    rows) three to four times slower, and the time measured must be the time a user waits."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def start_gunicorn(workers: int) -> subprocess.Popen:
    env = dict(os.environ, DEBUG="0", ALLOWED_HOSTS="127.0.0.1,localhost")
    process = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "config.wsgi",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{PORT}",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    for _ in range(200):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not start")


def measure_page(path: str, cookie: str, *, requests: int = 20, clients: int = 5) -> dict:
    latencies: list[float] = []
    statuses: list[int] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
        for _ in range(n):
            started = time.perf_counter()
            conn.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
            response = conn.getresponse()
            response.read()
            with lock:
                latencies.append(time.perf_counter() - started)
                statuses.append(response.status)

    threads = [threading.Thread(target=client, args=(requests // clients,)) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    return {
        "p50": statistics.median(latencies),
        "p95": latencies[max(0, round(0.95 * len(latencies)) - 1)],
        "max": latencies[-1],
        "errors": sum(1 for s in statuses if s != 200),
    }


def explain_heaviest(officer: User, bloc: Organization, top: int = 3) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        queries.dashboard(officer, bloc, periods.year(YEAR))
    heaviest = sorted(captured.captured_queries, key=lambda q: float(q["time"]), reverse=True)
    plans = []
    for query in heaviest[:top]:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
        plans.append(f"-- {float(query['time']):.3f} s\n{query['sql']}\n\n{plan}")
    return plans


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=60_000)
    parser.add_argument("--units", type=int, default=60)
    parser.add_argument("--sessions", type=int, default=30, help="sessions per member a year")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument(
        "--skip-settle", action="store_true", help="keep the outcomes settled by an earlier run"
    )
    parser.add_argument(
        "--markdown", action="store_true", help="print only the results table (for bench/run.py)"
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("Set DATABASE_URL to a dedicated PostgreSQL database (see the docstring).")

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG=0 serves the manifest
    rows: list[tuple[str, str]] = []
    if args.skip_build:
        bloc = Organization.get_root_nodes().get(code="BENCH")
        officer = User.objects.get(email="bench@example.vn")
    else:
        (bloc, officer), took = timed(lambda: build(args.members, args.units, args.sessions))
        rows.append(("build the data (SQL)", f"{took:.0f} s"))
    from attendance.models import CheckIn, SettledOutcome
    from essays.models import Essay

    data = (
        f"{count(Membership):,} members, {count(StudySession):,} sessions, "
        f"{count(Participant):,} participations, {count(CheckIn):,} check-ins, "
        f"{count(Essay):,} essays"
    )
    print(data, file=sys.stderr)
    if not args.skip_settle:
        SettledOutcome.objects.all().delete()
        written, took = timed(
            lambda: settlement.settle(Participant.objects.current(), now=timezone.now())
        )
        rows.append(
            (
                "settle every outcome (beat's task, all at once)",
                f"{took:.0f} s ({written / took:,.0f} participations/s)",
            )
        )

    from oversight import summaries
    from oversight.models import SessionFiguresState

    SessionFiguresState.objects.all().delete()  # their figures are counted again
    kept, took = timed(lambda: summaries.keep(list(StudySession.objects.all()), now=timezone.now()))
    rows.append(
        (
            "keep every session's figures (beat's task, all at once)",
            f"{took:.0f} s ({len(kept):,} sessions, {took / max(1, len(kept)) * 1000:.0f} ms each)",
        )
    )

    client = Client()
    client.force_login(officer)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    unit = Organization.objects.get(code="U1")
    cell = Organization.objects.get(code="C1.1")
    server = start_gunicorn(args.workers)
    try:
        # Every worker's imports and templates loaded, by another organisation's page of another
        # period (a worker's first request pays ~1 s for them, once in its life), so that each
        # page measured below is asked for the first time, counted from the kept figures.
        # (the last cell: with one committee, a cell of the one measured)
        other = Organization.objects.filter(code__startswith="C").order_by("-pk").first()
        page = reverse("oversight:organization", args=[other.pk])
        warm = f"{page}?kind=month&year={YEAR}&month=11"
        measure_page(warm, cookie, requests=4 * args.workers, clients=args.workers)
        for name, org in (("bloc", bloc), ("one committee", unit), ("one cell", cell)):
            url = reverse("oversight:organization", args=[org.pk]) + f"?kind=year&year={YEAR}"
            result = measure_page(url, cookie)
            rows.append(
                (
                    f"dashboard of {name}, year, 20 requests from 5 clients",
                    f"p50 {result['p50']:.2f} s, p95 {result['p95']:.2f} s, "
                    f"max {result['max']:.2f} s, {result['errors']} errors",
                )
            )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()

    result, took = timed(lambda: assessment.assess(bloc, YEAR))
    peak = peak_of(lambda: assessment.assess(bloc, YEAR))
    rows.append(
        (
            "annual assessment of the bloc (every member)",
            f"{took:.1f} s, {len(result.rows):,} rows, peak {peak / 2**20:.0f} MiB",
        )
    )
    unit_result = assessment.assess(unit, YEAR)
    workbook, took = timed(lambda: exports.assessment_xlsx(unit_result, now=timezone.now()))
    peak = peak_of(
        lambda: exports.assessment_xlsx(assessment.assess(unit, YEAR), now=timezone.now())
    )
    rows.append(
        (
            "assessment export of one committee (.xlsx)",
            f"{took:.1f} s, {len(unit_result.rows):,} rows, {len(workbook) / 1024:.0f} KB, "
            f"peak {peak / 2**20:.0f} MiB",
        )
    )
    plans = explain_heaviest(officer, bloc)

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        pg_version = cursor.fetchone()[0].split(",")[0]
    out = (
        ROOT
        / "bench"
        / "results"
        / f"oversight-scale-{timezone.localdate().isoformat()}-{args.members}.md"
    )
    out.parent.mkdir(exist_ok=True)
    lines = [
        f"# The board's reports at bloc scale, {timezone.localdate().isoformat()}",
        "",
        f"Machine: {platform.platform()}, {os.cpu_count()} cores; Python "
        f"{platform.python_version()}, Django {django.get_version()}, {pg_version}; "
        f"gunicorn {args.workers} sync workers on loopback.",
        "",
        f"Data: {data} (year {YEAR}; {args.units} committees, cells of {CELL_SIZE}).",
        "",
        "| What | Measured |",
        "|---|---|",
        *(f"| {what} | {measured} |" for what, measured in rows),
        "",
        "## The dashboard's heaviest statements (bloc, year)",
        "",
        *(f"```\n{plan}\n```\n" for plan in plans),
    ]
    out.write_text("\n".join(lines))
    start = lines.index("| What | Measured |")
    table = lines[start : start + 2 + len(rows)]
    print("\n".join(table if args.markdown else lines[: 12 + len(rows)]))
    print(f"written to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
