"""Builders of stored files."""

from __future__ import annotations

import io
import secrets

from tracker.accounts.models import User
from tracker.documents.models import StoredFile
from tracker.documents.storage import save_upload
from tracker.factories import added

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def stored_file(owner: User) -> StoredFile:
    """A stored-file row owned by `owner`, with no bytes on disk."""
    return added(
        StoredFile(
            owner_id=owner.id,
            uploaded_by_id=owner.id,
            storage_name=f"{secrets.token_hex(20)}.bin",
            original_name="scan.pdf",
            content_type="application/pdf",
            size=10,
            sha256="0" * 64,
        )
    )


def uploaded_pdf(owner: User, name: str) -> StoredFile:
    """A small PDF uploaded by `owner` through the document store (its bytes are kept)."""
    return save_upload(io.BytesIO(PDF), name, owner.id, owner.id)
