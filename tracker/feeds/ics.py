"""A feed's due dates as an iCalendar (RFC 5545) document, written by the `icalendar` library."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from datetime import timedelta
from urllib.parse import urlsplit

from icalendar import Calendar
from icalendar import Event

from tracker.feeds.dates import DueDate

PRODID = "-//KAP Certification Tracker//Due dates//EN"


def calendar(dates: Iterable[DueDate], *, name: str, base_url: str, now: datetime) -> bytes:
    """The VCALENDAR of `dates`: one all-day VEVENT each, its UID `<uid>@<host of base_url>`
    (the same at every fetch), DTSTAMP `now` (UTC)."""
    host = urlsplit(base_url).hostname or "kap-tracker"
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    # How often a client should fetch it again (the RFC 7986 property and its older alias).
    cal.add("refresh-interval", timedelta(hours=6), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT6H")
    for due in dates:
        event = Event()
        event.add("uid", f"{due.uid}@{host}")
        event.add("dtstamp", now)
        event.add("dtstart", due.on)
        event.add("dtend", due.on + timedelta(days=1))
        event.add("summary", due.summary)
        if due.description:
            event.add("description", due.description)
        event.add("transp", "TRANSPARENT")
        if base_url:
            event.add("url", base_url + "/")
        cal.add_component(event)
    return cal.to_ical()
