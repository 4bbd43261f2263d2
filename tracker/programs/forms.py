"""Forms for programs, tracks, cohorts and requirement-set versions.

The forms check the shape of each value (present, a whole number, quarter hours, short enough);
the requirement rules themselves live in RequirementSpec.from_dict and the services, and their
errors are shown next to the matching field with `RequirementSetForm.attach_error`.
"""

from __future__ import annotations

import re
from typing import Any

from wtforms import BooleanField
from wtforms import FieldList
from wtforms import FormField
from wtforms import HiddenField
from wtforms import IntegerField
from wtforms import RadioField
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import Regexp
from wtforms.validators import ValidationError

from tracker.accounts.forms import MultiCheckboxField
from tracker.core.errors import Refused
from tracker.core.fields import required_date
from tracker.core.fields import required_text
from tracker.core.forms import RowForm
from tracker.core.forms import TrackerForm
from tracker.programs.models import CREDENTIAL_NAME_MAX
from tracker.programs.models import FORMAT_LABELS
from tracker.programs.models import TRACK_FORMATS
from tracker.programs.services import DESCRIPTION_MAX
from tracker.programs.services import NAME_MAX
from tracker.programs.services import NOTE_MAX
from tracker.programs.services import cents_to_text
from tracker.programs.services import parse_dollars
from tracker.programs.services import timezone_choices
from tracker.progress.requirements import COMPETENCY_DOMAINS
from tracker.progress.requirements import DOCUMENT_KINDS
from tracker.progress.requirements import DOCUMENT_LABELS
from tracker.progress.requirements import EXPERIENTIAL_KINDS
from tracker.progress.requirements import EXPERIENTIAL_LABELS
from tracker.progress.requirements import LICENCE_TYPES
from tracker.progress.requirements import PERSONAL_SESSION_POLICIES
from tracker.progress.requirements import RequirementError
from tracker.progress.requirements import RequirementSpec
from tracker.progress.requirements import parse_hours

SINGLE_LINE = Regexp(r"^[^\x00-\x1f\x7f]*\Z", message="Remove the control characters.")
MULTI_LINE = Regexp(
    r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*\Z", message="Remove the control characters."
)
BLANK_ROWS = 3  # new topics or scenarios a staff member can add in one edit
COUNTED_KINDS = tuple(k for k in EXPERIENTIAL_KINDS if k != "personal_session")
POLICY_LABELS = {
    "required": "Required",
    "optional": "Optional",
    "none": "Not part of this track",
}
DOMAIN_LABELS = {code: code.replace("_", " ").capitalize() for code in COMPETENCY_DOMAINS}
_ERROR_PATH = re.compile(r"^([a-z_]+)(?:\[(\d+)\])?(?:\.([a-z_]+))?$")


def _name_field(label: str) -> StringField:
    return StringField(
        label,
        validators=[
            InputRequired("Enter a name."),
            Length(max=NAME_MAX, message=f"Use at most {NAME_MAX} characters."),
            SINGLE_LINE,
        ],
    )


def _description_field() -> TextAreaField:
    return TextAreaField(
        "Description",
        validators=[
            Length(max=DESCRIPTION_MAX, message=f"Use at most {DESCRIPTION_MAX} characters."),
            MULTI_LINE,
        ],
    )


class _RecordForm(TrackerForm):
    """The form of a program, track or cohort: its `FIELDS`, shown and passed in this order."""

    FIELDS: tuple[str, ...] = ()

    def fields(self) -> list[Any]:
        """The fields of `FIELDS`, as the page shows them."""
        return [self[name] for name in self.FIELDS]

    def values(self) -> list[Any]:
        """The validated values of `FIELDS`, in the order the services take them."""
        return [self[name].data for name in self.FIELDS]


