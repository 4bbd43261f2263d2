"""The program-selection form: a track and a cohort (the program is the track's)."""

from __future__ import annotations

from wtforms import RadioField

from tracker.core.forms import TrackerForm


def _coerce_id(value: object) -> int | None:
    """Turn a posted id into an int; anything else becomes None (refused as "not a choice")."""
    if value is None or value == "":
        return None
    try:
        return int(str(value))
    except ValueError:
        return None


class ProgramChoiceForm(TrackerForm):
    """Choose a track and a cohort; the view fills the choices from what is on offer."""

    track_id = RadioField(
        "Track", coerce=_coerce_id, choices=[], invalid_choice_message="Choose one of the tracks."
    )
    cohort_id = RadioField(
        "Cohort",
        coerce=_coerce_id,
        choices=[],
        invalid_choice_message="Choose one of the cohorts that have not ended.",
    )
