"""Forms for signing, returning with a question, answering, reopening, and staff recording a
supervisor's own credentials. None has a field for status, signer or signature time: the
services set those."""

from __future__ import annotations

from wtforms import PasswordField
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import TextAreaField
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import Optional

from tracker.admissions.services import INSURANCE_METHODS
from tracker.admissions.services import LICENCE_METHODS
from tracker.admissions.services import VERIFICATION_METHODS
from tracker.core.fields import length_between
from tracker.core.fields import required_text
from tracker.core.forms import TrackerForm
from tracker.eligibility.forms import InsuranceForm
from tracker.eligibility.forms import LicenceForm
from tracker.privacy.forms import ClientSafe
from tracker.privacy.forms import ScreenedText
from tracker.progress.requirements import LICENCE_TYPES
from tracker.signoffs.models import BODY_MAX


class SignForm(TrackerForm):
    """One password for the selected entries (the keys come as repeated `selected` values)."""

    password = required_text(
        "Your password",
        "Enter your password to sign.",
        1024,
        too_long="That password is not correct.",
        field=PasswordField,
        description="Re-enter the password you sign in with: it makes this your signature.",
    )


def _body_field(
    label: str, minimum: int = 1, description: str = "", screened: bool = True
) -> TextAreaField:
    """A required text; a question or an answer is read for client identifiers."""
    kind = ScreenedText if screened else TextAreaField
    return kind(
        label,
        description=description or None,
        validators=[
            InputRequired(f"Write the {label.lower()}."),
            length_between(minimum, BODY_MAX),
        ],
    )


class QuestionForm(ClientSafe, TrackerForm):
    """Return one entry with a question."""

    body = _body_field("Question", description="The trainee sees it with this entry alone.")


class RejectForm(ClientSafe, TrackerForm):
    """Reject one CE entry with the reason the holder sees and can answer."""

    body = _body_field(
        "Reason for rejecting",
        description="The holder sees it with this entry and can answer; the answer sends the "
        "entry back to this queue.",
    )


class AnswerForm(ClientSafe, TrackerForm):
    """The trainee's answer to a question, kept with the entry."""

    body = _body_field("Answer")


class ReopenForm(TrackerForm):
    """Staff reopen a signed record; the reason is kept with the voided signature."""

    reason = _body_field(
        "Reason for reopening",
        10,
        "Required. The signature is voided (and kept in the history) and the entry waits for "
        "sign-off again.",
        screened=False,
    )


def _method_field(methods: tuple[str, ...]) -> SelectField:
    return SelectField(
        "How staff checked it",
        choices=[SelectChoice(m, VERIFICATION_METHODS[m]) for m in methods],
        invalid_choice_message="Choose how the record was checked.",
    )


def _note_field() -> TextAreaField:
    return TextAreaField(
        "Verification note",
        description="Required when the method is Other.",
        validators=[Optional(), Length(max=1000, message="Use at most 1000 characters.")],
    )


class SupervisorLicenceForm(LicenceForm):
    """A supervisor's licence, recorded and verified by staff in one step."""

    document = None  # staff record what they checked; the document stays with the board
    method = _method_field(LICENCE_METHODS)
    note = _note_field()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.licence_type.choices = [SelectChoice(t) for t in LICENCE_TYPES]


class SupervisorInsuranceForm(InsuranceForm):
    """A supervisor's liability insurance, recorded and verified by staff in one step."""

    document = None
    method = _method_field(INSURANCE_METHODS)
    note = _note_field()
