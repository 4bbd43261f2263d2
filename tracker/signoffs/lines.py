"""What the sign tables print for each waiting entry, worked out in Python before rendering.

A supervisor's queue holds hundreds of entries; a Jinja loop with a dozen lookups, filters and
escapes per row cost more than reading them. Here each row is one string built from escaped
values, the entries' addresses come from one address per type (`entry_url`) and each program's
today is worked out once. The page shows the same cells, fields and links.
"""

from __future__ import annotations

from collections.abc import Collection
from collections.abc import Iterable
from datetime import date

from flask import g
from markupsafe import Markup
from markupsafe import escape

from tracker.core.clock import today_in
from tracker.core.web import addresses
from tracker.signoffs.queries import WaitingEntry


def entry_url(entry_type: str, entry_id: int) -> str:
    """The address of an entry's page (`signoffs.entry`), as `url_for` builds it: built once
    per type and request and completed with the id, since a queue links hundreds of entries."""
    fill = g.setdefault("entry_addresses", {}).get(entry_type)
    if fill is None:
        fill = addresses("signoffs.entry", "entry_id", entry_type=entry_type)
        g.entry_addresses[entry_type] = fill
    return fill(entry_id)


def waiting_rows(
    waiting: Iterable[WaitingEntry], selected: Collection[str] = (), show_trainee: bool = True
) -> Markup:
    """The body rows of a sign table: per entry its checkbox (checked when its key is in
    `selected`) with the content hash the form carries back, the days it has waited, the
    trainee (when `show_trainee`), a link to the entry, its date and its summary."""
    todays: dict[str, date] = {}
    rows = []
    for index, w in enumerate(waiting, start=1):
        today = todays.get(w.timezone)
        if today is None:
            today = todays[w.timezone] = today_in(w.timezone)
        days = w.days_waiting(today)
        key = escape(w.key)
        on = w.on.isoformat()
        name = escape(w.trainee_name)
        checked = " checked" if w.key in selected else ""
        trainee = f"<td>{name}</td>" if show_trainee else ""
        rows.append(
            f'<tr><td><input class="form-check-input" type="checkbox" name="selected" '
            f'value="{key}" id="sel-{index}" data-enrollment="{int(w.enrollment_id)}"{checked} '
            f'aria-label="Select {escape(w.type_label.lower())} of {on} by {name}">'
            f'<input type="hidden" name="hash:{key}" value="{escape(w.content_hash)}"></td>'
            f"<td>{days} day{'' if days == 1 else 's'}</td>{trainee}"
            f'<td><a href="{escape(entry_url(w.entry_type, w.entry_id))}">'
            f"{escape(w.type_label)}</a></td><td>{on}</td><td>{escape(w.summary)}</td></tr>"
        )
    # Every value above went through `escape` (a date, a count or an index needs none):
    # the rows are safe to print as they are.
    return Markup("\n".join(rows))  # noqa: S704 - built from escaped values only
