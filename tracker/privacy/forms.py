"""Free text read for client identifiers before anything is stored: the one mechanism every
form that takes a reflection, a note, a question or an answer uses.

A form mixes in `ClientSafe` and declares its free-text fields as `ScreenedText` (or
`ScreenedLine` for one line). When a field holds what looks like a client's name, initials,
date, phone number, e-mail, date of birth, street address or record number, the form does not
validate: the field's error names what was found, the page shows the text with the passages
marked, and the writer either removes them or ticks "This is not a client's information" and
saves again. Nothing is stored before that choice, because the form never validates before it.
"""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import ValidationError

from tracker.privacy.identifiers import describe
from tracker.privacy.identifiers import find_identifiers
from tracker.privacy.identifiers import marked

CONFIRM_FIELD = "not_client_info"
CONFIRM_LABEL = "This is not a client's information: save the text as it is."


class NotClientInformation(BooleanField):
    """The writer's word that the marked passages are not a client's (shown beside them only)."""


class _Screened:
    """A text field read for client identifiers after its own checks passed."""

    findings: list[Any]
    passage: list[tuple[str, bool]]
    confirm_field: Any = None

    def post_validate(self, form: Any, validation_stopped: bool) -> None:
        """Refuse the text when it holds an identifier the writer has not confirmed."""
        self.findings, self.passage, self.confirm_field = [], [], None
        if validation_stopped or self.errors:  # type: ignore[attr-defined]
            return
        confirm = getattr(form, CONFIRM_FIELD, None)
        if confirm is None:
            raise TypeError(f"{type(form).__name__} has a screened field but is not ClientSafe")
        if confirm.data:
            return
        text = self.data or ""  # type: ignore[attr-defined]
        findings = find_identifiers(text)
        if not findings:
            return
        self.findings = findings
        self.passage = marked(text, findings)
        if not getattr(form, "_client_confirm_offered", False):
            form._client_confirm_offered = True
            self.confirm_field = confirm
        raise ValidationError(
            f"This looks like it holds {describe(findings)} (marked below). Clients stay "
            "de-identified: remove it, or tick the box if it is not a client's information. "
            "Nothing was saved."
        )


class ScreenedText(_Screened, TextAreaField):
    """Free text (a reflection, a note, a question or an answer) read for client identifiers."""


class ScreenedLine(_Screened, StringField):
    """One line of text (a title) read for client identifiers."""


class ClientSafe:
    """Mixed into a TrackerForm that has ScreenedText or ScreenedLine fields: the writer's
    confirmation that a marked passage is not a client's information."""

    not_client_info = NotClientInformation(CONFIRM_LABEL)
