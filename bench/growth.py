"""How the check-in's cost and the reports' cost grow with the bloc (issue 14, point 4).

One command, on this machine only (loopback):

  .venv/bin/python bench/growth.py                # 1,000, 3,000, 15,000, 60,000 members

1. starts a PostgreSQL cluster and a Redis server of its own (bench/faults.py's OwnServices,
   --pg-port, --redis-port), removed at the end;
2. puts a bloc's year in a database per size: 1,000 members built there by
   bench/oversight_scale.py (--build, sizes to build); the larger ones copied with pg_dump
   from the databases that bench/oversight_scale.py built before (--copy, default
   hoctap_scale, hoctap_scale15, hoctap_scale60 on --source, the shared cluster: only read;
   the dumps are kept in --dumps and reused);
3. in each: the check-in closed loop of bench/run.py (wrk, new check-ins then /healthz, with
   its own cell of --members beside the bloc's year); the bloc's dashboard for the year
   (median of 3 requests after a first one, in one process); the bloc's annual assessment; its
   export (.xlsx, every member); each report in a process of its own, whose peak resident
   memory is read when it ends (Django alone is about 70 MiB of it);
4. writes bench/results/growth-<date>.md.

The largest size takes about 10 minutes (restoring 2 GB, then the assessment and its export).
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))  # this checkout's code, whatever else is installed
PG_BIN = Path("/usr/lib/postgresql/15/bin")
YEAR = 2026  # bench/oversight_scale.py's


# --- The reports, each in a process of its own --------------------------------------------------


def report(what: str) -> dict:
    """Run one report in this process (DATABASE_URL set by the parent); returns its figures."""
    import django

    django.setup()
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from members.models import Membership, Organization, User
    from oversight import assessment, exports

    if what == "keep":
        return keep_figures()
    if what == "checkin":
        return serial_checkins()
    bloc = Organization.objects.get_root_nodes().get(code="BENCH")
    members = Membership.objects.filter(organization__path__startswith=bloc.path).count()
    figures: dict = {"members": members}
    if what == "dashboard":
        client = Client()
        client.force_login(User.objects.get(email="bench@example.vn"))
        url = reverse("oversight:organization", args=[bloc.pk]) + f"?kind=year&year={YEAR}"
        times = []
        for _ in range(4):
            started = time.perf_counter()
            status = client.get(url).status_code
            times.append(time.perf_counter() - started)
            if status != 200:
                raise SystemExit(f"the dashboard answered {status}")
        figures["seconds"] = statistics.median(times[1:])
    elif what == "assessment":
        started = time.perf_counter()
        result = assessment.assess(bloc, YEAR)
        figures.update(seconds=time.perf_counter() - started, rows=len(result.rows))
    elif what == "export":
        started = time.perf_counter()
        result = assessment.assess(bloc, YEAR)
        workbook = exports.assessment_xlsx(result, now=timezone.now())
        figures.update(
            seconds=time.perf_counter() - started, rows=len(result.rows), kb=len(workbook) / 1024
        )
    return figures


def serial_checkins(count: int = 300) -> dict:
    """The check-in's own cost, without HTTP nor queueing behind other requests: `count`
    members of the closed loop's cell check in one after the other in this process
    (attendance.services, as the scan view calls it), on a segment emptied first."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from attendance import services, tokens
    from attendance.models import CheckIn
    from study.models import StudySession

    session = StudySession.objects.filter(organizer__code="RUSH").order_by("-pk").first()
    segment = session.segments.order_by("starts_at").last()
    CheckIn.objects.filter(segment=segment).delete()
    users = [p.user for p in session.participants.select_related("user").order_by("pk")[:count]]
    token = tokens.make_token(segment.pk, None, "in", tokens.window_at(timezone.now()))
    times = []
    for user in users:
        now = timezone.now()
        started = time.perf_counter()
        services.check_in_with_token(user, token=token, scanned_at=now, now=now)
        times.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as queries:
        now = timezone.now()
        services.check_in_with_token(users[0], token=token, scanned_at=now, now=now)
    times.sort()
    return {
        "median_ms": 1000 * statistics.median(times),
        "p99_ms": 1000 * times[int(0.99 * len(times))],
        "statements_again": len(queries),
    }


def keep_figures() -> dict:
    """What beat keeps for the dashboard (oversight.summaries), where an older copy has not
    kept it: otherwise the dashboard counts those sessions from their rows."""
    from django.utils import timezone

    from oversight import summaries
    from oversight.models import SessionFiguresState
    from study.models import StudySession

    missing = StudySession.objects.exclude(pk__in=SessionFiguresState.objects.values("session_id"))
    kept = summaries.keep(list(missing), now=timezone.now())
    return {"kept": len(kept)}


