"""Program selection: the applicant chooses a track and a cohort."""

from __future__ import annotations

from flask import Blueprint
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from wtforms import SelectChoice

from tracker.core import navigation
from tracker.core.flow import save
from tracker.enrollments import services
from tracker.enrollments.forms import ProgramChoiceForm
from tracker.enrollments.queries import current_enrollment
from tracker.enrollments.queries import programs_on_offer
from tracker.security.access import Trainee
from tracker.security.access import allow

bp = Blueprint("enrollments", __name__, url_prefix="/me")
navigation.register("Program", "enrollments.program", Trainee, order=25)


def _fill_choices(form: ProgramChoiceForm, offers: list[services.ProgramOffer]) -> None:
    several = len(offers) > 1
    tracks, cohorts = [], []
    for offer in offers:
        suffix = f" ({offer.program.name})" if several else ""
        for item in offer.tracks:
            tracks.append(
                SelectChoice(
                    item.track.id,
                    f"{item.track.name}: {item.track.format_label}, {item.tuition}{suffix}",
                )
            )
        for cohort in offer.cohorts:
            cohorts.append(
                SelectChoice(
                    cohort.id,
                    f"{cohort.name}: {cohort.starts_on.isoformat()} to "
                    f"{cohort.ends_on.isoformat()}{suffix}",
                )
            )
    form.track_id.choices = tracks
    form.cohort_id.choices = cohorts


@bp.route("/program", methods=["GET", "POST"])
@allow(Trainee)
def program():
    """The tracks and cohorts on offer, and the trainee's choice (changeable until submitted)."""
    offers = services.offers(programs_on_offer())
    enrollment = current_enrollment(current_user.id)
    form = ProgramChoiceForm()
    _fill_choices(form, offers)
    if request.method == "GET" and enrollment is not None:
        form.track_id.data = enrollment.track_id
        form.cohort_id.data = enrollment.cohort_id
    return save(
        form,
        lambda: services.choose_track(
            current_user._get_current_object(), form.track_id.data, form.cohort_id.data
        ),
        "Your track and cohort are saved. Next: your application.",
        url_for("applications.overview"),
        refused_back=url_for("enrollments.program"),
    ) or render_template(
        "enrollments/program.html",
        offers=offers,
        form=form,
        enrollment=enrollment,
        locked=enrollment is not None and enrollment.status != "applicant",
    )
