"""Forms of the final assessment: an exam attempt, a case evaluation, a competency evaluation.

The forms check each value's shape; the rules (attempt limit, who may evaluate, every domain
rated, dates not in the future) live in the services. The exam and case forms share a page,
so they carry a prefix and the page-wide CSRF token that CSRFProtect checks on every POST.
"""

from __future__ import annotations

from typing import Any

from wtforms import IntegerField
from wtforms import RadioField
from wtforms import SelectChoice
from wtforms import TextAreaField
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional
from wtforms.validators import Regexp

from tracker.assessment.models import RATING_LABELS
from tracker.assessment.models import RATINGS
from tracker.assessment.services import NOTES_MAX
from tracker.assessment.services import REASON_MAX
from tracker.assessment.services import REASON_MIN
from tracker.core.fields import required_date
from tracker.core.forms import TrackerForm

MULTI_LINE = Regexp(
    r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*\Z", message="Remove the control characters."
)
CASE_CHOICES = [SelectChoice("passed", "Passed"), SelectChoice("failed", "Failed")]


def strip(value: str | None) -> str | None:
    """Trim surrounding whitespace."""
    return value.strip() if isinstance(value, str) else value


def domain_label(code: str) -> str:
    """A competency domain code as a person reads it."""
    return code.replace("_", " ").capitalize()


class PageForm(TrackerForm):
    """A form that shares its page (and the page's CSRF token) with others."""

    class Meta:
        csrf = False  # CSRFProtect refuses any POST without a valid token, app-wide


def _notes(label: str) -> TextAreaField:
    return TextAreaField(
        label,
        filters=[strip],
        validators=[
            Optional(),
            Length(max=NOTES_MAX, message=f"Use at most {NOTES_MAX} characters."),
            MULTI_LINE,
        ],
        render_kw={"rows": 4},
    )


def _reason(label: str, required: bool = True) -> TextAreaField:
    first = (
        InputRequired(f"Write the reason (at least {REASON_MIN} characters).")
        if required
        else Optional()
    )
    return TextAreaField(
        label,
        filters=[strip],
        validators=[
            first,
            Length(
                min=REASON_MIN,
                max=REASON_MAX,
                message=f"Write {REASON_MIN} to {REASON_MAX} characters.",
            ),
            MULTI_LINE,
        ],
        render_kw={"rows": 3},
    )


class ExamForm(PageForm):
    """One attempt at the knowledge exam."""

    taken_on = required_date("Date taken", "Enter the date.")
    score = IntegerField(
        "Score (0 to 100)",
        validators=[
            InputRequired("Enter the score."),
            NumberRange(min=0, max=100, message="Enter a score from 0 to 100."),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    override_reason = _reason(
        "Override: why the attempt is recorded before the assessment is open (staff only, "
        "leave empty otherwise)",
        required=False,
    )


class VoidAttemptForm(TrackerForm):
    """Void an exam attempt recorded in error: the reason is kept and shown."""

    reason = _reason("Why is this attempt void?")


class CaseAmendForm(TrackerForm):
    """A corrected case evaluation: the new version of an earlier one, and why."""

    evaluated_on = required_date("Date of the evaluation", "Enter the date.")
    result = RadioField(
        "Result", choices=CASE_CHOICES, validators=[InputRequired("Choose passed or failed.")]
    )
    notes = _notes("Notes (optional)")
    amendment_reason = _reason("Why is the evaluation amended?")


class CaseForm(PageForm):
    """The evaluation of a case presentation."""

    evaluated_on = required_date("Date of the evaluation", "Enter the date.")
    result = RadioField(
        "Result", choices=CASE_CHOICES, validators=[InputRequired("Choose passed or failed.")]
    )
    notes = _notes("Notes (optional)")


class CompetencyForm(TrackerForm):
    """A rating for each domain (fields `rating_<domain>`, added by `competency_form`)."""

    evaluated_on = required_date("Date of the evaluation", "Enter the date.")
    comments = _notes("Comments (optional)")

    domains: tuple[str, ...] = ()

    def rating_fields(self) -> list[Any]:
        """The rating fields in the requirement set's order of domains."""
        return [self[f"rating_{d}"] for d in self.domains]

    def ratings(self) -> dict[str, int]:
        """Domain code to the chosen rating."""
        return {d: self[f"rating_{d}"].data for d in self.domains}


def competency_form(
    domains: tuple[str, ...], *, amending: bool = False, **kwargs: Any
) -> CompetencyForm:
    """A competency form with a required rating for each of `domains`; `amending` adds the
    required reason of an amendment."""

    class Form(CompetencyForm):
        pass

    if amending:
        Form.amendment_reason = _reason("Why is the evaluation amended?")

    Form.domains = tuple(domains)
    for domain in domains:
        setattr(
            Form,
            f"rating_{domain}",
            RadioField(
                domain_label(domain),
                choices=[SelectChoice(r, RATING_LABELS[r]) for r in RATINGS],
                coerce=int,
                validators=[InputRequired("Rate this domain.")],
            ),
        )
    return Form(**kwargs)