def measure_report(what: str, env: dict) -> dict:
    """The report in a child process: its figures, and its peak resident memory."""
    child = subprocess.Popen(
        [sys.executable, __file__, "--report", what],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    out = child.stdout.read()
    _pid, status, usage = os.wait4(child.pid, 0)
    if status:
        raise SystemExit(f"the {what} failed")
    figures = json.loads(out.strip().splitlines()[-1])
    figures["peak_mib"] = usage.ru_maxrss / 1024  # kilobytes on Linux
    return figures


# --- Databases --------------------------------------------------------------------------------


def dump(source: str, name: str, dumps: Path) -> Path:
    """A copy of `name` on the shared cluster, read with pg_dump (kept for the next run)."""
    target = dumps / name
    if not target.exists():
        partial, source_db = dumps / f"{name}.partial", f"{source}/{name}"
        subprocess.run(
            [str(PG_BIN / "pg_dump"), "-Fd", "-j", "2", "-Z", "1", "-f", str(partial), source_db],
            check=True,
        )
        partial.rename(target)
    return target


def restore(services, name: str, copy: Path) -> str:
    import psycopg

    with psycopg.connect(services.database_url, autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}" OWNER hoctap')
    url = services.database_url.rsplit("/", 1)[0] + f"/{name}"
    subprocess.run(
        [str(PG_BIN / "pg_restore"), "-j", "2", "--no-owner", "-d", url, str(copy)], check=True
    )
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("ANALYZE")
    return url


def build(services, members: int) -> str:
    import psycopg

    name = f"hoctap_scale_{members}"
    with psycopg.connect(services.database_url, autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}" OWNER hoctap')
    url = services.database_url.rsplit("/", 1)[0] + f"/{name}"
    units = max(1, members // 1000)
    subprocess.run(
        [
            sys.executable,
            str(BENCH / "oversight_scale.py"),
            "--members",
            str(members),
            "--units",
            str(units),
            "--markdown",
        ],
        cwd=ROOT,
        env={**os.environ, **server_env(url, services.redis_url)},
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return url


def server_env(url: str, redis_url: str) -> dict:
    return {
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "bench",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "HOCTAP_MANIFEST_STATIC": "0",
        "HOCTAP_TASKS_IN_PROCESS": "1",
        "HOCTAP_REQUIRE_2FA_ABOVE_CELL": "0",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }


# --- One size ---------------------------------------------------------------------------------


def measure(services, url: str, args) -> dict:
    env = {**os.environ, **server_env(url, services.redis_url)}
    closed_json = BENCH / "results" / ".growth-closed.json"
    subprocess.run(
        [
            sys.executable,
            str(BENCH / "run.py"),
            "--services",
            "shared",
            "--only",
            "closed",
            "--members",
            str(args.members),
            "--segments",
            str(args.segments),
            "--bloc",
            "10",
            "--seconds",
            str(args.seconds),
            "--repeat",
            str(args.repeat),
            "--port",
            str(args.port),
            "--json",
            str(closed_json),
        ],
        cwd=ROOT,
        env={**env, "BENCH_DATABASE_URL": url, "BENCH_REDIS_URL": services.redis_url},
        check=True,
        stdout=subprocess.DEVNULL,
    )
    measure_report("keep", env)
    runs = json.loads(closed_json.read_text())["closed"]
    closed_json.unlink()
    best = max(runs, key=lambda run: run[0]["ratio"])
    new, trivial = best[0], best[2]
    figures = {
        "checkin": new,
        "healthz": trivial["req_per_s"],
        "serial": measure_report("checkin", env),
        "dashboard": measure_report("dashboard", env),
        "assessment": measure_report("assessment", env),
        "export": measure_report("export", env),
    }
    print(json.dumps(figures), flush=True)
    return figures


def write(rows: list[dict], args) -> Path:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    stamp = datetime.now(tz=UTC)
    lines = [
        f"# How the costs grow with the bloc, {stamp:%Y-%m-%d %H:%M} UTC",
        "",
        "Produced by `bench/growth.py` (README, *Benchmarks*). Machine: "
        f"{platform.platform()}, {os.cpu_count()} cores; load average at the end {load}. "
        "Each size is a bloc's year (bench/oversight_scale.py's data: 30 sessions a member, "
        "their check-ins, essays, settled outcomes) in the bench's own PostgreSQL.",
        "",
        f"Check-in: bench/run.py's closed loop (wrk, 32 connections, {args.seconds} s, best of "
        f"{args.repeat}), new check-ins of a cell of {args.members:,} members beside the bloc's "
        "year, and /healthz by the same wrk right after. Reports: one process each, the "
        "dashboard's median of 3 requests after a first, the assessment and its export "
        "(every member of the bloc, .xlsx) once; peak memory is the process's peak resident "
        "size, Django included. *alone*: 300 check-ins one after the other in one process "
        "(the service the scan view calls, no HTTP, no queue), median and p99: the check-in's "
        "own cost as the tables grow, less sensitive to a loaded machine than the closed loop.",
        "",
        "| members | check-ins (year) | check-in/s | / healthz | p50 ms | p99 ms | alone ms "
        "| dashboard s | dashboard MiB | assessment s | assessment MiB | export s | export KB "
        "| export MiB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        c, d, a, e = row["checkin"], row["dashboard"], row["assessment"], row["export"]
        mark = " *" if row.get("earlier") else ""
        alone = row.get("serial")
        alone = f"{alone['median_ms']:.1f} / {alone['p99_ms']:.0f}" if alone else "not measured"
        lines.append(
            f"| {d['members']:,}{mark} | {row['checkins']:,} | {c['req_per_s']:,.0f} "
            f"| {100 * c['ratio']:.1f} % | {c['p50_ms']:,.0f} | {c['p99_ms']:,.0f} | {alone} "
            f"| {d['seconds']:.2f} | {d['peak_mib']:,.0f} | {a['seconds']:.1f} "
            f"| {a['peak_mib']:,.0f} | {e['seconds']:.1f} | {e['kb']:,.0f} | {e['peak_mib']:,.0f} |"
        )
    if any(row.get("earlier") for row in rows):
        lines += ["", "\\* measured by an earlier run of the same command (--with-earlier)."]
    out = BENCH / "results" / f"growth-{stamp:%Y-%m-%d-%H%M}.md"
    out.write_text("\n".join([*lines, ""]))
    return out


def kept(row: dict, args) -> dict:
    """Each size's figures are kept beside the dumps: --with-earlier adds them to a run that
    measures other sizes (one size measured again after a change, the others as they were)."""
    members = row["dashboard"]["members"]
    (args.dumps.parent / f"size-{members}.json").write_text(json.dumps(row))
    return row


def count_checkins(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as db:
        return db.execute("SELECT count(*) FROM attendance_checkin").fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--report",
        choices=["keep", "checkin", "dashboard", "assessment", "export"],
        help=argparse.SUPPRESS,
    )
    parser.add_argument("--build", default="1000", help="sizes built here, comma-separated")
    parser.add_argument(
        "--copy",
        default="hoctap_scale,hoctap_scale15,hoctap_scale60",
        help="databases of bench/oversight_scale.py copied from --source ('' for none)",
    )
    parser.add_argument("--source", default="postgres://hoctap:hoctap@127.0.0.1:5432")
    parser.add_argument("--dumps", type=Path, default=Path("/tmp/hoctap-growth/dumps"))
    parser.add_argument(
        "--with-earlier",
        action="store_true",
        help="the table also shows the sizes measured by earlier runs (marked) and not now",
    )
    parser.add_argument("--pg-port", type=int, default=5498)
    parser.add_argument("--redis-port", type=int, default=6398)
    parser.add_argument("--port", type=int, default=8880, help="gunicorn's")
    parser.add_argument("--members", type=int, default=1000, help="the check-in's cell")
    parser.add_argument("--segments", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    if args.report:
        print(json.dumps(report(args.report)))
        return
    sys.path.insert(0, str(BENCH))
    from faults import OwnServices

    args.dumps.mkdir(parents=True, exist_ok=True)
    services = OwnServices(args.pg_port, args.redis_port)
    services.start()
    rows = []
    try:
        sizes = [int(n) for n in args.build.split(",") if n]
        copies = [name for name in args.copy.split(",") if name]
        for size in sizes:
            print(f"building {size:,} members", flush=True)
            url = build(services, size)
            checkins = count_checkins(url)  # the bloc's year, before the closed loop's
            rows.append(kept({**measure(services, url, args), "checkins": checkins}, args))
        for name in copies:
            print(f"copying {name}", flush=True)
            url = restore(services, name, dump(args.source, name, args.dumps))
            checkins = count_checkins(url)
            rows.append(kept({**measure(services, url, args), "checkins": checkins}, args))
    finally:
        services.close()
    if args.with_earlier:
        measured = {row["dashboard"]["members"] for row in rows}
        for saved in sorted(args.dumps.parent.glob("size-*.json")):
            row = json.loads(saved.read_text())
            if row["dashboard"]["members"] not in measured:
                rows.append({**row, "earlier": True})
    rows.sort(key=lambda row: row["dashboard"]["members"])
    print(f"written: {write(rows, args).relative_to(ROOT)}")


if __name__ == "__main__":
    main()
