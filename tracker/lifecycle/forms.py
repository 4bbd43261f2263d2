"""Forms of the enrollment-status section: one per act, each with its own prefix (they share the
staff enrollment page). They check shape; the rules (dates, cohorts, statuses) live in the
services."""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField
from wtforms import DateField
from wtforms import HiddenField
from wtforms import RadioField
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import InputRequired
from wtforms.validators import Optional

from tracker.core.fields import length_between
from tracker.core.forms import TrackerForm
from tracker.lifecycle.models import GROUNDS
from tracker.lifecycle.queries import LifePanel
from tracker.lifecycle.services import MOVE_KINDS
from tracker.lifecycle.services import REASON_MAX
from tracker.lifecycle.services import REASON_MIN

DATE_MESSAGE = "Enter a date as YYYY-MM-DD."


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _reason() -> TextAreaField:
    return TextAreaField(
        "Reason",
        description=f"{REASON_MIN} to {REASON_MAX} characters; the trainee receives it by e-mail.",
        filters=[_strip],
        validators=[
            DataRequired(f"Write the reason (at least {REASON_MIN} characters)."),
            length_between(REASON_MIN, REASON_MAX),
        ],
        render_kw={"rows": 2, "maxlength": REASON_MAX},
    )


def _date(label: str, message: str, description: str | None = None) -> DateField:
    return DateField(
        label,
        description=description,
        validators=[InputRequired(message)],
        invalid_value_message=DATE_MESSAGE,
    )


def _id(value: object) -> int | None:
    """A posted id as an int; anything else None (refused as not a choice)."""
    try:
        return int(str(value)) if value not in (None, "") else None
    except ValueError:
        return None


class WithdrawForm(TrackerForm):
    """Withdraw the enrollment: voluntary or dismissed, as of a date, with a reason. The first
    post shows a confirmation page; the second (with `confirmed`) withdraws."""

    grounds = RadioField(
        "Grounds",
        choices=[SelectChoice(key, label) for key, label in GROUNDS.items()],
        validators=[InputRequired("Choose whether it is voluntary or a dismissal.")],
        invalid_choice_message="Choose whether it is voluntary or a dismissal.",
    )
    effective_on = _date("Withdrawn as of", "Enter the date of the withdrawal.")
    reason = _reason()
    confirmed = HiddenField()


class ReadmitForm(TrackerForm):
    """Readmit a withdrawn enrollment as of a date, with a reason."""

    effective_on = _date("Readmitted as of", "Enter the date of the readmission.")
    reason = _reason()


class LeaveForm(TrackerForm):
    """Start a leave of absence with an expected return date."""

    starts_on = _date("Leave starts on", "Enter the first day of the leave.")
    expected_return_on = _date(
        "Expected back on",
        "Enter the expected return date.",
        "The first day the trainee is expected back; staff record the actual return.",
    )
    reason = _reason()


class ExtendLeaveForm(TrackerForm):
    """Move the expected return of the open leave."""

    leave_id = HiddenField()
    expected_return_on = _date("New expected return", "Enter the new expected return date.")
    reason = _reason()


class ReturnForm(TrackerForm):
    """Record the trainee's return from the open leave."""

    leave_id = HiddenField()
    returned_on = _date("Back as of", "Enter the date of the return.")
    reason = _reason()


class MoveForm(TrackerForm):
    """Defer to a later cohort or transfer to another cohort or track."""

    kind = RadioField(
        "Kind of move",
        choices=[SelectChoice(key, label) for key, label in MOVE_KINDS.items()],
        validators=[InputRequired("Choose a transfer or a deferral.")],
        invalid_choice_message="Choose a transfer or a deferral.",
    )
    cohort_id = SelectField(
        "To cohort",
        coerce=_id,
        choices=[],
        validators=[InputRequired("Choose the cohort.")],
        invalid_choice_message="Choose one of the program's cohorts.",
    )
    track_id = SelectField(
        "Track",
        coerce=_id,
        choices=[],
        validators=[Optional()],
        invalid_choice_message="Choose one of the program's tracks.",
    )
    use_newest = BooleanField("Move to the track's newest requirement version")
    effective_on = _date("Effective on", "Enter the date the move takes effect.")
    reason = _reason()


def fill_move(form: MoveForm, panel: LifePanel) -> None:
    """Offer the program's cohorts and tracks."""
    form.cohort_id.choices = [
        SelectChoice("", "Choose a cohort"),
        *(SelectChoice(key, label) for key, label in panel.cohorts),
    ]
    form.track_id.choices = [
        SelectChoice("", "Keep the current track"),
        *(SelectChoice(key, label) for key, label in panel.tracks),
    ]


def status_forms(panel: LifePanel, **posted: Any) -> dict[str, Any]:
    """A blank form for each act of the status section (a posted one, with its errors, in its
    place), keyed by its prefix."""
    blank = {"formdata": None}
    forms: dict[str, Any] = {
        "withdraw": WithdrawForm(prefix="withdraw", **blank),
        "readmit": ReadmitForm(prefix="readmit", **blank),
        "leave": LeaveForm(prefix="leave", **blank),
        "extend": ExtendLeaveForm(prefix="extend", **blank),
        "back": ReturnForm(prefix="back", **blank),
        "move": MoveForm(prefix="move", **blank),
    }
    forms.update(posted)
    fill_move(forms["move"], panel)
    if panel.open_leave is not None:
        forms["extend"].leave_id.data = str(panel.open_leave.id)
        forms["back"].leave_id.data = str(panel.open_leave.id)
    return forms