class ProgramForm(_RecordForm):
    """Create or edit a program."""

    FIELDS = ("name", "description", "timezone")

    name = _name_field("Program name")
    description = _description_field()
    timezone = SelectField(
        "Time zone",
        description="Dates are shown, and due dates fall, in this time zone.",
        validators=[InputRequired("Choose a time zone.")],
        default="America/Los_Angeles",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.timezone.choices = [
            SelectChoice(name, name.replace("_", " ")) for name in timezone_choices()
        ]


class TrackForm(_RecordForm):
    """Create or edit a track."""

    FIELDS = ("name", "credential_name", "format", "tuition", "description")

    name = _name_field("Track name")
    credential_name = StringField(
        "Credential",
        description=(
            "What the track's certificates certify, such as Certified KAP Practitioner. Left "
            'blank: the program\'s name followed by "certificate". Certificates already issued '
            "keep the name printed on them."
        ),
        validators=[
            Length(
                max=CREDENTIAL_NAME_MAX, message=f"Use at most {CREDENTIAL_NAME_MAX} characters."
            ),
            SINGLE_LINE,
        ],
    )
    format = SelectField(
        "Format",
        choices=[SelectChoice(code, FORMAT_LABELS[code]) for code in TRACK_FORMATS],
        validators=[InputRequired("Choose a format.")],
    )
    tuition = required_text(
        "Tuition (US dollars)",
        "Enter the tuition.",
        20,
        too_long="Enter an amount in dollars, such as 9875.00.",
        description="For example 9875.00; from 0 to 100,000.",
    )
    description = _description_field()

    def validate_tuition(self, field: StringField) -> None:
        """The tuition reads as dollars and cents."""
        try:
            parse_dollars(field.data)
        except Refused as error:
            raise ValidationError(error.message) from None

    def values(self) -> list[Any]:
        """Name, format, tuition in cents, description and credential name."""
        name, credential_name, track_format, tuition, description = super().values()
        return [name, track_format, parse_dollars(tuition), description, credential_name]

    @staticmethod
    def initial(track: Any) -> dict[str, Any]:
        """Form data for an existing track."""
        return {
            "name": track.name,
            "credential_name": track.credential_title,
            "format": track.format,
            "tuition": cents_to_text(track.tuition_cents),
            "description": track.description,
        }


class CohortForm(_RecordForm):
    """Create or edit a cohort."""

    FIELDS = ("name", "starts_on", "ends_on")

    name = _name_field("Cohort name")
    starts_on = required_date("Starts on", "Enter the start date.")
    ends_on = required_date("Ends on", "Enter the end date.")


# -- the requirement-set form -----------------------------------------------------------------


class WholeNumberField(IntegerField):
    """A required whole number with a plain message; bounds come from the requirement rules."""

    def process_formdata(self, valuelist: list[str]) -> None:
        """Read the submitted text as a whole number."""
        text = valuelist[0].strip() if valuelist else ""
        if not re.fullmatch(r"-?[0-9]{1,6}", text):
            self.data = None
            raise ValueError("Enter a whole number.")
        self.data = int(text)


def _hours_check(form: Any, field: StringField) -> None:
    try:
        parse_hours(field.name, field.data)
    except RequirementError as error:
        raise ValidationError(_sentence(error.message)) from None


class HoursField(StringField):
    """A number of hours in quarter hours (12, 7.5, 0.25), kept as text until validated."""

    def __init__(self, label: str, **kwargs: Any) -> None:
        validators = [
            InputRequired("Enter a number of hours."),
            Length(max=12, message="Enter a number of hours."),
            _hours_check,
        ]
        super().__init__(label, validators=validators, **kwargs)


def _count_field(label: str, description: str | None = None) -> WholeNumberField:
    return WholeNumberField(label, description=description)


class _Row(RowForm):
    """A topic or scenario row: blank rows and rows marked for removal are not validated."""

    remove = BooleanField("Remove")
    _content: tuple[str, ...] = ()

    def is_blank(self) -> bool:
        """True when nothing was entered in the row."""
        return not any((self[name].data or "").strip() for name in self._content)

    def is_skipped(self) -> bool:
        """True when the row is left out of the requirement set."""
        return bool(self.remove.data) or self.is_blank()


def _code_field() -> StringField:
    return StringField("Code", validators=[Length(max=40, message="Use at most 40 characters.")])


class TopicForm(_Row):
    """One didactic topic."""

    _content = ("code", "name", "min_hours")
    code = _code_field()
    name = StringField(
        "Topic",
        validators=[Length(max=120, message="Use at most 120 characters."), SINGLE_LINE],
    )
    min_hours = StringField(
        "Minimum hours", validators=[Length(max=12, message="Enter a number of hours.")]
    )

    def validate_name(self, field: StringField) -> None:
        """A kept topic has a name."""
        if not self.is_skipped() and not (field.data or "").strip():
            raise ValidationError("Enter the topic's name.")

    def validate_min_hours(self, field: StringField) -> None:
        """A kept topic has minimum hours in quarter hours."""
        if not self.is_skipped():
            _hours_check(self, field)


class ScenarioForm(_Row):
    """One ethical scenario."""

    _content = ("code", "prompt")
    code = _code_field()
    prompt = TextAreaField(
        "Prompt",
        validators=[Length(max=2000, message="Use at most 2000 characters."), MULTI_LINE],
    )

    def validate_prompt(self, field: TextAreaField) -> None:
        """A kept scenario has a prompt."""
        if not self.is_skipped() and not (field.data or "").strip():
            raise ValidationError("Enter the scenario's prompt.")


class ExperientialCountsForm(RowForm):
    """The minimum number of entries of each experiential activity type."""


for _kind in COUNTED_KINDS:
    setattr(ExperientialCountsForm, _kind, _count_field(EXPERIENTIAL_LABELS[_kind]))


class RequirementSetForm(TrackerForm):
    """Every field of a requirement set, with the note that explains the change."""

    base_version = HiddenField()
    didactic_topics = FieldList(FormField(TopicForm), max_entries=60)
    didactic_total_hours = HoursField("Didactic hours in total")
    experiential_total_hours = HoursField("Experiential hours in total")
    experiential_min_counts = FormField(ExperientialCountsForm, "Minimum number of activities")
    program_total_hours = HoursField(
        "Program total hours", description="Didactic plus experiential hours must reach this."
    )
    max_day_hours = HoursField(
        "Most hours per day",
        description=(
            "Didactic plus experiential hours a trainee may log for one day (1 to 24; "
            "retreat formats with long days may raise it)."
        ),
    )
    personal_session_policy = RadioField(
        "Personal ketamine sessions",
        choices=[SelectChoice(code, POLICY_LABELS[code]) for code in PERSONAL_SESSION_POLICIES],
        validators=[InputRequired("Choose a policy.")],
    )
    personal_sessions_min = _count_field("Minimum personal sessions")
    personal_sessions_max = _count_field("Maximum personal sessions")
    health_screening_required = BooleanField("Health-screening attestation required")
    supervised_sessions_required = _count_field("Supervised KAP sessions required", "From 2 to 6.")
    case_presentations_required = _count_field("Case presentations required")
    references_required = _count_field("Professional references required")
    documents_required = MultiCheckboxField(
        "Documents required with the application",
        choices=[SelectChoice(code, DOCUMENT_LABELS[code]) for code in DOCUMENT_KINDS],
    )
    accepted_licence_types = MultiCheckboxField(
        "Accepted licence types", choices=[SelectChoice(code) for code in LICENCE_TYPES]
    )
    ethical_scenarios = FieldList(FormField(ScenarioForm), max_entries=30)
    exam_pass_mark = _count_field("Exam pass mark (percent)")
    exam_max_attempts = _count_field("Exam attempts allowed")
    competency_domains = MultiCheckboxField(
        "Competency domains evaluated",
        choices=[SelectChoice(code, DOMAIN_LABELS[code]) for code in COMPETENCY_DOMAINS],
    )
    competency_min_rating = _count_field("Minimum competency rating (1 to 4)")
    ce_credits_per_cycle = HoursField("Continuing-education credits per cycle")
    consultation_hours_per_cycle = HoursField("Peer consultation hours per cycle")
    ce_cycle_months = _count_field("Renewal cycle (months)")
    ce_evidence_required = BooleanField(
        "Evidence required with each CE or consultation entry (certificate of attendance)"
    )
    ce_audit_percent = _count_field(
        "CE entries reviewed by staff (audit sample, percent)",
        "0 to 100. Each submission is selected at random with this chance and waits for staff "
        "review; the rest are approved on submission. 100 reviews every entry. Entries dated "
        "inside a closed cycle are always reviewed.",
    )
    expiry_warning_days = _count_field("Warn of an expiring licence or insurance (days before)")
    signoff_wait_days = _count_field("Flag an entry waiting for sign-off after (days)")
    inactivity_days = _count_field("Flag a trainee with no activity after (days)")
    ce_warning_days = _count_field("Warn of CE credits short before the cycle ends (days)")
    ce_grace_days = _count_field(
        "Grace period after a cycle ends before the certificate shows as lapsed (days)"
    )
    note = StringField(
        "What changed, and why",
        description="Kept with the version in its history.",
        validators=[
            InputRequired("Describe the change."),
            Length(max=NOTE_MAX, message=f"Use at most {NOTE_MAX} characters."),
            SINGLE_LINE,
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.group_errors: dict[str, list[str]] = {}
        self.general_errors: list[str] = []
        self._rows: dict[str, list[Any]] = {"didactic_topics": [], "ethical_scenarios": []}

    # -- filling and reading ------------------------------------------------------------------

    @staticmethod
    def initial(spec: RequirementSpec, base_version: int) -> dict[str, Any]:
        """Form data showing `spec`, to be edited into version `base_version` + 1."""
        data = spec.to_dict()
        data["base_version"] = str(base_version)
        data["experiential_min_counts"] = {
            kind: spec.experiential_min_counts.get(kind, 0) for kind in COUNTED_KINDS
        }
        return data

    def add_blank_rows(self) -> None:
        """Offer a few empty rows for new topics and scenarios."""
        for name in ("didactic_topics", "ethical_scenarios"):
            rows = self[name]
            blanks = sum(1 for entry in rows if entry.form.is_blank())
            for _ in range(BLANK_ROWS - blanks):
                rows.append_entry()

    def requirement_data(self) -> dict[str, Any]:
        """The submitted values as a requirement document for RequirementSpec.from_dict."""
        self._rows = {"didactic_topics": [], "ethical_scenarios": []}
        topics = []
        for entry in self.didactic_topics:
            row = entry.form
            if row.is_skipped():
                continue
            self._rows["didactic_topics"].append(entry)
            name = (row.name.data or "").strip()
            topics.append(
                {
                    "code": (row.code.data or "").strip() or _code_from(name, "topic"),
                    "name": name,
                    "min_hours": (row.min_hours.data or "").strip(),
                }
            )
        scenarios = []
        taken = {(e.form.code.data or "").strip() for e in self.ethical_scenarios}
        for entry in self.ethical_scenarios:
            row = entry.form
            if row.is_skipped():
                continue
            self._rows["ethical_scenarios"].append(entry)
            code = (row.code.data or "").strip()
            if not code:
                code = _free_code("scenario", taken)
                taken.add(code)
            scenarios.append({"code": code, "prompt": (row.prompt.data or "").strip()})
        counts = self.experiential_min_counts.form
        return {
            "didactic_topics": topics,
            "didactic_total_hours": self.didactic_total_hours.data.strip(),
            "experiential_total_hours": self.experiential_total_hours.data.strip(),
            "experiential_min_counts": {kind: counts[kind].data for kind in COUNTED_KINDS},
            "program_total_hours": self.program_total_hours.data.strip(),
            "personal_session_policy": self.personal_session_policy.data,
            "personal_sessions_min": self.personal_sessions_min.data,
            "personal_sessions_max": self.personal_sessions_max.data,
            "health_screening_required": bool(self.health_screening_required.data),
            "supervised_sessions_required": self.supervised_sessions_required.data,
            "case_presentations_required": self.case_presentations_required.data,
            "references_required": self.references_required.data,
            "documents_required": list(self.documents_required.data or []),
            "accepted_licence_types": list(self.accepted_licence_types.data or []),
            "ethical_scenarios": scenarios,
            "exam_pass_mark": self.exam_pass_mark.data,
            "exam_max_attempts": self.exam_max_attempts.data,
            "competency_domains": list(self.competency_domains.data or []),
            "competency_min_rating": self.competency_min_rating.data,
            "ce_credits_per_cycle": self.ce_credits_per_cycle.data.strip(),
            "consultation_hours_per_cycle": self.consultation_hours_per_cycle.data.strip(),
            "ce_cycle_months": self.ce_cycle_months.data,
            "expiry_warning_days": self.expiry_warning_days.data,
            "signoff_wait_days": self.signoff_wait_days.data,
            "inactivity_days": self.inactivity_days.data,
            "ce_warning_days": self.ce_warning_days.data,
            "ce_grace_days": self.ce_grace_days.data,
            "ce_evidence_required": bool(self.ce_evidence_required.data),
            "ce_audit_percent": self.ce_audit_percent.data,
            "max_day_hours": self.max_day_hours.data.strip(),
        }

    # -- errors from the requirement rules ----------------------------------------------------

    def attach_error(self, field_name: str, message: str) -> None:
        """Show a rule's message next to the field it names (`didactic_topics[2].min_hours`,
        `experiential_min_counts.observation`, `exam_pass_mark`), or above the form."""
        message = self._readable(message)
        match = _ERROR_PATH.match(field_name or "")
        if match is None:
            self.general_errors.append(message)
            return
        name, index, sub = match.groups()
        if name in self._rows:
            rows = self._rows[name]
            position = int(index) - 1 if index is not None else -1
            if 0 <= position < len(rows) and sub and sub in rows[position].form:
                _add_error(rows[position].form[sub], message)
            elif 0 <= position < len(rows):
                self.group_errors.setdefault(name, []).append(f"Row {index}: {message}")
            else:
                self.group_errors.setdefault(name, []).append(message)
            return
        if name == "experiential_min_counts":
            counts = self.experiential_min_counts.form
            if sub and sub in counts:
                _add_error(counts[sub], message)
            else:
                self.group_errors.setdefault(name, []).append(message)
            return
        if name in self._fields and sub is None and index is None:
            _add_error(self[name], message)
            return
        self.general_errors.append(message)

    def has_problems(self) -> bool:
        """True when any message is to be shown."""
        return bool(self.errors or self.group_errors or self.general_errors or self._row_errors())

    def _row_errors(self) -> bool:
        for name in ("didactic_topics", "ethical_scenarios"):
            for entry in self[name]:
                if any(field.errors for field in entry.form):
                    return True
        return any(field.errors for field in self.experiential_min_counts.form)

    def _readable(self, message: str) -> str:
        # Rule messages name fields by their keys; show the labels a person sees instead.
        for name, field in self._fields.items():
            if name in message and isinstance(field.label.text, str):
                message = re.sub(rf"\b{name}\b", field.label.text.lower(), message)
        return _sentence(message)


def _add_error(field: Any, message: str) -> None:
    field.errors = [*field.errors, message]


def _sentence(message: str) -> str:
    message = message.strip()
    if not message:
        return message
    message = message[0].upper() + message[1:]
    return message if message.endswith((".", "?", "!")) else message + "."


def _code_from(name: str, fallback: str) -> str:
    code = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:40].rstrip("_")
    if not code or not code[0].isalpha():
        code = f"{fallback}_{code}".rstrip("_")[:40]
    return code if len(code) >= 2 else fallback


def _free_code(prefix: str, taken: set[str]) -> str:
    number = 1
    while f"{prefix}_{number}" in taken:
        number += 1
    return f"{prefix}_{number}"
