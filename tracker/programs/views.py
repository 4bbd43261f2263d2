"""Staff pages for programs, tracks, cohorts and requirement sets."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from tracker.core import navigation
from tracker.extensions import db
from tracker.programs.models import Program
from tracker.security.access import Staff, allow

bp = Blueprint("programs", __name__, url_prefix="/programs")
navigation.register("Programs", "programs.index", Staff, order=80)


@bp.get("/")
@allow(Staff)
def index():
    """Every program with its tracks and cohorts."""
    programs = db.session.scalars(select(Program).order_by(Program.name)).all()
    return render_template("programs/index.html", programs=programs)
