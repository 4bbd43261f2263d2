"""Forms of the application: a document upload, a reference and a scenario answer. None has a
field for review status or notes."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import EmailField
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import Optional

from tracker.applications.models import ANSWER_MAX_LENGTH
from tracker.applications.models import ANSWER_MIN_LENGTH
from tracker.applications.models import REFERENCE_RELATIONSHIPS
from tracker.applications.models import RELATIONSHIP_LABELS
from tracker.core.fields import required_text
from tracker.core.forms import TrackerForm
from tracker.documents.storage import ACCEPTED_LABEL


class DocumentForm(TrackerForm):
    """Upload an application document."""

    document = FileField("File", description=f"{ACCEPTED_LABEL}, at most 10 MB.")


class ReferenceForm(TrackerForm):
    """A professional reference."""

    name = required_text("Name", "Enter the reference's name.", 120)
    email = required_text(
        "E-mail address", "Enter the reference's e-mail address.", 254, field=EmailField
    )
    relationship = SelectField(
        "How you know this person",
        choices=[
            SelectChoice("", "Choose one"),
            *[SelectChoice(r, RELATIONSHIP_LABELS[r]) for r in REFERENCE_RELATIONSHIPS],
        ],
        invalid_choice_message="Choose how you know this person.",
    )
    phone = StringField(
        "Phone (optional)",
        validators=[Optional(), Length(max=30, message="Use at most 30 characters.")],
    )


class ScenarioAnswerForm(TrackerForm):
    """An answer to one ethical scenario."""

    answer = TextAreaField(
        "Your answer",
        description=f"Between {ANSWER_MIN_LENGTH} and {ANSWER_MAX_LENGTH} characters.",
        render_kw={"rows": 10},
        validators=[
            InputRequired("Write your answer."),
            Length(max=ANSWER_MAX_LENGTH, message=f"Use at most {ANSWER_MAX_LENGTH} characters."),
        ],
    )
