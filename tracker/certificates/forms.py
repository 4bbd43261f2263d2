"""Forms of the certificates area: issue, revoke, the public look-up and the staff search.

The forms bound what a person typed; the rules (readiness, one per enrollment, expiry after the
issue date, the reason's length) are the services'. No form carries a name, number, date of
issue or status: those come from the records, never from the request.
"""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import DateField
from wtforms import PasswordField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import Regexp

from tracker.certificates.models import REASON_MAX
from tracker.certificates.models import REASON_MIN
from tracker.core.fields import length_between
from tracker.core.fields import required_text
from tracker.core.forms import TrackerForm

LINE = Regexp(
    r"^[^\x00-\x1f\x7f<>]*\Z",
    message="Use ordinary text on one line (no control characters or angle brackets).",
)
MULTI_LINE = Regexp(
    r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*\Z", message="Remove the control characters."
)


def strip(value: str | None) -> str | None:
    """Trim surrounding whitespace."""
    return value.strip() if isinstance(value, str) else value


def _password():
    return required_text(
        "Your password",
        "Enter your password to sign.",
        1024,
        too_long="That password is not correct.",
        field=PasswordField,
        description="Re-enter the password you sign in with: it makes this your signature.",
    )


def _reason(label: str, description: str) -> TextAreaField:
    return TextAreaField(
        label,
        description=f"{REASON_MIN} to {REASON_MAX} characters. {description}",
        filters=[strip],
        validators=[
            InputRequired("Give the reason."),
            length_between(REASON_MIN, REASON_MAX),
            MULTI_LINE,
        ],
        render_kw={"rows": 4},
    )


class IssueForm(TrackerForm):
    """Issue the certificate, optionally with an expiry date, signed with the password."""

    expires_on = DateField(
        "Expiry date (optional)",
        description="Leave empty for a certificate that does not expire; renewal cycles of "
        "continuing education apply either way.",
        validators=[Optional()],
        render_kw={"autocomplete": "off"},
    )
    password = _password()


class RevokeForm(TrackerForm):
    """Revoke the certificate with a written reason, signed with the password."""

    reason = _reason(
        "Reason for revoking",
        "Kept in the record and the audit trail; the public verification page says only that "
        "the certificate is revoked, and since when.",
    )
    password = _password()


class ReinstateForm(TrackerForm):
    """Reinstate a revoked certificate with a written reason, signed with the password."""

    reason = _reason(
        "Reason for reinstating",
        "Kept in the certificate's history and the audit trail (for example, revoked by "
        "mistake); the public verification page shows the status history, never a reason.",
    )
    password = _password()


class LookupForm(TrackerForm):
    """Find a certificate by its number and the holder's last name."""

    number = StringField(
        "Certificate number",
        description="As printed on the certificate, for example KAP-2026-000123.",
        filters=[strip],
        validators=[
            InputRequired("Enter the certificate number."),
            Length(max=40, message="Use at most 40 characters."),
            LINE,
        ],
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"},
    )
    last_name = StringField(
        "Holder's last name",
        filters=[strip],
        validators=[
            InputRequired("Enter the last name."),
            Length(max=100, message="Use at most 100 characters."),
            LINE,
        ],
        render_kw={"autocomplete": "off"},
    )


class SearchForm(TrackerForm):
    """The staff list's search box (a GET form: nothing changes)."""

    class Meta:
        csrf = False  # a read-only GET search

    q = StringField(
        "Number or name",
        filters=[strip],
        validators=[Optional(), Length(max=100, message="Use at most 100 characters."), LINE],
    )


CREDENTIAL_MAX_BYTES = 256 * 1024


class CredentialCheckForm(TrackerForm):
    """A credential someone received, pasted or uploaded as JSON (at most 256 KB)."""

    pasted = TextAreaField(
        "Paste the credential (JSON)",
        description="The whole credential, from { to }.",
        validators=[Optional(), Length(max=CREDENTIAL_MAX_BYTES, message="Use at most 256 KB.")],
        render_kw={"rows": 8, "spellcheck": "false"},
    )
    upload = FileField(
        "Or upload the credential file (.json)", description="A JSON file of at most 256 KB."
    )

    def credential_text(self) -> str | None:
        """The credential's JSON text, from the upload when there is one, else as pasted; None
        (with the error on the form) when it is missing or too large."""
        storage = self.upload.data
        if storage is not None and getattr(storage, "filename", ""):
            content = storage.read(CREDENTIAL_MAX_BYTES + 1)
            if len(content) > CREDENTIAL_MAX_BYTES:
                self.upload.errors.append("The file is larger than 256 KB.")
                return None
            try:
                return content.decode("utf-8")
            except UnicodeDecodeError:
                self.upload.errors.append("The file is not UTF-8 text.")
                return None
        text = (self.pasted.data or "").strip()
        if len(text.encode("utf-8")) > CREDENTIAL_MAX_BYTES:
            self.pasted.errors.append("Use at most 256 KB.")
            return None
        if not text:
            self.pasted.errors.append("Paste the credential or upload its file.")
            return None
        return text
