"""A setting's effect on one check-in's own cost, before and after, alternated (issue 14.1).

  .venv/bin/python bench/setting_ab.py HOCTAP_DB_PREPARE=1      # ~3 minutes

On a PostgreSQL and Redis of its own (bench/faults.py's OwnServices), bench/run.py builds its
closed-loop scene; then, --rounds times, a process without the setting and a process with it
each record 300 check-ins one after the other (bench/growth.py's serial check-ins: the service
the scan view calls, no HTTP, no queue). Alternating keeps a busy machine's drift out of the
comparison better than two closed loops minutes apart; the closed loop measures the whole path.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("setting", help="NAME=VALUE, given to the second process of each round")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--pg-port", type=int, default=5497)
    parser.add_argument("--redis-port", type=int, default=6397)
    args = parser.parse_args()
    name, value = args.setting.split("=", 1)

    import growth
    from faults import OwnServices

    services = OwnServices(args.pg_port, args.redis_port)
    services.start()
    try:
        env = {**os.environ, **growth.server_env(services.database_url, services.redis_url)}
        scene = BENCH / "results" / ".setting-ab.json"
        subprocess.run(
            [
                sys.executable,
                str(BENCH / "run.py"),
                "--services",
                "shared",
                "--only",
                "closed",
                "--repeat",
                "1",
                "--seconds",
                "2",
                "--members",
                "600",
                "--bloc",
                "10",
                "--port",
                "8890",
                "--json",
                str(scene),
            ],
            env={
                **env,
                "BENCH_DATABASE_URL": services.database_url,
                "BENCH_REDIS_URL": services.redis_url,
            },
            check=True,
            stdout=subprocess.DEVNULL,
        )
        scene.unlink()
        medians: dict[str, list[float]] = {"without": [], "with": []}
        for number in range(args.rounds):
            for which, extra in (("without", {}), ("with", {name: value})):
                figures = growth.measure_report("checkin", {**env, **extra})
                medians[which].append(figures["median_ms"])
                print(f"round {number + 1}, {which} {args.setting}: {figures}", flush=True)
    finally:
        services.close()
    summary = {which: statistics.median(values) for which, values in medians.items()}
    print(json.dumps({"setting": args.setting, "medians_ms": medians, "median_ms": summary}))


if __name__ == "__main__":
    main()
