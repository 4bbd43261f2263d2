"""The import pages' forms: the upload, the column mapping, the course map, the commit and the
undo."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import HiddenField
from wtforms import SelectField
from wtforms import TextAreaField

from tracker.core.forms import TrackerForm
from tracker.imports.layouts import FIELD_LABELS
from tracker.imports.layouts import FIELDS
from tracker.imports.layouts import REQUIRED_FIELDS


class UploadForm(TrackerForm):
    """An LMS export to preview."""

    file = FileField(
        "Attendance export (CSV)",
        description="A Moodle course completion report, a Canvas attendance (Roll Call) report, "
        "or any CSV whose columns you map once; at most 10 MB.",
    )


class MappingForm(TrackerForm):
    """Which of the file's columns holds each field (saved for the program)."""

    person = SelectField(FIELD_LABELS["person"], default="")
    topic = SelectField(FIELD_LABELS["topic"], default="")
    date = SelectField(FIELD_LABELS["date"], default="")
    hours = SelectField(FIELD_LABELS["hours"], default="")
    provider = SelectField(FIELD_LABELS["provider"], default="")
    external_id = SelectField(FIELD_LABELS["external_id"], default="")

    def offer(self, header: list[str], saved: dict[str, str]) -> None:
        """Offer the file's columns in every field, choosing the saved ones (on a GET)."""
        for name in FIELDS:
            field = self[name]
            none = "Choose a column" if name in REQUIRED_FIELDS else "None in this file"
            field.choices = [("", none)] + [(column, column) for column in header if column]
            if not field.data and saved.get(name) in header:
                field.data = saved[name]
        self.hours.description = "Without it, the course map gives each course's hours."
        self.provider.description = "Without it, the topic or course is the provider."
        self.external_id.description = (
            "Without it, the other mapped columns make one, so the same row is never "
            "imported twice."
        )

    def columns(self) -> dict[str, str]:
        """Our field -> the chosen column."""
        return {name: self[name].data for name in FIELDS if self[name].data}


class CourseMapForm(TrackerForm):
    """The program's course map."""

    course_map = TextAreaField(
        "Course map",
        description="One line per LMS course: “course = topic, hours”. The topic is a code or "
        "name from the curriculum; the hours count for each row of that course when the file "
        "has no hours (a Moodle completion, a Canvas class meeting).",
        render_kw={"rows": 8},
    )


class CommitForm(TrackerForm):
    """Import what the preview showed (its digest)."""

    digest = HiddenField()


class UndoForm(TrackerForm):
    """Undo a batch, with the reason."""

    reason = TextAreaField(
        "Reason",
        description="Why the import is undone (at least 10 characters); it is recorded.",
        render_kw={"rows": 3},
    )
