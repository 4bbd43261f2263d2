"""The one error a service raises when the rules refuse an action."""

from __future__ import annotations


class Refused(Exception):
    """A refused action: `message` tells the person why, `field` names the form field it
    belongs to (None: the page as a whole)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
