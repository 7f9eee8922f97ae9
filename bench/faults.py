"""Faults survived (issue 14, point 3), for bench/run.py: its own PostgreSQL and Redis, then a
steady stream of new check-ins while one thing fails.

The PostgreSQL cluster (initdb in a temporary directory) and the Redis server are started by
the bench and removed after it: restarting the shared ones would break everyone else's tests.

Each fault scenario sends --fault-rate new check-ins per second (each arrival a member and
segment pair not yet recorded) for --fault-seconds, and fails one thing a few seconds in:

- a gunicorn worker killed (SIGKILL) mid-burst: the master starts another;
- Redis stopped, then started again (empty: its snapshot is off);
- PostgreSQL stopped (fast shutdown: its sessions are cut), then started again.

A client retries what did not answer 200 (no answer, 5xx), once a second, as a member taps
again (or the 503 page asks again by itself). Afterwards: every acknowledged check-in must
have its row (lost 0), no pair two rows (doubled 0), every answer while PostgreSQL was away
the app's 503 page, never a 500 or a traceback, and the service served again once back.
"""

import asyncio
import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

PG_BIN = Path("/usr/lib/postgresql/15/bin")
INITDB = ["--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]  # loopback only, thrown away
REDIS = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]  # restarts empty


def _as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: the bench, run as root, runs it as postgres."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class OwnServices:
    """A throwaway PostgreSQL cluster and Redis server on loopback, for the bench alone."""

    def __init__(self, pg_port: int, redis_port: int) -> None:
        self.pg_port, self.redis_port = pg_port, redis_port
        self.root = Path(tempfile.mkdtemp(prefix="hoctap-bench-"))
        self.pgdata = self.root / "pg"
        self.redis: subprocess.Popen | None = None
        self.database_url = f"postgres://hoctap:hoctap@127.0.0.1:{pg_port}/hoctap_bench"
        self.redis_url = f"redis://127.0.0.1:{redis_port}/0"

    def start(self) -> None:
        import psycopg

        if not (PG_BIN / "initdb").exists():
            raise SystemExit(f"PostgreSQL 15's initdb is needed in {PG_BIN}")
        if shutil.which("redis-server") is None:
            raise SystemExit("redis-server is needed")
        self.root.chmod(0o755)
        self.pgdata.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.pgdata, "postgres", "postgres")
        subprocess.run(
            _as_postgres(
                [str(PG_BIN / "initdb"), "-D", str(self.pgdata), "-U", "postgres", *INITDB]
            ),
            check=True,
            capture_output=True,
        )
        with (self.pgdata / "postgresql.conf").open("a") as conf:
            conf.write(
                f"port = {self.pg_port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.pgdata}'\nmax_connections = 200\n"
                "jit = off\n"
            )
        self.start_postgres()
        with psycopg.connect(
            f"postgresql://postgres@127.0.0.1:{self.pg_port}/postgres", autocommit=True
        ) as db:
            db.execute("CREATE ROLE hoctap LOGIN CREATEDB PASSWORD 'hoctap'")
            db.execute("CREATE DATABASE hoctap_bench OWNER hoctap")
        self.start_redis()

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run(
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.pgdata), "-w", *args]),
            check=True,
            capture_output=True,
        )

    def start_postgres(self) -> None:
        self._pg_ctl("-l", str(self.pgdata / "log"), "start")

    def stop_postgres(self) -> None:
        self._pg_ctl("-m", "fast", "stop")

    def start_redis(self) -> None:
        self.redis = subprocess.Popen(
            ["redis-server", "--port", str(self.redis_port), "--dir", str(self.root), *REDIS],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            ping = subprocess.run(
                ["redis-cli", "-p", str(self.redis_port), "ping"], capture_output=True, text=True
            )
            if ping.stdout.strip() == "PONG":
                return
            time.sleep(0.1)
        raise SystemExit("the bench's Redis did not start")

    def stop_redis(self) -> None:
        if self.redis is not None:
            self.redis.terminate()
            self.redis.wait(timeout=10)
            self.redis = None

    def close(self) -> None:
        self.stop_redis()
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop_postgres()
        shutil.rmtree(self.root, ignore_errors=True)


# --- The client -------------------------------------------------------------------------------


@dataclass
class Attempt:
    at: float  # when it was answered (monotonic)
    status: int  # 0: no answer (connection refused or reset, or timeout)
    kind: str  # "ok", "refused" (400), "app 503", "500", "other", "no answer", "no answer in 10 s"


@dataclass
class Arrival:
    pair: int  # index into the scene's closed pairs
    scheduled: float
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def acked(self) -> bool:
        return any(a.status == 200 for a in self.attempts)


async def _get(port: int, path: str, cookie: str) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n"
        "Connection: close\r\n\r\n".encode()
    )
    await writer.drain()
    response = await reader.read()
    writer.close()
    return int(response[9:12]), response


