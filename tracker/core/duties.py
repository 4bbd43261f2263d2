"""Separation of duties: whatever roles a person holds, they never act as staff, supervisor or
evaluator on their own training, ledger, assessment or certificate."""

from __future__ import annotations

from tracker.core.errors import Refused

OWN_RECORDS = "You cannot act on your own records: ask another staff member."


def not_own(actor_id: int, trainee_id: int, message: str = OWN_RECORDS) -> None:
    """Refuse with `message` when the person acting is the trainee whose record it is."""
    if actor_id == trainee_id:
        raise Refused(message)
