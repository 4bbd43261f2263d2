"""Views of this area."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("eligibility", __name__, url_prefix="/eligibility")
