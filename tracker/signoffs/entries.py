"""The three kinds of entry that are signed or verified, named by a short type."""

from __future__ import annotations

from tracker.extensions import db
from tracker.supervision.models import SupervisedSession
from tracker.training.models import ContinuingEducation
from tracker.training.models import DidacticEntry
from tracker.training.models import ExperientialEntry

Entry = SupervisedSession | DidacticEntry | ExperientialEntry | ContinuingEducation
ENTRY_MODELS: dict[str, type] = {
    "session": SupervisedSession,
    "didactic": DidacticEntry,
    "experiential": ExperientialEntry,
    "ce": ContinuingEducation,
}
# The status an entry waits in, the status a signature gives it, and the status it has when it
# is sent back (a CE entry is rejected with a reason; the others are returned with a question).
WAITING_STATUS = {
    "session": "submitted",
    "didactic": "pending",
    "experiential": "pending",
    "ce": "pending",
}
DONE_STATUS = {
    "session": "signed",
    "didactic": "verified",
    "experiential": "verified",
    "ce": "approved",
}
RETURNED_STATUS = {
    "session": "returned",
    "didactic": "returned",
    "experiential": "returned",
    "ce": "rejected",
}


def entry_type_of(entry: Entry) -> str:
    """The short type name of an entry object."""
    for name, model in ENTRY_MODELS.items():
        if isinstance(entry, model):
            return name
    raise TypeError(f"not a signable entry: {type(entry).__name__}")


def load_entry(entry_type: str, entry_id: int) -> Entry | None:
    """The entry of that type and id, or None."""
    model = ENTRY_MODELS.get(entry_type)
    if model is None:
        return None
    return db.session.get(model, entry_id)


def parse_key(key: str) -> tuple[str, int] | None:
    """("session", 12) from "session:12"; None for anything malformed."""
    entry_type, _, number = (key or "").partition(":")
    if entry_type not in ENTRY_MODELS or not number.isdigit() or len(number) > 9:
        return None
    return entry_type, int(number)


def key_of(entry: Entry) -> str:
    """The "type:id" key of an entry, as forms carry it."""
    return f"{entry_type_of(entry)}:{entry.id}"


def describe(entry: Entry) -> str:
    """A short label of the entry for messages: type and date."""
    entry_type = entry_type_of(entry)
    label = {
        "session": "Session",
        "didactic": "Didactic hours",
        "experiential": "Activity",
        "ce": "CE entry",
    }
    return f"{label[entry_type]} of {entry.on.isoformat()}"
