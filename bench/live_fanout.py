"""Live counter fan-out: how long a check-in takes to reach every open projector or board.

Starts uvicorn (ASGI, as production serves /ws/) on loopback, opens C WebSocket clients on one
segment's live channel, leaves them idle for longer than redis-py 8's default 5 s socket
timeout (DESIGN's dependency trap), then sends one count through the Redis channel layer and
measures when the last client has it. Repeats R times.

  export DATABASE_URL=postgres://hoctap:hoctap@127.0.0.1:5432/hoctap_bench
  export REDIS_URL=redis://127.0.0.1:6379/1 SECRET_KEY=bench
  .venv/bin/python bench/live_fanout.py --clients 200 --rounds 5
"""

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from checkin_burst import build_scene, setup_django  # noqa: E402


async def run(
    port: int, cookie: str, segment_id: int, clients: int, rounds: int, idle: float
) -> dict:
    import websockets
    from channels.layers import get_channel_layer

    from attendance.services import segment_group

    url = f"ws://127.0.0.1:{port}/ws/attendance/segments/{segment_id}/"
    headers = {"Cookie": cookie, "Origin": f"http://127.0.0.1:{port}"}
    sockets = [await websockets.connect(url, additional_headers=headers) for _ in range(clients)]
    await asyncio.sleep(idle)
    layer = get_channel_layer()
    delays = []
    lost = 0
    for number in range(rounds):
        started = time.perf_counter()
        await layer.group_send(
            segment_group(segment_id),
            {"type": "attendance.count", "segment": segment_id, "count": number},
        )
        results = await asyncio.gather(
            *(asyncio.wait_for(s.recv(), timeout=10) for s in sockets), return_exceptions=True
        )
        delays.append(time.perf_counter() - started)
        lost += sum(1 for r in results if isinstance(r, Exception))
        await asyncio.sleep(0.5)
    for s in sockets:
        await s.close()
    return {
        "clients": clients,
        "idle_seconds_before_first_send": idle,
        "rounds": rounds,
        "last_client_ms_median": round(1000 * statistics.median(delays), 1),
        "last_client_ms_max": round(1000 * max(delays), 1),
        "messages_lost": lost,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--idle", type=float, default=6.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8766)
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL") or not os.environ.get("DATABASE_URL"):
        raise SystemExit("Set DATABASE_URL and REDIS_URL: this measures the production setup.")
    os.environ.setdefault("HOCTAP_DB_POOL", "1")
    setup_django()
    cookies, _path, segment_id = build_scene(50)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "config.asgi:application",
            "--workers",
            str(args.workers),
            "--port",
            str(args.port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    try:
        time.sleep(4)
        result = asyncio.run(
            run(args.port, cookies[0], segment_id, args.clients, args.rounds, args.idle)
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    print(json.dumps(result))
    if result["messages_lost"]:
        raise SystemExit("FAILED: some clients never got the count")


if __name__ == "__main__":
    main()
