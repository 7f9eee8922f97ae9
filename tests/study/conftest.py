from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from study.services import SegmentSpec, SessionSpec

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A time in Hanoi on a day of December 2026."""
    return datetime(2026, 12, day, hour, minute, tzinfo=HANOI)


@pytest.fixture
def spec_for():
    """A valid in-person session on 10/12 with a morning and an afternoon segment."""

    def make(organizer, audience=None, **overrides):
        fields = {
            "title": "Học tập Kết luận 328-KL/ĐUK",
            "organizer": organizer,
            "audience": audience if audience is not None else [organizer],
            "starts_at": at(10, 7, 30),
            "ends_at": at(10, 16, 30),
            "venue": "Hội trường tầng 3",
            "segments": [
                SegmentSpec("Buổi sáng", at(10, 7, 30), at(10, 11, 30)),
                SegmentSpec("Buổi chiều", at(10, 13, 30), at(10, 16, 30), has_checkout=True),
            ],
        }
        fields.update(overrides)
        return SessionSpec(**fields)

    return make
