"""The sign-off tests' builders: tracker.factories, committed for use between requests, and
the sign form's data as a page shows it."""

from __future__ import annotations

from tests.conftest import PASSWORD
from tracker.extensions import db
from tracker.factories import committing
from tracker.factories import eligibility
from tracker.factories import signoffs
from tracker.signoffs.binding import content_hash
from tracker.signoffs.entries import ENTRY_MODELS
from tracker.signoffs.entries import parse_key

give_credentials = committing(eligibility.give_credentials)
waiting_session = committing(signoffs.waiting_session)
waiting_didactic = committing(signoffs.waiting_didactic)
waiting_experiential = committing(signoffs.waiting_experiential)


def sign_form(*keys: str, password: str = PASSWORD, **fields: str) -> dict:
    """What the sign form posts for the entries `keys` ("session:12"): the keys, each entry's
    content hash as its page shows it now, and the password (plus any other `fields`)."""
    data: dict = {"selected": list(keys), "password": password, **fields}
    for key in keys:
        parsed = parse_key(key)
        model = ENTRY_MODELS.get(parsed[0]) if parsed else None
        entry = db.session.get(model, parsed[1], populate_existing=True) if model else None
        if entry is not None:
            data[f"hash:{key}"] = content_hash(entry)
    return data
