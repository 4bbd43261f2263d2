"""Forms for supervised sessions and case presentations. No form carries a status, signature
or supervisor field: those are set by the services and the sign-off step alone."""

from __future__ import annotations

from wtforms import BooleanField
from wtforms import IntegerField
from wtforms import RadioField
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import StringField
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Regexp

from tracker.core.forms import TrackerForm
from tracker.privacy.forms import ClientSafe
from tracker.privacy.forms import ScreenedLine
from tracker.privacy.forms import ScreenedText
from tracker.supervision.models import AUDIENCES
from tracker.supervision.models import ROUTES
from tracker.supervision.models import SETTINGS
from tracker.supervision.models import SUPERVISION_MODES
from tracker.supervision.models import TRAINEE_ROLES
from tracker.training.forms import LINE_MESSAGE
from tracker.training.forms import LINE_PATTERN
from tracker.training.forms import date_field


def choices(labels: dict[str, str]) -> list[SelectChoice]:
    """Options from a code-to-label mapping, in its order."""
    return [SelectChoice(code, label) for code, label in labels.items()]


class SessionForm(ClientSafe, TrackerForm):
    """A supervised KAP session, described without any client detail."""

    on = date_field("Date of the session", "Not in the future, not before your cohort began.")
    client_code = StringField(
        "Client code",
        description=(
            "A de-identified code, never derived from the client: no name, initials, date of "
            "birth, record number, phone number or e-mail. Keep the offered random code, or use "
            "4 to 16 characters of A-Z, 0-9 and '-' with at least one letter and one digit."
        ),
        validators=[
            InputRequired("Enter the client code."),
            Length(max=64, message="Use at most 16 characters."),
        ],
        render_kw={"autocomplete": "off", "spellcheck": "false", "maxlength": 16},
    )
    setting = SelectField("Setting", choices=choices(SETTINGS), validate_choice=False)
    route = SelectField("Administration route", choices=choices(ROUTES), validate_choice=False)
    trainee_role = RadioField("Your role", choices=choices(TRAINEE_ROLES), validate_choice=False)
    supervision_mode = RadioField(
        "Supervision mode", choices=choices(SUPERVISION_MODES), validate_choice=False
    )
    covers_preparation = BooleanField("Preparation phase covered")
    covers_dosing = BooleanField("Dosing phase covered")
    covers_integration = BooleanField("Integration phase covered")
    duration_minutes = IntegerField(
        "Duration (minutes)",
        description="Between 15 and 720 minutes.",
        validators=[
            InputRequired("Enter the duration in minutes."),
            NumberRange(min=15, max=720, message="Enter between 15 and 720 minutes."),
        ],
        render_kw={"inputmode": "numeric", "min": 15, "max": 720},
    )
    reflection = ScreenedText(
        "Your reflection",
        description=(
            "100 to 5000 characters: what you did, what you learned, what you would do "
            "differently. Do not identify the client."
        ),
        validators=[
            InputRequired("Write your reflection."),
            Length(min=100, max=5000, message="Write between 100 and 5000 characters."),
        ],
        render_kw={"rows": 8, "maxlength": 5000},
    )


class PresentationForm(ClientSafe, TrackerForm):
    """A case presentation the trainee gave."""

    on = date_field("Date", "Not in the future, not before your cohort began.")
    title = ScreenedLine(
        "Title",
        validators=[
            InputRequired("Enter the title."),
            Length(max=200, message="Use at most 200 characters."),
            Regexp(LINE_PATTERN, message=LINE_MESSAGE),
        ],
        render_kw={"maxlength": 200},
    )
    audience = SelectField("Audience", choices=choices(AUDIENCES), validate_choice=False)
    # Choices: the trainee's own sessions (set by the view); the service checks ownership.
    session_id = SelectField("About session (optional)", validate_choice=False)
