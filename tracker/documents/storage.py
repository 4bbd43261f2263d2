"""Saving and reading uploads. Types are judged by the bytes, never by the name or the
browser's claim: PDF, PNG and JPEG only, at most UPLOAD_MAX_BYTES."""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from pathlib import Path
from typing import IO

from flask import current_app

from tracker.audit.services import record
from tracker.core.errors import Refused
from tracker.documents.models import StoredFile
from tracker.extensions import db

SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)
ACCEPTED_LABEL = "PDF, PNG or JPEG"


def sniff(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) judged from the first bytes, or None when not accepted."""
    for magic, content_type, extension in SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    return None


def _clean_name(name: str | None, extension: str) -> str:
    name = unicodedata.normalize("NFKC", name or "")
    name = Path(name.replace("\\", "/")).name
    name = re.sub(r"[^A-Za-z0-9 ._()-]", "_", name).strip(" .") or "document"
    stem = name.rsplit(".", 1)[0][:120] or "document"
    return f"{stem}.{extension}"


def _folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_upload(
    stream: IO[bytes], filename: str | None, owner_id: int, uploaded_by_id: int | None
) -> StoredFile:
    """Check and store an upload for `owner_id`; raise Refused when it is not accepted.

    The file is written under a random name first and recorded only when it passed every
    check, so a refused upload leaves nothing behind.
    """
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    data = stream.read(limit + 1)
    if not data:
        raise Refused("The file is empty.")
    if len(data) > limit:
        raise Refused(f"The file is larger than {limit // (1024 * 1024)} MB.")
    kind = sniff(data[:16])
    if kind is None:
        raise Refused(f"Upload a {ACCEPTED_LABEL} file; this file is neither.")
    content_type, extension = kind
    if content_type == "application/pdf" and b"%%EOF" not in data[-2048:]:
        raise Refused("This PDF is incomplete or damaged.")
    storage_name = f"{secrets.token_hex(20)}.bin"
    path = _folder() / storage_name
    path.write_bytes(data)
    stored = StoredFile(
        owner_id=owner_id,
        uploaded_by_id=uploaded_by_id,
        storage_name=storage_name,
        original_name=_clean_name(filename, extension),
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    db.session.add(stored)
    db.session.flush()
    record(
        "file.uploaded",
        stored,
        after={"name": stored.original_name, "size": stored.size, "sha256": stored.sha256},
        subject_user_id=owner_id,
    )
    return stored


def file_path(stored: StoredFile) -> Path:
    """Where the bytes of `stored` live."""
    return _folder() / stored.storage_name
