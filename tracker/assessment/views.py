"""Views of this area."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("assessment", __name__, url_prefix="/assessment")
