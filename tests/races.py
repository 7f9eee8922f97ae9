"""Two transactions in turn on PostgreSQL: the first holds its locks until the second, started
meanwhile in another thread, really waits on one of them (seen in pg_stat_activity), then
commits. What a race test needs to show that a lock, not luck, kept both writes."""

import threading
import time

import pytest
from django.db import connection, connections, transaction

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="races need a real server"
)


def waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def in_turn(first, second) -> dict[str, object]:
    """Run `first` in a transaction held open until `second` waits on a lock, then let it
    commit. Returns each one's outcome ("done" or the exception it raised) and under
    "blocked" how many transactions were waiting on a lock at that moment."""
    holds, may_commit = threading.Event(), threading.Event()
    outcomes: dict[str, object] = {}

    def run_first():
        try:
            with transaction.atomic():
                first()
                holds.set()
                may_commit.wait(10)
            outcomes["first"] = "done"
        except Exception as error:
            outcomes["first"] = error
        finally:
            holds.set()
            connections.close_all()

    def run_second():
        holds.wait(10)
        try:
            second()
            outcomes["second"] = "done"
        except Exception as error:
            outcomes["second"] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run_first), threading.Thread(target=run_second)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 10
    while waiting_on_a_lock() == 0 and time.monotonic() < deadline:
        may_commit.wait(0.02)
    outcomes["blocked"] = waiting_on_a_lock()
    may_commit.set()
    for thread in threads:
        thread.join()
    return outcomes
