"""The sign-off tests' builders: tracker.factories, committed for use between requests."""

from __future__ import annotations

from tracker.factories import committing
from tracker.factories import eligibility
from tracker.factories import signoffs

give_credentials = committing(eligibility.give_credentials)
waiting_session = committing(signoffs.waiting_session)
waiting_didactic = committing(signoffs.waiting_didactic)
waiting_experiential = committing(signoffs.waiting_experiential)
