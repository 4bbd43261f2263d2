"""Forms for logging didactic hours, experiential activities and continuing education.

The forms parse and bound what a person typed; the rules (quarter hours, daily cap, dates,
curriculum topics, personal-session policy) live in the services. No form has a status,
verification or supervisor field: such fields posted by hand are never read.
"""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import BooleanField
from wtforms import DateField
from wtforms import HiddenField
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import Regexp
from wtforms.validators import StopValidation

from tracker.core.forms import AskedCheckbox
from tracker.core.forms import TrackerForm
from tracker.privacy.forms import ClientSafe
from tracker.privacy.forms import ScreenedText
from tracker.progress.requirements import EXPERIENTIAL_KINDS
from tracker.progress.requirements import EXPERIENTIAL_LABELS
from tracker.training.models import CE_KIND_LABELS
from tracker.training.models import CE_KINDS

# One line of text: no control characters (tabs and line breaks included) and no angle brackets.
LINE_PATTERN = r"^[^\x00-\x1f\x7f<>]*$"
LINE_MESSAGE = "Use ordinary text on one line (no control characters or angle brackets)."


def required_date(form, field) -> None:
    """A date must be given (a malformed one already carries its own message)."""
    if field.data is None and not field.process_errors:
        raise StopValidation("Enter the date.")


def date_field(label: str, description: str) -> DateField:
    """A calendar date typed as YYYY-MM-DD (a date picker in browsers)."""
    return DateField(
        label,
        description=description,
        validators=[required_date],
        invalid_value_message="Enter the date as YYYY-MM-DD.",
    )


def hours_field(label: str, description: str) -> StringField:
    """A number of hours; the service checks quarter hours and the limits."""
    return StringField(
        label,
        description=description,
        validators=[
            InputRequired("Enter the number of hours."),
            Length(max=10, message="Enter a number such as 1.5."),
        ],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )


def line_field(label: str, what: str, description: str = "") -> StringField:
    """A required single line of at most 200 characters."""
    return StringField(
        label,
        description=description,
        validators=[
            InputRequired(f"Enter the {what}."),
            Length(max=200, message="Use at most 200 characters."),
            Regexp(LINE_PATTERN, message=LINE_MESSAGE),
        ],
        render_kw={"maxlength": 200},
    )


def note_field(description: str) -> TextAreaField:
    """An optional note of at most 2000 characters, read for client identifiers."""
    return ScreenedText(
        "Note (optional)",
        description=description,
        validators=[Length(max=2000, message="Use at most 2000 characters.")],
        render_kw={"rows": 3, "maxlength": 2000},
    )


class DidacticForm(ClientSafe, TrackerForm):
    """Didactic hours under one curriculum topic."""

    on = date_field("Date", "The day you attended; not in the future.")
    # Choices come from the enrollment's requirement set; the service checks the code.
    topic_code = SelectField("Topic", validate_choice=False)
    hours = hours_field("Hours", "In quarter hours (for example 1.5 or 2.75), at most 12.")
    provider = line_field("Course or provider", "course or provider")
    note = note_field("Anything your verifier should know, such as a module number.")
    submission_token = HiddenField()
    confirm_duplicate = AskedCheckbox("Save it anyway: this is another entry")


class ExperientialForm(ClientSafe, TrackerForm):
    """An experiential activity; a personal session is an attestation of completion only."""

    kind = SelectField(
        "Activity",
        choices=[SelectChoice(k, EXPERIENTIAL_LABELS[k]) for k in EXPERIENTIAL_KINDS],
        validate_choice=False,
    )
    on = date_field("Date", "The day of the activity; not in the future.")
    hours = hours_field("Hours", "In quarter hours, at most 12.")
    facilitator = line_field(
        "Facilitator", "facilitator", "Who led, observed or facilitated the activity."
    )
    note = note_field(
        "For a personal ketamine session leave this empty: it is recorded as an attestation "
        "only, without dose, effects or health details."
    )
    attest = BooleanField(
        "I attest that I completed this personal ketamine session",
        description=(
            "Only for a personal ketamine session. The tracker records the date, hours and "
            "facilitator as an attestation of completion; it holds no clinical details."
        ),
    )
    submission_token = HiddenField()
    confirm_duplicate = AskedCheckbox("Save it anyway: this is another entry")


class ContinuingEducationForm(TrackerForm):
    """CE credits or peer consultation hours, with the certificate of attendance as evidence
    (whether it is required is the requirement set's rule, checked by the service)."""

    kind = SelectField(
        "Kind",
        choices=[SelectChoice(k, CE_KIND_LABELS[k]) for k in CE_KINDS],
        validate_choice=False,
    )
    on = date_field("Date", "The day of the course or consultation; within the last 5 years.")
    title = line_field("Course title", "title of the course or consultation")
    provider = line_field("Provider", "provider")
    amount = hours_field(
        "Credits or hours", "Credits for CE, hours for consultation: quarter units, at most 40."
    )
    certificate = FileField(
        "Certificate of attendance",
        description="Evidence for review: a PDF, PNG or JPEG of at most 10 MB. Required unless "
        "your program says otherwise; when changing an entry, a new file replaces the old one.",
    )


class ConfirmForm(TrackerForm):
    """A button that changes state (delete, submit, withdraw): only the CSRF token."""
