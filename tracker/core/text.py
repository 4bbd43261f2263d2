"""Free text a service accepts from a form: trimmed, within a length, without control
characters; a refusal names the field."""

from __future__ import annotations

import re

from tracker.core.errors import Refused

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Line breaks (and tabs) are allowed in a multi-line text.
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def one_line(field_name: str, value: str | None, limit: int, *, required: bool = True) -> str:
    """`value` trimmed: refused when required and empty, longer than `limit`, or holding a
    control character."""
    text = (value or "").strip()
    if required and not text:
        raise Refused("This field is required.", field_name)
    if len(text) > limit:
        raise Refused(f"Use at most {limit} characters.", field_name)
    if _CONTROL.search(text):
        raise Refused("Remove the control characters.", field_name)
    return text


def paragraphs(field_name: str, value: str | None, limit: int) -> str:
    """Optional `value` trimmed, its line breaks as "\\n": refused when longer than `limit` or
    holding a control character other than a line break or tab."""
    text = (value or "").strip().replace("\r\n", "\n")
    if len(text) > limit:
        raise Refused(f"Use at most {limit} characters.", field_name)
    if _CONTROL_MULTILINE.search(text):
        raise Refused("Remove the control characters.", field_name)
    return text
