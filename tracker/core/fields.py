"""Form fields every area builds the same way."""

from __future__ import annotations

from typing import Any

from wtforms import DateField
from wtforms import StringField
from wtforms.validators import InputRequired
from wtforms.validators import Length


def required_text(
    label: str,
    required: str,
    max_length: int,
    too_long: str | None = None,
    field: type = StringField,
    **options: Any,
) -> Any:
    """A text field that must be filled in (`required` says so) and holds at most
    `max_length` characters."""
    message = too_long or f"Use at most {max_length} characters."
    validators = [InputRequired(required), Length(max=max_length, message=message)]
    return field(label, validators=validators, **options)


def required_date(label: str, required: str, **options: Any) -> DateField:
    """A date that must be given (`required` says so), without the browser's autofill."""
    return DateField(
        label,
        validators=[InputRequired(required)],
        render_kw={"autocomplete": "off"},
        **options,
    )


def length_between(minimum: int, maximum: int) -> Length:
    """A validator of a text of `minimum` to `maximum` characters, saying so when it is not."""
    return Length(min=minimum, max=maximum, message=f"Use {minimum} to {maximum} characters.")
