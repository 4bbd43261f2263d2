"""The base of every form: whatever a person types into a text field is refused when it holds
control characters or invisible direction-changing ones (a right-to-left override can make a
name display as another), with one message, whichever form it is.

Every form derives from `TrackerForm` (a page's form) or `RowForm` (a row repeated inside one);
a test walks the forms and fails on any other base.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import Form
from wtforms import HiddenField
from wtforms import PasswordField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import ValidationError

from tracker.core.text import text_problem


def plain_text(_form: Any, field: Any) -> None:
    """Refuse a text field's value holding control or direction-changing characters, unless an
    earlier check of the field already refused it (its message is then the one shown)."""
    if field.errors:
        return
    problem = text_problem(field.data, multiline=isinstance(field, TextAreaField))
    if problem:
        raise ValidationError(problem)


def _typed(field: Any) -> bool:
    """A field a person types text into (a password is theirs to choose, a hidden field is
    not typed)."""
    return isinstance(field, StringField) and not isinstance(field, PasswordField | HiddenField)


class _PlainText:
    """Form options (WTForms Meta) that add `plain_text` after every typed field's checks."""

    def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
        """Bind the field as usual, then give it the plain-text check."""
        field = super().bind_field(form, unbound_field, options)  # type: ignore[misc]
        if _typed(field):
            field.validators = [*field.validators, plain_text]
        return field


class AskedCheckbox(BooleanField):
    """A confirmation box shown only when a refusal asks for it (the refusal names this field)
    or once ticked: "save it anyway"."""


class TrackerForm(FlaskForm):
    """A page's form (with its CSRF token)."""

    class Meta(_PlainText):
        pass


class RowForm(Form):
    """A row repeated inside a page's form (FieldList of FormField)."""

    class Meta(_PlainText):
        pass