def _kind(status: int, response: bytes) -> str:
    if status == 200:
        return "ok"
    if status == 400:
        return "refused"
    if status == 503:
        body = response.split(b"\r\n\r\n", 1)[-1]
        own = b"error-page" in body and b"Retry-After: 5" in response
        return "app 503" if own and b"Traceback" not in body else "other"
    return "500" if status == 500 else "other"


async def _stream(port, pairs, *, rate, seconds, fault, retry_for=30.0) -> list[Arrival]:
    """`rate` new check-ins a second for `seconds`, each retried once a second until it is
    answered 200 or 400; `fault` (a coroutine function) runs beside them."""
    start = time.monotonic() + 0.5
    arrivals = [Arrival(n, start + n / rate) for n in range(int(rate * seconds))]

    async def one(arrival: Arrival) -> None:
        cookie, path = pairs[arrival.pair]
        await asyncio.sleep(max(0.0, arrival.scheduled - time.monotonic()))
        while True:
            try:
                status, response = await asyncio.wait_for(_get(port, path, cookie), timeout=10)
                kind = _kind(status, response)
            except TimeoutError:
                status, kind = 0, "no answer in 10 s"
            except (OSError, ValueError):  # refused, reset, or closed without an answer
                status, kind = 0, "no answer"
            arrival.attempts.append(Attempt(time.monotonic(), status, kind))
            if status in (200, 400) or time.monotonic() - arrival.scheduled > retry_for:
                return
            await asyncio.sleep(1)

    await asyncio.gather(fault(start), *(one(a) for a in arrivals))
    return arrivals


# --- The live board while Redis is away -------------------------------------------------------


async def _viewers(port: int, segment_id: int, cookie: str, count: int, until: float):
    """`count` viewers of a segment's live board that reconnect once a second when their
    socket closes, as live.js does (it polls meanwhile). Returns, per viewer, the moments its
    socket closed, it was accepted again, and it received a count."""
    import websockets

    url = f"ws://127.0.0.1:{port + 1}/ws/attendance/segments/{segment_id}/"
    headers = {"Cookie": cookie, "Origin": f"http://127.0.0.1:{port}"}
    log: list[dict] = [{"closed": [], "accepted": [], "counts": []} for _ in range(count)]

    async def viewer(number: int) -> None:
        while time.monotonic() < until:
            try:
                async with websockets.connect(url, additional_headers=headers) as socket:
                    log[number]["accepted"].append(time.monotonic())
                    while time.monotonic() < until:
                        try:
                            message = await asyncio.wait_for(socket.recv(), timeout=0.5)
                        except TimeoutError:
                            continue
                        if json.loads(message).get("type") == "count":
                            log[number]["counts"].append(time.monotonic())
                    return
            except (OSError, websockets.WebSocketException):
                log[number]["closed"].append(time.monotonic())
                await asyncio.sleep(1)

    await asyncio.gather(*(viewer(n) for n in range(count)))
    return log


# --- The scenarios ----------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _serving(port: int) -> set[str]:
    """The socket inodes of the connections to `port` that are open (ESTABLISHED)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "01" and int(fields[1].rsplit(":", 1)[1], 16) == port:
            inodes.add(fields[9])
    return inodes


def _busy_worker(master: int, port: int, seconds: float = 3.0) -> int:
    """A worker that holds a client's connection: in the middle of a request (a sync worker
    holds one connection, from accept to its answer). Any worker if none is found in time."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        serving = _serving(port)
        for worker in _children(master):
            with contextlib.suppress(OSError):
                for fd in Path(f"/proc/{worker}/fd").iterdir():
                    link = os.readlink(fd)
                    if link.startswith("socket:[") and link[8:-1] in serving:
                        return worker
        time.sleep(0.001)
    return _children(master)[0]


def _judge(arrivals: list[Arrival], closed, scene, *, back: float | None) -> dict:
    """Rows against acknowledged answers; the answers' kinds; when it was served again."""
    from django.db import connection
    from django.db.models import Count

    connection.close()  # the bench's own connection did not survive a restart either
    recorded = set(closed.values_list("participant_id", "segment_id"))
    doubled = (
        closed.values("participant", "segment", "direction")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    acked = [a for a in arrivals if a.acked]
    lost = sum(1 for a in acked if scene.closed_rows[a.pair] not in recorded)
    kinds: dict[str, int] = {}
    for arrival in arrivals:
        for attempt in arrival.attempts:
            if attempt.kind != "ok":
                kinds[attempt.kind] = kinds.get(attempt.kind, 0) + 1
    failures = [t.at for a in arrivals for t in a.attempts if t.status != 200]
    latencies = sorted(
        1000 * (next(t.at for t in a.attempts if t.status == 200) - a.scheduled) for a in acked
    )
    figures = {
        "sent": len(arrivals),
        "acknowledged": len(acked),
        "rows": len(recorded),
        "lost": lost,
        "doubled": doubled,
        "retried": sum(1 for a in arrivals if len(a.attempts) > 1),
        "p50_ms": latencies[len(latencies) // 2] if latencies else float("nan"),
        "p99_ms": latencies[int(0.99 * len(latencies))] if latencies else float("nan"),
        "answers not 200": ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())) or "none",
    }
    if back is not None:
        later = [t - back for t in failures if t >= back]
        figures["last failure after back, s"] = max(later) if later else 0.0
    return figures


