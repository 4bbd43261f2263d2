"""Reading the exports: the known LMS layouts are recognised by their column names, absent
marks are left out, dates are read in the LMS's own form, and a row's derived external id is
the same each time the same export is read."""

from __future__ import annotations

from datetime import date

import pytest

from tests.imports.factories import canvas_csv
from tests.imports.factories import moodle_csv
from tracker.imports.layouts import CANVAS
from tracker.imports.layouts import MOODLE
from tracker.imports.layouts import LayoutError
from tracker.imports.layouts import detect
from tracker.imports.layouts import parse_day
from tracker.imports.layouts import read_csv
from tracker.imports.layouts import to_rows

DAY = date(2026, 11, 2)


def test_moodle_completion_report_is_recognised_and_read():
    header, records = read_csv(moodle_csv([("Ann Lee", "Ann@Example.org", "Ethics seminar", DAY)]))
    layout = detect(header)
    assert layout is MOODLE
    rows, skipped = to_rows(layout, header, records)
    assert skipped == 0
    (row,) = rows
    assert row["person"] == "Ann@Example.org" and row["topic"] == "Ethics seminar"
    assert parse_day(row["date"]) == DAY
    assert row["line"] == 2 and row["external_id"].startswith("moodle_completion:")
    again, _ = to_rows(
        layout, *read_csv(moodle_csv([("Ann Lee", "ann@example.org", "Ethics seminar", DAY)]))
    )
    assert again[0]["external_id"] == row["external_id"]


def test_canvas_roll_call_counts_present_and_late_only():
    data = canvas_csv(
        [
            ("Ann Lee", "ann@example.org", "Ethics seminar", DAY, "present"),
            ("Bo Park", "bo@example.org", "Ethics seminar", DAY, "absent"),
            ("Cy Diaz", "cy@example.org", "Ethics seminar", DAY, "late"),
            ("Di Fox", "di@example.org", "Ethics seminar", DAY, "excused"),
        ]
    )
    header, records = read_csv(data)
    assert detect(header) is CANVAS
    rows, skipped = to_rows(CANVAS, header, records)
    assert [r["person"] for r in rows] == ["ann@example.org", "cy@example.org"]
    assert skipped == 2
    assert rows[0]["date"] == DAY.isoformat() and rows[0]["provider"] == "Ethics seminar"
    assert rows[0]["external_id"] != rows[1]["external_id"]


def test_an_unknown_layout_needs_mapping_unless_the_program_saved_one():
    header, _ = read_csv(b"Learner;Module;Day;Time spent\nann@example.org;ethics;2026-11-02;2\n")
    assert header == ["Learner", "Module", "Day", "Time spent"]
    assert detect(header) is None
    saved = {"person": "Learner", "topic": "Module", "date": "Day", "hours": "Time spent"}
    layout = detect(header, saved)
    assert layout is not None and layout.code == "custom"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"only\n", "name the columns"),
        (b"a,b\n", "no rows"),
        (b"a,b\x00\n1,2\n", "binary"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(data, message):
    with pytest.raises(LayoutError, match=message):
        read_csv(data)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-02", DAY),
        ("2026-11-02T09:30:00Z", DAY),
        ("Monday, 2 November 2026, 2:15 PM", DAY),
        ("2 November 2026", DAY),
        ("11/02/2026", None),
        ("", None),
    ],
)
def test_dates_are_read_in_the_forms_the_exports_use(text, expected):
    assert parse_day(text) == expected
