"""Reading an LMS attendance export: the CSV itself, the layouts the tracker knows by their
column names, and a program's own mapping for any other layout. Plain Python: no database.

Known layouts (the column names are the ones the LMS writes in its export):

- **Moodle course completion report** (a Report builder custom report on course participants,
  downloaded as CSV): `Full name`, `Email address`, `Course full name`, `Course short name`,
  `Time completed` (Moodle writes the time as "Monday, 3 November 2025, 2:15 PM"). One row per
  completed course; the course map gives its topic and hours. The external id is made of the
  e-mail, the course and the completion time, which Moodle never changes for one completion.
- **Canvas attendance (Roll Call) report**: `Course ID`, `SIS Course ID`, `Course Code`,
  `Course Name`, `Section Name`, `Section ID`, `SIS Section ID`, `Teacher ID`, `Teacher SIS ID`,
  `Teacher Name`, `Student ID`, `Student SIS ID`, `Student Name`, `Class Date`, `Attendance`,
  `Timestamp`. One row per student and class meeting; `present` and `late` count, other marks
  are left out. The person is the e-mail in `Student SIS ID` (programs that run Canvas with the
  e-mail as SIS id); the external id is made of the Canvas course, student and class date.

Any other file: staff map its columns once per program (`ImportLayout`).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime

FIELDS = ("person", "topic", "date", "hours", "provider", "external_id")
FIELD_LABELS = {
    "person": "Person (e-mail)",
    "topic": "Topic or course",
    "date": "Date",
    "hours": "Hours",
    "provider": "Provider",
    "external_id": "External id",
}
REQUIRED_FIELDS = ("person", "topic", "date")
MAX_ROWS = 50_000


class LayoutError(ValueError):
    """The file cannot be read as attendance (the message says why, for a person)."""


@dataclass(frozen=True)
class Layout:
    """How the columns of one kind of export become the import's fields."""

    code: str
    label: str
    columns: Mapping[str, str]  # our field -> the file's column
    # A row is left out (absent, excused) when this says so: (column, values that count).
    counts_when: tuple[str, frozenset[str]] | None = None
    # The columns whose values make the external id when the file has none.
    identity: tuple[str, ...] = ()
    signature: tuple[str, ...] = field(default=())

    def matches(self, header: list[str]) -> bool:
        """True when every column this layout needs is in the header."""
        needed = self.signature or tuple(self.columns.values())
        present = set(header)
        return all(name in present for name in needed)


MOODLE = Layout(
    code="moodle_completion",
    label="Moodle course completion report",
    columns={
        "person": "Email address",
        "topic": "Course full name",
        "date": "Time completed",
        "provider": "Course full name",
    },
    identity=("Email address", "Course full name", "Time completed"),
    signature=("Email address", "Course full name", "Time completed"),
)
CANVAS = Layout(
    code="canvas_roll_call",
    label="Canvas attendance (Roll Call) report",
    columns={
        "person": "Student SIS ID",
        "topic": "Course Name",
        "date": "Class Date",
        "provider": "Course Name",
    },
    counts_when=("Attendance", frozenset({"present", "late"})),
    identity=("Course ID", "Student ID", "Class Date"),
    signature=(
        "Course ID",
        "Course Name",
        "Student ID",
        "Student SIS ID",
        "Class Date",
        "Attendance",
    ),
)
KNOWN = (MOODLE, CANVAS)
SOURCE_LABELS = {layout.code: layout.label for layout in KNOWN} | {
    "custom": "File with the program's own column layout",
    "api": "Rows sent to the API",
}


def custom_layout(columns: Mapping[str, str]) -> Layout:
    """The layout of a program's own mapping (our field -> the file's column); without an
    external id column, the mapped columns make one."""
    mapped = {name: column for name, column in columns.items() if name in FIELDS and column}
    identity = (
        () if "external_id" in mapped else tuple(mapped[name] for name in FIELDS if name in mapped)
    )
    return Layout(code="custom", label=SOURCE_LABELS["custom"], columns=mapped, identity=identity)


def detect(header: list[str], saved: Mapping[str, str] | None = None) -> Layout | None:
    """The known LMS layout whose columns the header has, else the program's saved mapping
    when all its columns are there, else None (the file needs mapping)."""
    for layout in KNOWN:
        if layout.matches(header):
            return layout
    if saved:
        layout = custom_layout(saved)
        if all(name in layout.columns for name in REQUIRED_FIELDS) and layout.matches(header):
            return layout
    return None


def read_csv(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the (line number, cells) of each non-empty row of a CSV file; UTF-8 (with
    or without a byte-order mark) or, failing that, Windows-1252; comma, semicolon or tab."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise LayoutError("This is not a CSV file (it holds binary data).")
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = [cell.strip() for cell in next(reader)]
    except StopIteration:
        raise LayoutError("The file is empty.") from None
    except csv.Error as error:
        raise LayoutError(f"The file is not a readable CSV file ({error}).") from None
    if len([cell for cell in header if cell]) < 2:
        raise LayoutError("The first line must name the columns (at least two).")
    records: list[tuple[int, list[str]]] = []
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            records.append((reader.line_num, cells))
            if len(records) > MAX_ROWS:
                raise LayoutError(f"The file has more than {MAX_ROWS:,} rows: split it.")
    except csv.Error as error:
        raise LayoutError(f"Line {reader.line_num} is not valid CSV ({error}).") from None
    if not records:
        raise LayoutError("The file has a header but no rows.")
    return header, records


def to_rows(
    layout: Layout, header: list[str], records: list[tuple[int, list[str]]]
) -> tuple[list[dict[str, str | int]], int]:
    """The import's rows (our field names, values as text, `line` the file's line) and how many
    rows the layout left out (absent or excused)."""
    index = {name: position for position, name in enumerate(header)}

    def cell(cells: list[str], column: str | None) -> str:
        position = index.get(column) if column else None
        if position is None or position >= len(cells):
            return ""
        return cells[position].strip()

    rows: list[dict[str, str | int]] = []
    skipped = 0
    for line, cells in records:
        if layout.counts_when is not None:
            column, counted = layout.counts_when
            if cell(cells, column).lower() not in counted:
                skipped += 1
                continue
        row: dict[str, str | int] = {"line": line}
        for name in FIELDS:
            row[name] = cell(cells, layout.columns.get(name))
        if not row["provider"]:
            row["provider"] = row["topic"]
        if not row["external_id"] and layout.identity:
            row["external_id"] = derived_id(layout.code, [cell(cells, c) for c in layout.identity])
        rows.append(row)
    return rows, skipped


def derived_id(source: str, values: list[str]) -> str:
    """A stable external id from the columns that identify a row in an export without one."""
    digest = hashlib.sha256("\x1f".join([source, *[v.lower() for v in values]]).encode())
    return f"{source}:{digest.hexdigest()[:32]}"


_DATE_FORMATS = (
    "%A, %d %B %Y, %I:%M %p",  # Moodle's default date and time
    "%A, %d %B %Y",
    "%d %B %Y, %I:%M %p",
    "%d %B %Y",
    "%B %d, %Y",
)
_ISO: tuple[Callable[[str], date], ...] = (
    date.fromisoformat,
    lambda text: datetime.fromisoformat(text.replace("Z", "+00:00")).date(),
)


def parse_day(value: object) -> date | None:
    """The day a cell names: ISO (2025-11-03, or a date and time) or Moodle's long form; None
    when it names none. A time's own day is taken as written (no shift of time zone)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    if not text:
        return None
    for parse in _ISO:
        try:
            return parse(text)
        except ValueError:
            pass
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            pass
    return None
