"""Forms of the review page. Many share one page, so each carries a prefix (per record where
there is one) and relies on the page-wide CSRF token that CSRFProtect checks on every POST.

The forms check shape (a known choice, a length); the rules (a reason required to reject or
decline, who may be assigned, decisions taken only once) live in the services.
"""

from __future__ import annotations

from wtforms import DateField
from wtforms import HiddenField
from wtforms import RadioField
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import Optional

from tracker.admissions.services import ALTERNATIVE_BASES
from tracker.admissions.services import CLEARANCE_DECISIONS
from tracker.admissions.services import DOCUMENT_DECISIONS
from tracker.admissions.services import NOTE_MAX
from tracker.admissions.services import PATHWAY_DECISIONS
from tracker.admissions.services import REASON_MAX
from tracker.admissions.services import REASON_MIN
from tracker.admissions.services import VERIFICATION_METHODS
from tracker.core.fields import length_between
from tracker.core.forms import TrackerForm


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _reason_field(label: str, description: str | None = None) -> TextAreaField:
    return TextAreaField(
        label,
        description=description or f"{REASON_MIN} to {REASON_MAX} characters.",
        filters=[_strip],
        validators=[
            # DataRequired (not InputRequired): a reason of blanks is stripped to nothing.
            DataRequired(f"Write the reason (at least {REASON_MIN} characters)."),
            length_between(REASON_MIN, REASON_MAX),
        ],
        render_kw={"rows": 2, "maxlength": REASON_MAX},
    )


def _required_choice(label: str, message: str) -> SelectField:
    """A select whose choices the form fills in; `message` says to choose one of them."""
    return SelectField(label, invalid_choice_message=message, validators=[InputRequired(message)])


def _note_field(label: str, description: str | None = None) -> TextAreaField:
    return TextAreaField(
        label,
        description=description,
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=NOTE_MAX, message=f"Use at most {NOTE_MAX} characters."),
        ],
        render_kw={"rows": 2, "maxlength": NOTE_MAX},
    )


def _int_or_none(value: object) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


class PageForm(TrackerForm):
    """A form that shares its page (and the page's CSRF token) with others."""

    class Meta:
        csrf = False  # CSRFProtect refuses any POST without a valid token, app-wide


class DocumentReviewForm(PageForm):
    """Accept or reject one application document."""

    decision = RadioField(
        "Decision",
        choices=[SelectChoice(k, v) for k, v in DOCUMENT_DECISIONS.items()],
        invalid_choice_message="Choose to accept or to reject the document.",
    )
    note = _note_field("Note to the trainee", "Required when rejecting: the trainee reads it.")


class VerifyForm(PageForm):
    """Verify a licence or an insurance policy: how it was checked and a note."""

    method = _required_choice("How it was checked", "Choose how the record was checked.")
    note = _note_field("Note", "What was checked; required for the method Other.")

    def __init__(self, *args, methods: tuple[str, ...] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.method.choices = [SelectChoice("", "Choose one")] + [
            SelectChoice(m, VERIFICATION_METHODS[m]) for m in methods
        ]


class UnverifyForm(PageForm):
    """Withdraw a verification, with a reason."""

    reason = _reason_field("Reason for withdrawing the verification")


class ClearanceForm(PageForm):
    """Clear or not clear the health-screening attestation."""

    clearance = RadioField(
        "Clearance",
        choices=[SelectChoice(k, v) for k, v in CLEARANCE_DECISIONS.items()],
        invalid_choice_message="Choose cleared or not cleared.",
    )


class PathwayForm(PageForm):
    """Decide the eligibility pathway."""

    pathway = RadioField(
        "Decision",
        choices=[SelectChoice(k, v) for k, v in PATHWAY_DECISIONS.items()],
        invalid_choice_message="Choose a pathway decision.",
    )
    basis = SelectField(
        "Basis of the alternative pathway",
        choices=[SelectChoice("", "Not an alternative pathway")]
        + [SelectChoice(k, v) for k, v in ALTERNATIVE_BASES.items()],
        invalid_choice_message="Choose the basis of the alternative pathway.",
        validators=[Optional()],
    )
    reason = TextAreaField(
        "Reason",
        description=(
            f"Required for an alternative pathway ({REASON_MIN} to {REASON_MAX} characters)."
        ),
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=REASON_MAX, message=f"Use at most {REASON_MAX} characters."),
        ],
        render_kw={"rows": 2, "maxlength": REASON_MAX},
    )


class AdmitForm(PageForm):
    """Admit the applicant, with an optional note."""

    note = _note_field("Note (optional)", "Kept with the decision.")


class DeclineForm(PageForm):
    """Decline the applicant, with a reason (e-mailed to them)."""

    reason = _reason_field("Reason for declining", "The applicant receives it by e-mail.")


class WaiverForm(PageForm):
    """Waive a step or an item for this enrollment."""

    target = _required_choice("What to waive", "Choose a step or an item that can be waived.")
    reason = _reason_field("Reason for the waiver")
    ends_on = DateField(
        "Last day it applies (optional)",
        validators=[Optional()],
        description="Leave empty for a waiver without an end date.",
        render_kw={"autocomplete": "off"},
    )

    def __init__(self, *args, targets: dict[str, str] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.target.choices = [SelectChoice("", "Choose one")] + [
            SelectChoice(k, v, optgroup="Steps" if k.startswith("step:") else "Items")
            for k, v in (targets or {}).items()
        ]


class RevokeWaiverForm(PageForm):
    """Revoke a waiver (granted in error), with a reason."""

    reason = _reason_field("Reason for revoking")


class EndWaiverForm(PageForm):
    """End a waiver early (it applied until now), with a reason."""

    reason = _reason_field("Reason for ending it")


class ReverseDecisionForm(TrackerForm):
    """Reverse the admission decision, with a reason; the enrollment returns to submitted."""

    reason = _reason_field(
        "Reason for reversing the decision",
        "Kept with the reversed decision and in the audit trail.",
    )


class MoveRequirementsForm(PageForm):
    """Move the enrollment to the track's newest requirement-set version."""

    to_version = HiddenField(filters=[_int_or_none])
    note = _note_field("Note (optional)", "Why the enrollment moves; kept in the audit trail.")


class AssignmentForm(PageForm):
    """Assign the primary supervisor and, optionally, a backup."""

    primary = SelectField(
        "Primary supervisor",
        coerce=_int_or_none,
        invalid_choice_message="Choose a person who holds the supervisor role.",
        validators=[InputRequired("Choose the primary supervisor.")],
    )
    backup = SelectField(
        "Backup supervisor (optional)",
        coerce=_int_or_none,
        invalid_choice_message="Choose a person who holds the supervisor role.",
    )

    def __init__(self, *args, people: list[tuple[int, str]] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        options = [SelectChoice(pid, label) for pid, label in people]
        # The blank choice is "" (coerced to None): nothing chosen.
        self.primary.choices = [SelectChoice("", "Choose one"), *options]
        self.backup.choices = [SelectChoice("", "No backup"), *options]
