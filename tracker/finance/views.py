"""Views of this area."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("finance", __name__, url_prefix="/finance")
