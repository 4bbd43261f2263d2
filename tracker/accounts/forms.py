"""Forms for signing in, registering, invitations and passwords."""

from __future__ import annotations

from wtforms import EmailField
from wtforms import HiddenField
from wtforms import PasswordField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email
from wtforms.validators import EqualTo
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import Regexp
from wtforms.widgets import CheckboxInput
from wtforms.widgets import ListWidget

from tracker.accounts.models import JOB_TITLE_MAX
from tracker.core.forms import TrackerForm

NAME_PATTERN = r"^[^<>\x00-\x1f{}]+$"
NAME_MESSAGE = "Use letters, spaces and ordinary punctuation only."
ROLE_CHOICES = [
    SelectChoice("trainee", "Trainee"),
    SelectChoice("supervisor", "Supervisor"),
    SelectChoice("staff", "Program staff"),
    SelectChoice("admin", "Administrator (manages accounts)"),
]


def strip(value: str | None) -> str | None:
    """Trim surrounding whitespace, so that a blank entry counts as empty."""
    return value.strip() if isinstance(value, str) else value


class MultiCheckboxField(SelectMultipleField):
    """A set of checkboxes with one label each."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _email_field(
    label: str = "E-mail address", required: str = "Enter your e-mail address."
) -> EmailField:
    return EmailField(
        label,
        filters=[strip],
        validators=[
            InputRequired(required),
            Length(max=254, message="Use at most 254 characters."),
            Email(message="Enter a valid e-mail address.", check_deliverability=False),
        ],
    )


def _full_name_field(label: str, required: str) -> StringField:
    return StringField(
        label,
        filters=[strip],
        validators=[
            InputRequired(required),
            Length(min=2, max=120, message="Use 2 to 120 characters."),
            Regexp(NAME_PATTERN, message=NAME_MESSAGE),
        ],
    )


def _new_password_fields() -> tuple[PasswordField, PasswordField]:
    password = PasswordField(
        "New password",
        description="At least 12 characters; a passphrase of several words is best.",
        validators=[InputRequired("Choose a password."), Length(max=128, message="Too long.")],
    )
    confirm = PasswordField(
        "Repeat the password",
        validators=[
            InputRequired("Repeat the password."),
            EqualTo("password", message="The two passwords differ."),
        ],
    )
    return password, confirm


class LoginForm(TrackerForm):
    """Sign in with e-mail and password."""

    email = _email_field()
    password = PasswordField(
        "Password", validators=[InputRequired("Enter your password."), Length(max=128)]
    )
    next = HiddenField()


class RegisterForm(TrackerForm):
    """Self-registration of an applicant (a trainee account): the password is chosen from the
    link e-mailed to the address, which shows that the address is theirs."""

    full_name = _full_name_field(
        "Full name (as it should appear on a certificate)", "Enter your full name."
    )
    email = _email_field()


class InviteForm(TrackerForm):
    """Staff invite a trainee, supervisor or staff member."""

    full_name = _full_name_field("Full name", "Enter the person's full name.")
    email = _email_field()
    roles = MultiCheckboxField(
        "Roles",
        choices=ROLE_CHOICES,
        validators=[InputRequired("Choose at least one role.")],
    )


class SetPasswordForm(TrackerForm):
    """Choose a password from an invitation or reset link."""

    password, confirm = _new_password_fields()


class ResetRequestForm(TrackerForm):
    """Ask for a password-reset link."""

    email = _email_field()


class RolesForm(TrackerForm):
    """Change a person's roles."""

    roles = MultiCheckboxField("Roles", choices=ROLE_CHOICES)


class JobTitleForm(TrackerForm):
    """A staff member's title, printed under their name on the certificates they issue."""

    job_title = StringField(
        "Job title",
        description="Printed under the name on the certificates this person issues.",
        filters=[strip],
        validators=[
            Length(max=JOB_TITLE_MAX, message=f"Use at most {JOB_TITLE_MAX} characters."),
            Regexp(r"^[^<>\x00-\x1f{}]*$", message=NAME_MESSAGE),
        ],
    )


class ConfirmForm(TrackerForm):
    """A form with nothing but its CSRF token, for buttons that change state."""


class ChangePasswordForm(TrackerForm):
    """A signed-in person changes their password: the current one, then the new one twice."""

    current_password = PasswordField(
        "Current password",
        validators=[InputRequired("Enter your current password."), Length(max=128)],
    )
    password, confirm = _new_password_fields()


class ChangeEmailForm(TrackerForm):
    """A signed-in person asks to move their account to another address."""

    email = _email_field("New e-mail address", "Enter the new e-mail address.")
    password = PasswordField(
        "Current password",
        validators=[InputRequired("Enter your current password."), Length(max=128)],
    )


class CodeForm(TrackerForm):
    """A code from the authenticator app, or a recovery code."""

    code = StringField(
        "Code",
        description="The 6-digit code your authenticator app shows, or a recovery code.",
        filters=[strip],
        validators=[InputRequired("Enter the code."), Length(max=20, message="Too long.")],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True},
    )


class PasswordForm(TrackerForm):
    """The current password, to confirm a change to how the account signs in."""

    password = PasswordField(
        "Current password",
        validators=[InputRequired("Enter your current password."), Length(max=128)],
    )
