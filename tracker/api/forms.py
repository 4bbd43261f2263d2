"""The account page's form that creates a personal access token."""

from __future__ import annotations

from wtforms import DateField
from wtforms import StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import Optional

from tracker.accounts.forms import MultiCheckboxField
from tracker.api.models import TOKEN_NAME_MAX
from tracker.api.scopes import SCOPES
from tracker.core.forms import TrackerForm


class TokenForm(TrackerForm):
    """A token's name, scopes and optional expiry (the service checks them against the roles)."""

    name = StringField(
        "Name",
        description="What the token is for, such as the script or system that uses it.",
        validators=[
            InputRequired("Give the token a name."),
            Length(max=TOKEN_NAME_MAX, message=f"Use at most {TOKEN_NAME_MAX} characters."),
        ],
        render_kw={"maxlength": TOKEN_NAME_MAX},
    )
    scopes = MultiCheckboxField("Scopes", validate_choice=False)
    expires_on = DateField(
        "Expires on (optional)",
        description="The last day the token works; leave empty for no expiry.",
        validators=[Optional()],
    )

    def offer(self, allowed: frozenset[str]) -> TokenForm:
        """Offer the scopes the person's roles allow."""
        self.scopes.choices = [
            SelectChoice(scope, label)
            for scope, (label, _roles) in SCOPES.items()
            if scope in allowed
        ]
        return self
