"""Free text a person types: trimmed, within a length, without control characters or the
invisible characters that change the direction of text; a refusal names the field.

`text_problem` is the one check: every form's text fields get it (tracker.core.forms), and the
services' `one_line` and `paragraphs` apply it again for callers that are not forms.
"""

from __future__ import annotations

import re

from tracker.core.errors import Refused

# C0 and C1 controls, DEL, and the Unicode line and paragraph separators; a multi-line text
# keeps tabs and line breaks.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
# Bidirectional marks, embeddings, overrides and isolates: invisible, they make a name or a
# line display as something other than what it holds (U+061C, U+200E-F, U+202A-E, U+2066-9).
_DIRECTION = re.compile(r"[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")

CONTROL_MESSAGE = "Remove the control characters."
DIRECTION_MESSAGE = (
    "Remove the invisible characters that change the direction of text (such as a "
    "right-to-left override)."
)


def text_problem(value: object, *, multiline: bool = False) -> str | None:
    """Why typed `value` cannot be kept (control or direction-changing characters), or None."""
    if not isinstance(value, str):
        return None
    if (_CONTROL_MULTILINE if multiline else _CONTROL).search(value):
        return CONTROL_MESSAGE
    if _DIRECTION.search(value):
        return DIRECTION_MESSAGE
    return None


def one_line(field_name: str, value: str | None, limit: int, *, required: bool = True) -> str:
    """`value` trimmed: refused when required and empty, longer than `limit`, or holding a
    control or direction-changing character."""
    text = (value or "").strip()
    if required and not text:
        raise Refused("This field is required.", field_name)
    if len(text) > limit:
        raise Refused(f"Use at most {limit} characters.", field_name)
    problem = text_problem(text)
    if problem:
        raise Refused(problem, field_name)
    return text


def paragraphs(field_name: str, value: str | None, limit: int) -> str:
    """Optional `value` trimmed, its line breaks as "\\n": refused when longer than `limit` or
    holding a control character other than a line break or tab, or a direction-changing one."""
    text = (value or "").strip().replace("\r\n", "\n")
    if len(text) > limit:
        raise Refused(f"Use at most {limit} characters.", field_name)
    problem = text_problem(text, multiline=True)
    if problem:
        raise Refused(problem, field_name)
    return text


MB = 1024 * 1024


def megabytes(size: int) -> str:
    """A size in MB as people read it: "12.5 MB", "200 MB"."""
    value = f"{size / MB:.1f}".removesuffix(".0")
    return f"{value} MB"
