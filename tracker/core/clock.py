"""Today's date where the program is: due dates and "not in the future" checks use it."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from zoneinfo import ZoneInfo
from zoneinfo import ZoneInfoNotFoundError

from tracker.extensions import utcnow


def program_zone(timezone_name: str | None) -> ZoneInfo:
    """The program's time zone (UTC when unknown)."""
    try:
        return ZoneInfo(timezone_name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def today_in(timezone_name: str | None) -> date:
    """The current date in the program's time zone."""
    return utcnow().astimezone(program_zone(timezone_name)).date()


def local_time(moment: datetime | None, timezone_name: str | None) -> datetime | None:
    """A stored UTC time shown in the program's time zone."""
    if moment is None:
        return None
    return moment.astimezone(program_zone(timezone_name))
