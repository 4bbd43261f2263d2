"""The preferences form: one choice of delivery per kind of notice the person receives."""

from __future__ import annotations

from wtforms import RadioField
from wtforms import SelectChoice

from tracker.core.forms import TrackerForm
from tracker.notifications.kinds import DELIVERIES
from tracker.notifications.kinds import Kind
from tracker.notifications.kinds import kinds_for
from tracker.notifications.services import preferences


def field_name(code: str) -> str:
    """The form field of a kind ("entry.returned" -> "entry_returned")."""
    return code.replace(".", "_")


class PreferencesForm(TrackerForm):
    """Filled by `preferences_form` with a field per kind."""


def preferences_form(kinds: list[Kind], current: dict[str, str]) -> PreferencesForm:
    """A form with a delivery choice for each of `kinds`, showing `current`."""

    class Form(PreferencesForm):
        pass

    for kind in kinds:
        setattr(
            Form,
            field_name(kind.code),
            RadioField(
                kind.label,
                choices=[SelectChoice(value, label) for value, label in DELIVERIES.items()],
                default=current.get(kind.code, kind.default),
                invalid_choice_message="Choose e-mail at once, the daily digest or the inbox only.",
            ),
        )
    return Form()


def choices_of(form: PreferencesForm, kinds: list[Kind]) -> dict[str, str]:
    """{kind code: delivery} from a validated form."""
    return {kind.code: form[field_name(kind.code)].data for kind in kinds}


def preferences_context(person, form: PreferencesForm | None = None) -> dict[str, object]:
    """What the account page needs to show the person's preferences form (`form` when it is
    re-shown with its errors)."""
    kinds = kinds_for(person)
    if form is None:
        form = preferences_form(kinds, preferences(person))
    return {
        "notice_form": form,
        "notice_kinds": [(kind, form[field_name(kind.code)]) for kind in kinds],
    }
