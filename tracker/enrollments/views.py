"""Program selection and the trainee's home page."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("enrollments", __name__, url_prefix="/me")
