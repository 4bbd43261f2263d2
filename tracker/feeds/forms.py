"""The buttons of the calendar feed page (each a CSRF-protected post)."""

from __future__ import annotations

from tracker.core.forms import TrackerForm


class FeedForm(TrackerForm):
    """Make, regenerate or revoke the feed: nothing to fill in but the CSRF token."""
