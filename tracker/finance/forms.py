"""Forms of the ledger page: one per kind of entry, the tuition charge and the payment plan.

The forms check each value's shape (an amount in dollars, a date, short single-line text); the
ledger rules (refund limits, plan totals, dates not in the future) live in the services.
Several forms share one page, so each carries a prefix; their CSRF token is the page-wide one
that CSRFProtect checks on every POST before any view runs.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from wtforms import BooleanField
from wtforms import DateField
from wtforms import FieldList
from wtforms import FormField
from wtforms import HiddenField
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import StringField
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import Regexp
from wtforms.validators import ValidationError

from tracker.core.errors import Refused
from tracker.core.fields import required_date
from tracker.core.forms import RowForm
from tracker.core.forms import TrackerForm
from tracker.finance.models import CHARGE
from tracker.finance.models import DISCOUNT
from tracker.finance.models import METHOD_LABELS
from tracker.finance.models import PAYMENT
from tracker.finance.models import PAYMENT_METHODS
from tracker.finance.models import REFUND
from tracker.finance.models import SCHOLARSHIP
from tracker.finance.services import DESCRIPTION_MAX
from tracker.finance.services import MAX_INSTALMENTS
from tracker.finance.services import REASON_MAX
from tracker.finance.services import REFERENCE_MAX
from tracker.finance.services import parse_amount

SINGLE_LINE = Regexp(r"^[^\x00-\x1f\x7f]*\Z", message="Remove the control characters.")
PLAN_ROWS = 12


def strip(value: str | None) -> str | None:
    """Trim surrounding whitespace, so that a blank entry counts as empty."""
    return value.strip() if isinstance(value, str) else value


def _amount_check(form: Any, field: StringField) -> None:
    try:
        parse_amount(field.data, field.name)
    except Refused as error:
        raise ValidationError(error.message) from None


def _amount_field(label: str = "Amount (US dollars)") -> StringField:
    return StringField(
        label,
        description="For example 1,250.00; the kind of entry gives its direction.",
        filters=[strip],
        validators=[InputRequired("Enter an amount."), _amount_check],
        render_kw={"inputmode": "decimal", "autocomplete": "off", "maxlength": 20},
    )


class PageForm(TrackerForm):
    """A form that shares its page (and the page's CSRF token) with others."""

    class Meta:
        csrf = False  # CSRFProtect refuses any POST without a valid token, app-wide


class EntryForm(PageForm):
    """A ledger line without money moving: a fee, a scholarship or a discount."""

    amount = _amount_field()
    description = StringField(
        "Description",
        filters=[strip],
        validators=[
            InputRequired("Enter a description."),
            Length(max=DESCRIPTION_MAX, message=f"Use at most {DESCRIPTION_MAX} characters."),
            SINGLE_LINE,
        ],
    )
    posted_on = required_date(
        "Date",
        "Enter the date.",
        description="The day it was granted or charged; not in the future.",
    )

    @property
    def cents(self) -> int:
        """The validated amount in cents."""
        return parse_amount(self.amount.data)


class MoneyEntryForm(EntryForm):
    """A payment received or a refund paid out: how the money moved and its reference."""

    method = SelectField(
        "Method",
        choices=[SelectChoice("", "Choose…")]
        + [SelectChoice(m, METHOD_LABELS[m]) for m in PAYMENT_METHODS],
        validators=[InputRequired("Choose how the money moved.")],
    )
    reference = StringField(
        "Reference (optional)",
        description="A transaction, check or transfer number.",
        filters=[strip],
        validators=[
            Optional(),
            Length(max=REFERENCE_MAX, message=f"Use at most {REFERENCE_MAX} characters."),
            SINGLE_LINE,
        ],
    )

    def validate_method(self, field: SelectField) -> None:
        """The empty placeholder is not a method."""
        if field.data not in PAYMENT_METHODS:
            raise ValidationError("Choose how the money moved.")


class FeeForm(EntryForm):
    """A fee charged in addition to the tuition."""


class PaymentForm(MoneyEntryForm):
    """A payment received from the trainee; one above the balance owed is saved only once the
    recorder ticks `confirm_overpayment` for that very amount (`overpayment_cents`, set when
    the form is shown again with the difference)."""

    confirm_overpayment = BooleanField("Yes, this amount is right: record the overpayment")
    overpayment_cents = HiddenField()

    @property
    def overpayment_confirmed(self) -> bool:
        """True when the box was ticked for the amount now entered."""
        return bool(self.confirm_overpayment.data) and self.overpayment_cents.data == str(
            self.cents
        )

    def ask_to_confirm(self, cents: int) -> None:
        """Show the confirmation again for `cents`, unticked."""
        self.overpayment_cents.data = str(cents)
        self.confirm_overpayment.data = False
        self.confirm_overpayment.raw_data = []


class RefundForm(MoneyEntryForm):
    """Money paid back to the trainee."""


class ScholarshipForm(EntryForm):
    """A scholarship that reduces what the trainee owes."""


class DiscountForm(EntryForm):
    """A discount that reduces what the trainee owes."""


ENTRY_FORMS: dict[str, type[EntryForm]] = {
    CHARGE: FeeForm,
    PAYMENT: PaymentForm,
    REFUND: RefundForm,
    SCHOLARSHIP: ScholarshipForm,
    DISCOUNT: DiscountForm,
}
ENTRY_TITLES = {
    PAYMENT: "Record a payment",
    CHARGE: "Charge a fee",
    SCHOLARSHIP: "Grant a scholarship",
    DISCOUNT: "Give a discount",
    REFUND: "Record a refund",
}


def entry_forms(formdata: Any = None, today: date | None = None) -> dict[str, EntryForm]:
    """One form per kind, prefixed by the kind; only `formdata` (the one posted) is filled."""
    forms = {}
    for kind, form_class in ENTRY_FORMS.items():
        form = form_class(formdata=formdata, prefix=kind)
        if formdata is None and today is not None:
            form.posted_on.data = today
        forms[kind] = form
    return forms


class VoidForm(TrackerForm):
    """Void a ledger entry: the reason stays on the ledger beside it."""

    reason = StringField(
        "Reason for the void",
        description=(
            "At least 10 characters, for example “Typed $99,999 instead of $999; the payment "
            "is entered again as received”."
        ),
        filters=[strip],
        validators=[
            InputRequired("Give the reason for the void."),
            Length(max=REASON_MAX, message=f"Use at most {REASON_MAX} characters."),
            SINGLE_LINE,
        ],
        render_kw={"autocomplete": "off", "maxlength": REASON_MAX},
    )


class TuitionForm(PageForm):
    """Charge the track's tuition (a second time only with a reason)."""

    again = BooleanField("Charge again (the tuition is already on the ledger)")
    reason = StringField(
        "Reason for charging again",
        filters=[strip],
        validators=[
            Optional(),
            Length(max=REASON_MAX, message=f"Use at most {REASON_MAX} characters."),
            SINGLE_LINE,
        ],
    )


class InstalmentRow(RowForm):
    """One row of the plan: a due date and an amount (both blank for an unused row)."""

    due_on = DateField("Due date", validators=[Optional()], render_kw={"autocomplete": "off"})
    amount = StringField(
        "Amount (US dollars)",
        filters=[strip],
        validators=[Optional(), _amount_check],
        render_kw={"inputmode": "decimal", "autocomplete": "off", "maxlength": 20},
    )

    def validate(self, extra_validators: Any = None) -> bool:
        """A row is either blank or has both a due date and an amount."""
        ok = super().validate(extra_validators)
        has_date = bool(self.due_on.raw_data and self.due_on.raw_data[0].strip())
        has_amount = bool(self.amount.data)
        if has_date and not has_amount and not self.amount.errors:
            self.amount.errors = [*self.amount.errors, "Enter the amount of this instalment."]
            ok = False
        if has_amount and not has_date and not self.due_on.errors:
            self.due_on.errors = [*self.due_on.errors, "Enter the due date of this instalment."]
            ok = False
        return ok

    @property
    def blank(self) -> bool:
        """True when neither field was filled in."""
        has_date = bool(self.due_on.raw_data and self.due_on.raw_data[0].strip())
        return not has_date and not self.amount.data


class PlanForm(PageForm):
    """A payment plan: up to PLAN_ROWS instalments that add up to the balance outstanding."""

    instalments = FieldList(
        FormField(InstalmentRow), min_entries=PLAN_ROWS, max_entries=MAX_INSTALMENTS
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        while len(self.instalments.entries) < PLAN_ROWS:
            self.instalments.append_entry()
        for number, row in enumerate(self.instalments.entries, start=1):
            row.form.due_on.label.text = f"Instalment {number}: due date"
            row.form.amount.label.text = f"Instalment {number}: amount (US dollars)"

    def validate_instalments(self, field: FieldList) -> None:
        """At least one instalment is filled in."""
        if all(row.form.blank for row in field.entries):
            raise ValidationError("Enter at least one instalment.")

    def rows(self) -> list[tuple[date | None, int]]:
        """The filled-in rows as (due date, cents)."""
        return [
            (row.form.due_on.data, parse_amount(row.form.amount.data))
            for row in self.instalments.entries
            if not row.form.blank
        ]
