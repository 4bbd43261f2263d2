"""Builders for the import tests: a program whose cohort is running, admitted trainees in it,
and CSV exports with the column names Moodle and Canvas write."""

from __future__ import annotations

import csv
import io
from datetime import date

from tracker.extensions import db
from tracker.factories import committing
from tracker.factories.enrollments import enroll
from tracker.factories.programs import make_program

MOODLE_HEADER = [
    "Full name",
    "Email address",
    "Course full name",
    "Course short name",
    "Time completed",
]
CANVAS_HEADER = [
    "Course ID",
    "SIS Course ID",
    "Course Code",
    "Course Name",
    "Section Name",
    "Section ID",
    "SIS Section ID",
    "Teacher ID",
    "Teacher SIS ID",
    "Teacher Name",
    "Student ID",
    "Student SIS ID",
    "Student Name",
    "Class Date",
    "Attendance",
    "Timestamp",
]
COURSE_MAP = (
    "KAP 101: Pharmacology of ketamine = pharmacology, 3\n"
    "KAP 102: Safety and screening = Safety, screening and monitoring, 2.5\n"
    "Ethics seminar = ethics, 2\n"
)


@committing
def running_program(timezone: str = "UTC", **spec_changes):
    """A program whose cohort began 60 days ago (program time)."""
    return make_program(cohorts=(("Running", -60, 300),), timezone=timezone, **spec_changes)


@committing
def admitted(trainee, program):
    """The trainee's admitted enrollment in `program`."""
    return enroll(trainee, program, status="admitted", submitted_days_ago=50)


def moodle_time(day: date) -> str:
    """A day as Moodle's report writes a time ("Monday, 3 November 2025, 2:15 PM")."""
    return f"{day.strftime('%A')}, {day.day} {day.strftime('%B %Y')}, 2:15 PM"


def moodle_csv(rows: list[tuple[str, str, str, date]]) -> bytes:
    """A Moodle course completion report: (full name, e-mail, course, completed on)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(MOODLE_HEADER)
    for name, email, course, day in rows:
        writer.writerow([name, email, course, course.split(":")[0], moodle_time(day)])
    return ("\ufeff" + out.getvalue()).encode()  # Moodle writes a byte-order mark


def canvas_csv(rows: list[tuple[str, str, str, date, str]]) -> bytes:
    """A Canvas Roll Call attendance report: (student name, SIS id = e-mail, course, class
    date, attendance mark)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CANVAS_HEADER)
    for n, (name, email, course, day, mark) in enumerate(rows, start=1):
        student = 1000 + sum(map(ord, email))
        writer.writerow(
            [
                "4411", "KAP-2026", "KAP", course, "Section A", "77", "KAP-2026-A",
                "12", "T12", "Dana Teacher", str(student), email, name,
                day.isoformat(), mark, f"{day.isoformat()}T18:0{n % 10}:00Z",
            ]
        )  # fmt: skip
    return out.getvalue().encode()


def commit_now() -> None:
    """Commit what the test built."""
    db.session.commit()
