from datetime import datetime
from zoneinfo import ZoneInfo

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A time in Hanoi on a day of December 2026."""
    return datetime(2026, 12, day, hour, minute, tzinfo=HANOI)