def run_faults(services: OwnServices, servers: list, port: int, scene, *, rate, seconds):
    """The three scenarios, one after the other, each on new pairs. Returns rows for the
    results file: (scenario, figures, verdict)."""
    from attendance.models import CheckIn

    closed = CheckIn.objects.filter(segment__session_id=scene.closed_session_id)
    gunicorn = servers[0]
    delay, outage = min(3.0, seconds / 4), min(3.0, seconds / 4)
    per_scenario = int(rate * seconds)
    if 3 * per_scenario > len(scene.closed_pairs):
        raise SystemExit(
            f"--fault-rate x --fault-seconds x 3 needs {3 * per_scenario:,} pairs: "
            "raise --members or --segments"
        )
    rows = []

    def scenario(number: int, name: str, fault, *, watch: bool = False) -> None:
        from django.db import connection

        connection.close()
        closed.delete()
        moments: dict[str, float] = {}
        pairs = scene.closed_pairs[number * per_scenario : (number + 1) * per_scenario]

        async def both():
            async def timed(start: float) -> None:
                await asyncio.sleep(max(0.0, start + delay - time.monotonic()))
                moments["fault"] = time.monotonic()
                await fault(moments)

            until = time.monotonic() + seconds + 5
            # The segment of its last taps: they come after the fault.
            segment = scene.closed_rows[(number + 1) * per_scenario - 1][1]
            live = (
                asyncio.create_task(_viewers(port, segment, scene.viewer_cookie, 20, until))
                if watch
                else None
            )
            arrivals = await _stream(port, pairs, rate=rate, seconds=seconds, fault=timed)
            return arrivals, (await live if live else None)

        arrivals, live = asyncio.run(both())
        # The pairs of this scenario are offset: the judge reads them through scene.closed_rows.
        for arrival in arrivals:
            arrival.pair += number * per_scenario
        figures = _judge(arrivals, closed, scene, back=moments.get("back"))
        if live is not None:
            figures.update(_live_figures(live, moments))
        held = (
            figures["lost"] == 0
            and figures["doubled"] == 0
            and figures["acknowledged"] == figures["sent"]
            and "500" not in figures["answers not 200"]
            and "other" not in figures["answers not 200"]
        )
        rows.append((name, figures, held))
        print(f"fault: {name}: {figures} {'held' if held else 'MISSED'}")

    async def kill_worker(moments):
        # Looked for in a thread: the clients share this event loop and must keep sending.
        os.kill(await asyncio.to_thread(_busy_worker, gunicorn.pid, port), 9)
        moments["back"] = time.monotonic()

    async def restart_redis(moments):
        await asyncio.to_thread(services.stop_redis)
        await asyncio.sleep(outage)
        await asyncio.to_thread(services.start_redis)
        moments["back"] = time.monotonic()

    async def restart_postgres(moments):
        await asyncio.to_thread(services.stop_postgres)
        await asyncio.sleep(outage)
        await asyncio.to_thread(services.start_postgres)
        moments["back"] = time.monotonic()

    scenario(0, "a gunicorn worker killed (SIGKILL) mid-burst", kill_worker)
    redis = f"Redis stopped for {outage:.0f} s, then started (empty)"
    scenario(1, redis, restart_redis, watch=True)
    scenario(2, f"PostgreSQL stopped (fast) for {outage:.0f} s, then started", restart_postgres)
    return rows


def _live_figures(log: list[dict], moments: dict) -> dict:
    """What 20 viewers of the live board saw: closed while Redis was away, accepted again and
    counting once it was back."""
    back = moments["back"]
    closed = sum(1 for v in log if any(t >= moments["fault"] for t in v["closed"]))

    def after(moments_of: str) -> list[float]:
        first = [min((t for t in v[moments_of] if t >= back), default=None) for v in log]
        return [t - back for t in first if t is not None]

    accepted, counting = after("accepted"), after("counts")
    before = sum(1 for v in log if any(t < moments["fault"] for t in v["counts"]))
    return {
        "viewers counting before": f"{before} of {len(log)}",
        "viewers closed during the outage": f"{closed} of {len(log)}",
        "viewers accepted again": f"{len(accepted)} of {len(log)}",
        "the last after back, s": max(accepted) if accepted else float("nan"),
        "viewers counting again": f"{len(counting)} of {len(log)}",
        "the last counting after back, s": max(counting) if counting else float("nan"),
    }
