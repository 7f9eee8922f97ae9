"""The live counters' push: one message a second per segment, whatever the number of processes
and check-ins; a process told of another's push asks the cache nothing until it ends."""

from datetime import timedelta

import pytest
import time_machine
from channels.layers import get_channel_layer
from django.core.cache import cache

from attendance import services, tokens
from study import services as study_services
from tests.times import at

pytestmark = pytest.mark.django_db

SCAN = at(10, 7, 40)


@pytest.fixture
def hall(org_tree, secretary_of, member_of, spec_for):
    """The morning segment of a session of cell A1a, and four of its members."""
    secretary = secretary_of(org_tree.cell_a1a)
    members = [member_of(org_tree.cell_a1a, full_name=f"Đảng Viên {i}") for i in range(4)]
    created = study_services.create_session(secretary, spec=spec_for(org_tree.cell_a1a))
    session = study_services.publish_session(secretary, session=created)
    return session.segments.get(name="Buổi sáng"), members


@pytest.fixture
def heard(monkeypatch):
    """The counts pushed to the segments' groups, in order (the transport: test_consumers)."""
    layer = get_channel_layer()
    counts = []

    async def group_send(group, message):
        counts.append(message["count"])

    monkeypatch.setattr(layer, "group_send", group_send)
    return counts


@pytest.fixture
def scan(django_capture_on_commit_callbacks):
    """A member's scan at a moment, committed (the push is sent on commit)."""

    def run(member, segment, moment):
        token = tokens.make_token(segment.pk, None, "in", tokens.window_at(SCAN))
        with (
            time_machine.travel(moment, tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            services.check_in_with_token(member, token=token, scanned_at=moment, now=moment)

    return run


def second_ends(segment):
    """Redis forgets the push's key after a second of its own clock, not of the test's."""
    cache.delete(f"announce:{segment.pk}")


def test_a_burst_pushes_once_a_second_with_the_count_of_that_moment(hall, heard, scan):
    segment, members = hall

    for i, member in enumerate(members[:3]):
        scan(member, segment, SCAN + timedelta(milliseconds=200 * i))
    assert heard == [1]  # the two after it came within the second: not pushed

    second_ends(segment)
    scan(members[3], segment, SCAN + timedelta(seconds=1, milliseconds=100))
    assert heard == [1, 4]


def test_a_process_told_of_another_push_asks_the_cache_nothing_until_its_second_ends(
    hall, heard, scan, monkeypatch
):
    segment, members = hall
    with time_machine.travel(SCAN, tick=False):  # another process pushed at SCAN
        cache.add(f"announce:{segment.pk}", SCAN.timestamp(), services.ANNOUNCE_EVERY_SECONDS)
    asked = []
    add = cache.add
    monkeypatch.setattr(
        cache, "add", lambda *args, **kwargs: asked.append(args) or add(*args, **kwargs)
    )

    scan(members[0], segment, SCAN + timedelta(milliseconds=300))
    scan(members[1], segment, SCAN + timedelta(milliseconds=600))
    assert heard == [] and len(asked) == 1  # told once, then remembered

    second_ends(segment)
    scan(members[2], segment, SCAN + timedelta(seconds=1, milliseconds=50))
    assert heard == [3] and len(asked) == 2
