"""Forms for the applicant's eligibility records. They parse and bound the input; the rules
(accepted types, sane dates, jurisdictions) live in the services. None of them has a field for
verification or clearance."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import BooleanField
from wtforms import DateField
from wtforms import IntegerField
from wtforms import RadioField
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import TextAreaField
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import Optional

from tracker.core.fields import required_text
from tracker.core.forms import TrackerForm
from tracker.documents.storage import ACCEPTED_LABEL
from tracker.eligibility.models import EXPERIENCE_STATEMENT
from tracker.eligibility.models import SCREENING_QUESTIONS

DATE_MESSAGE = "Enter the date as YYYY-MM-DD."
YES_NO = [SelectChoice("yes", "Yes"), SelectChoice("no", "No")]
QUESTIONS = dict(SCREENING_QUESTIONS)


def _document_field(label: str) -> FileField:
    return FileField(
        label,
        description=f"Optional: a scan or photo ({ACCEPTED_LABEL}, at most 10 MB).",
    )


class LicenceForm(TrackerForm):
    """A professional licence; the view fills the type choices from the accepted list."""

    licence_type = SelectField(
        "Licence type", choices=[], invalid_choice_message="Choose one of the licence types."
    )
    number = required_text(
        "Licence number",
        "Enter the licence number.",
        40,
        too_long="The licence number has at most 40 characters.",
    )
    jurisdiction = required_text(
        "Issuing state or country",
        "Enter the state (for example CA) or the country.",
        60,
        description="A US state or territory code such as CA or NY, or the name of the country.",
    )
    issued_on = DateField(
        "Issued on (optional)", validators=[Optional()], invalid_value_message=DATE_MESSAGE
    )
    expires_on = DateField(
        "Expires on",
        validators=[InputRequired("Enter the expiry date.")],
        invalid_value_message=DATE_MESSAGE,
    )
    document = _document_field("Licence document")


class InsuranceForm(TrackerForm):
    """A professional liability insurance policy."""

    carrier = required_text("Insurance carrier", "Enter the insurance carrier.", 120)
    policy_number = required_text(
        "Policy number",
        "Enter the policy number.",
        40,
        too_long="The policy number has at most 40 characters.",
    )
    starts_on = DateField(
        "Coverage starts on",
        validators=[InputRequired("Enter the start date.")],
        invalid_value_message=DATE_MESSAGE,
    )
    ends_on = DateField(
        "Coverage ends on",
        validators=[InputRequired("Enter the end date.")],
        invalid_value_message=DATE_MESSAGE,
    )
    coverage = TextAreaField(
        "Coverage (optional)",
        description="For example: $1,000,000 per claim / $3,000,000 aggregate.",
        validators=[Optional(), Length(max=500, message="Use at most 500 characters.")],
    )
    document = _document_field("Certificate of insurance")


class ExperienceForm(TrackerForm):
    """The attestation of psychotherapy experience."""

    years_practice = IntegerField(
        "Years of psychotherapy practice",
        validators=[InputRequired("Enter the number of years.")],
    )
    practice_settings = TextAreaField(
        "Practice settings",
        description="For example: private practice, community mental health, hospital.",
        render_kw={"rows": 4},
        validators=[
            InputRequired("Describe your practice settings."),
            Length(max=1000, message="Use at most 1000 characters."),
        ],
    )
    attest = BooleanField(EXPERIENCE_STATEMENT)


def _question_field(question: str) -> RadioField:
    return RadioField(question, choices=YES_NO, invalid_choice_message="Answer yes or no.")


class HealthScreeningForm(TrackerForm):
    """The yes/no screening questions and a typed signature; no free text about health."""

    contraindication = _question_field(QUESTIONS["contraindication"])
    psychosis_history = _question_field(QUESTIONS["psychosis_history"])
    cardiovascular = _question_field(QUESTIONS["cardiovascular"])
    pregnancy = _question_field(QUESTIONS["pregnancy"])
    willing_to_discuss = _question_field(QUESTIONS["willing_to_discuss"])
    signature = required_text(
        "Signature: type your full name",
        "Type your full name to sign.",
        120,
        description="Typing your name signs these answers.",
    )

    def answers(self) -> dict[str, bool | None]:
        """The answers as booleans (None where a question was not answered)."""
        values: dict[str, bool | None] = {}
        for column, _question in SCREENING_QUESTIONS:
            data = getattr(self, column).data
            values[column] = {"yes": True, "no": False}.get(data)
        return values

    def question_fields(self) -> list:
        """The question fields in their fixed order."""
        return [getattr(self, column) for column, _question in SCREENING_QUESTIONS]
