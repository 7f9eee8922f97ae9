"""The benchmarks run on demand only (bench/, README): CI imports them, never runs them."""

import importlib.util
import os
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    path, environ = list(sys.path), dict(os.environ)
    try:
        spec.loader.exec_module(module)
    finally:  # the older scripts set defaults for their own runs
        sys.path[:] = path
        os.environ.clear()
        os.environ.update(environ)
    return module


def test_the_bench_command_imports_without_touching_anything(monkeypatch):
    monkeypatch.delenv("BENCH_DATABASE_URL", raising=False)

    run = _load("run")

    assert callable(run.main) and "DATABASE_URL" in run.SERVER_ENV
    assert (BENCH / "checkin.lua").exists() and (BENCH / "healthz.lua").exists()
    times = run.schedule(run.random.Random(1), 1000, 10.0)
    assert len(times) == 1000 and times == sorted(times) and 8 < times[-1] < 12


def test_the_older_bench_scripts_import():
    for name in (
        "checkin_burst",
        "live_fanout",
        "essay_similarity",
        "faults",
        "growth",
        "setting_ab",
    ):
        _load(name)


def test_the_faults_tell_the_apps_503_page_from_any_other_failure():
    faults = _load("faults")
    own = b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\n\r\n<section class='error-page'>"
    bare = b"HTTP/1.1 503 Service Unavailable\r\n\r\nService Unavailable"
    traceback = own + b"Traceback (most recent call last)"

    assert faults._kind(503, own) == "app 503"
    assert faults._kind(503, bare) == faults._kind(503, traceback) == "other"
    assert faults._kind(500, b"") == "500" and faults._kind(200, b"") == "ok"
    arrival = faults.Arrival(0, 0.0, [faults.Attempt(1.0, 0, "no answer")])
    assert not arrival.acked
    arrival.attempts.append(faults.Attempt(2.0, 200, "ok"))
    assert arrival.acked
