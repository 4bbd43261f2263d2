"""The form that registers a webhook endpoint."""

from __future__ import annotations

from wtforms import SelectChoice
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import Length

from tracker.accounts.forms import MultiCheckboxField
from tracker.core.forms import TrackerForm
from tracker.webhooks.events import EVENT_KINDS
from tracker.webhooks.services import MAX_DESCRIPTION
from tracker.webhooks.targets import MAX_URL_LENGTH


class EndpointForm(TrackerForm):
    """An https address, the events it receives and a note of what it is."""

    url = StringField(
        "Address (https://…)",
        validators=[
            DataRequired("Give the endpoint's address."),
            Length(max=MAX_URL_LENGTH, message=f"At most {MAX_URL_LENGTH} characters."),
        ],
    )
    description = StringField(
        "Description",
        validators=[
            Length(max=MAX_DESCRIPTION, message=f"At most {MAX_DESCRIPTION} characters."),
        ],
        description="What receives these events (for example, the LMS).",
    )
    events = MultiCheckboxField(
        "Events",
        choices=[SelectChoice(kind, label) for kind, label in EVENT_KINDS.items()],
        validators=[DataRequired("Choose at least one event.")],
        invalid_choice_message="Choose events from the list.",
    )
