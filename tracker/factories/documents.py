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


def pdf_of_size(size: int) -> bytes:
    """A PDF the document store accepts, `size` bytes long (padded with random bytes)."""
    return PDF[:-6] + secrets.token_bytes(max(0, size - len(PDF))) + PDF[-6:]


def uploaded_pdf(owner: User, name: str, size: int | None = None) -> StoredFile:
    """A PDF uploaded by `owner` through the document store (a small one unless `size` says);
    its bytes take their place once the transaction commits."""
    body = PDF if size is None else pdf_of_size(size)
    return save_upload(io.BytesIO(body), name, owner.id, owner.id)
