"""Download of stored files, as attachments, to the people who may see them."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import send_file
from flask_login import current_user

from tracker.documents.access import may_see_trainee
from tracker.documents.models import StoredFile
from tracker.documents.storage import file_path
from tracker.extensions import db
from tracker.security.access import SignedIn
from tracker.security.access import allow

bp = Blueprint("documents", __name__, url_prefix="/files")


@bp.get("/<int:file_id>")
@allow(SignedIn)
def download(file_id: int):
    """Send the file as an attachment; 404 for anyone who may not see it (no hint it exists)."""
    stored = db.session.get(StoredFile, file_id)
    if stored is None or not may_see_trainee(current_user, stored.owner_id):
        abort(404)
    path = file_path(stored)
    if not path.is_file():
        abort(404)
    response = send_file(
        path,
        mimetype=stored.content_type,
        as_attachment=True,
        download_name=stored.original_name,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
