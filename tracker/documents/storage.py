"""Saving, reading and removing uploads. Types are judged by the bytes, never by the name or the
browser's claim: PDF, PNG and JPEG only, at most UPLOAD_MAX_BYTES each, at most
UPLOAD_QUOTA_BYTES per person, at most UPLOAD_RATE_LIMIT uploads per signed-in person.

The disk follows the database. An upload is written under a temporary name (`<name>.part`) and
moved into place once the transaction that recorded it commits; a rollback removes it. A file
no record refers to any more loses its row at once and its bytes once that commits; a rollback
keeps both. What a killed worker leaves behind, `sweep_orphans` removes.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import re
import secrets
import time
import unicodedata
from dataclasses import dataclass
from dataclasses import field
from datetime import timedelta
from pathlib import Path
from typing import IO
from typing import Any

from flask import current_app
from flask import has_request_context
from flask_login import current_user
from limits import RateLimitItem
from limits import parse
from sqlalchemy import ColumnElement
from sqlalchemy import false
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import SessionTransaction

from tracker.audit.services import deleted
from tracker.audit.services import record
from tracker.core.errors import Refused
from tracker.core.text import megabytes
from tracker.database import listen_to_sessions
from tracker.documents.models import StoredFile
from tracker.extensions import db
from tracker.extensions import limiter

SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)
ACCEPTED_LABEL = "PDF, PNG or JPEG"
CHUNK = 64 * 1024
PART = ".part"
_STORED_NAME = re.compile(r"[0-9a-f]{40}\.bin")
_PENDING = "documents.file_changes"  # the session's file changes waiting for its commit


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


# -- what records refer to -------------------------------------------------------------------------


def _referring_columns() -> list:
    """Every column that refers to a stored file, found from the models' foreign keys, so that a
    record type added later is counted without a change here."""
    target = StoredFile.__table__.c.id
    return [
        fk.parent
        for table in db.metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.column is target
    ]


def referred_to(file_id=StoredFile.id) -> ColumnElement[bool]:
    """True for a stored file (by default the row of the enclosing query) a record refers to."""
    return or_(
        false(),
        *(select(column).where(column == file_id).exists() for column in _referring_columns()),
    )


def used_bytes(owner_id: int) -> int:
    """What counts toward the person's quota: the sizes of their files a record refers to."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(StoredFile.size), 0)).where(
            StoredFile.owner_id == owner_id, referred_to()
        )
    )
    return int(total or 0)


# -- saving ----------------------------------------------------------------------------------------


def count_upload() -> None:
    """Count one upload against the signed-in person's allowance; refuse one beyond it (every
    kind of upload counts: documents and imported files alike)."""
    if not (has_request_context() and limiter.enabled and current_user.is_authenticated):
        return
    limit = parse(current_app.config["UPLOAD_RATE_LIMIT"])
    key = [current_app.config.get("RATELIMIT_KEY_PREFIX") or "", "uploads", str(current_user.id)]
    key = [part for part in key if part]
    if limiter.limiter.hit(limit, *key):
        return
    reset_at, _remaining = limiter.limiter.get_window_stats(limit, *key)
    minutes = max(1, math.ceil((reset_at - time.time()) / 60))
    raise Refused(
        f"You have reached the limit of {limit.amount} uploads per {_window(limit)}. "
        f"Try again in {minutes} minute{'s' if minutes != 1 else ''}."
    )


def _window(limit: RateLimitItem) -> str:
    unit = limit.GRANULARITY.name
    return unit if limit.multiples == 1 else f"{limit.multiples} {unit}s"


def _check_quota(owner_id: int, size: int) -> None:
    quota = current_app.config["UPLOAD_QUOTA_BYTES"]
    used = used_bytes(owner_id)
    if used + size <= quota:
        return
    left = max(0, quota - used)
    raise Refused(
        f"This file ({megabytes(size)}) does not fit in the {megabytes(quota)} of files each "
        f"person may keep: {megabytes(used)} is used and {megabytes(left)} is left. Delete or "
        "replace a file you no longer need first."
    )


@dataclass
class _Received:
    """What was learnt while writing an upload to its temporary file."""

    size: int = 0
    head: bytes = b""
    tail: bytes = b""
    sha256: Any = field(default_factory=hashlib.sha256)


def _receive(stream: IO[bytes], path: Path, limit: int) -> _Received:
    """Copy `stream` to `path` a chunk at a time (never the whole file in memory), refusing an
    empty file and one over `limit`, and stopping at once when the type is not accepted."""
    received = _Received()
    with path.open("xb") as out:
        while chunk := stream.read(CHUNK):
            if len(received.head) < 16:
                received.head = (received.head + chunk)[:16]
            received.size += len(chunk)
            if received.size > limit:
                raise Refused(
                    f"The file is larger than {megabytes(limit)}: files may be up to "
                    f"{megabytes(limit)}. Choose a smaller file (a scan at a lower resolution)."
                )
            received.sha256.update(chunk)
            received.tail = (received.tail + chunk)[-2048:]
            out.write(chunk)
            if len(received.head) >= 16 and sniff(received.head) is None:
                break
    if received.size == 0:
        raise Refused("The file is empty.")
    return received


def save_upload(
    stream: IO[bytes], filename: str | None, owner_id: int, uploaded_by_id: int | None
) -> StoredFile:
    """Check and store an upload for `owner_id`; raise Refused when it is not accepted.

    The file is written under a temporary name and recorded only when it passed every check;
    it takes its place when the transaction commits. A refused upload leaves nothing behind.
    """
    count_upload()
    storage_name = f"{secrets.token_hex(20)}.bin"
    final = _folder() / storage_name
    temporary = final.with_name(storage_name + PART)
    try:
        received = _receive(stream, temporary, current_app.config["UPLOAD_MAX_BYTES"])
        kind = sniff(received.head)
        if kind is None:
            raise Refused(f"Upload a {ACCEPTED_LABEL} file; this file is neither.")
        content_type, extension = kind
        if content_type == "application/pdf" and b"%%EOF" not in received.tail:
            raise Refused("This PDF is incomplete or damaged.")
        _check_quota(owner_id, received.size)
        stored = StoredFile(
            owner_id=owner_id,
            uploaded_by_id=uploaded_by_id,
            storage_name=storage_name,
            original_name=_clean_name(filename, extension),
            content_type=content_type,
            size=received.size,
            sha256=received.sha256.hexdigest(),
        )
        db.session.add(stored)
        db.session.flush()
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _when_committed(_FileChange(_transaction(), final, temporary))
    record(
        "file.uploaded",
        stored,
        after={"name": stored.original_name, "size": stored.size, "sha256": stored.sha256},
        subject_user_id=owner_id,
    )
    return stored


def file_path(stored: StoredFile) -> Path:
    """Where the bytes of `stored` live (once the upload's transaction committed)."""
    return _folder() / stored.storage_name


# -- removing --------------------------------------------------------------------------------------


def release(file_id: int | None) -> bool:
    """Remove the stored file `file_id` when no record refers to it any more (call it after the
    record that referred to it was changed or deleted): its row now, audited, and its bytes once
    the transaction commits. True when it was removed."""
    if file_id is None:
        return False
    stored = db.session.get(StoredFile, file_id)
    if stored is None or db.session.scalar(select(referred_to(file_id))):
        return False
    path = file_path(stored)
    deleted("file.deleted", stored, subject_user_id=stored.owner_id)
    _when_committed(_FileChange(_transaction(), path))
    return True


@dataclass(frozen=True)
class SweepReport:
    """What `sweep_orphans` removed: temporary files and files no stored-file row names."""

    temporary: list[str]
    unreferenced: list[str]
    freed_bytes: int

    @property
    def removed(self) -> int:
        """How many files were removed."""
        return len(self.temporary) + len(self.unreferenced)


def sweep_orphans(older_than: timedelta = timedelta(hours=1)) -> SweepReport:
    """Remove from the upload folder the temporary files older than `older_than` (an upload
    whose worker died before its transaction ended) and the stored files no row names. Only
    names this module makes are touched; the database is only read (on a connection of its
    own), so it can run beside the web workers at any time."""
    folder = _folder()
    cutoff = time.time() - older_than.total_seconds()
    # The folder is listed before the rows are read: a file moved into place after the listing
    # is not looked at, and one listed has its row committed already (it moves after the commit).
    stored, parts = [], []
    for path in folder.iterdir():
        if _STORED_NAME.fullmatch(path.name):
            stored.append(path)
        elif path.name.endswith(PART) and _STORED_NAME.fullmatch(path.name.removesuffix(PART)):
            parts.append(path)
    # Read on a connection of its own: the caller's transaction may have begun before the listing.
    with db.engine.connect() as connection:
        named = set(connection.scalars(select(StoredFile.storage_name)))
    temporary = [p for p in parts if _modified(p) < cutoff]
    unreferenced = [p for p in stored if p.name not in named]
    freed = sum(_remove(p) for p in temporary + unreferenced)
    return SweepReport(
        temporary=sorted(p.name for p in temporary),
        unreferenced=sorted(p.name for p in unreferenced),
        freed_bytes=freed,
    )


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return math.inf  # gone meanwhile (its transaction ended): nothing to sweep


def _remove(path: Path) -> int:
    try:
        size = path.stat().st_size
        path.unlink()
    except FileNotFoundError:
        return 0
    return size


# -- the disk follows the transaction ------------------------------------------------------------


@dataclass(frozen=True)
class _FileChange:
    """A change on disk waiting for its transaction: move `source` to `target` (an upload), or
    remove `target` (a file no record refers to)."""

    transaction: SessionTransaction
    target: Path
    source: Path | None = None

    def apply(self) -> None:
        """Make the change (its transaction committed)."""
        try:
            if self.source is not None:
                self.source.replace(self.target)
            else:
                self.target.unlink(missing_ok=True)
        except OSError:
            # The records are committed; the sweep removes what this left behind.
            current_app.logger.exception("could not finish the file change on %s", self.target)

    def undo(self) -> None:
        """Drop the change (its transaction rolled back): remove the temporary file."""
        if self.source is not None:
            with contextlib.suppress(OSError):
                self.source.unlink(missing_ok=True)


def _transaction() -> SessionTransaction:
    session = db.session()
    found = session.get_nested_transaction() or session.get_transaction()
    assert found is not None, "a file change is made inside a transaction (after a flush)"
    return found


def _when_committed(change: _FileChange) -> None:
    db.session().info.setdefault(_PENDING, []).append(change)


def _within(transaction: SessionTransaction | None, ended: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ended:
            return True
        transaction = transaction.parent
    return False


def _on_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: its changes wait for the outer transaction
    for change in session.info.pop(_PENDING, ()):
        change.apply()


def _on_end(session: Session, ended: SessionTransaction) -> None:
    """A transaction rolled back, or closed without committing: drop the changes made in it."""
    if ended.parent is not None and not ended.nested:
        return  # a subtransaction: only the outermost and savepoints decide
    changes = session.info.get(_PENDING)
    if not changes:
        return
    kept = []
    for change in changes:
        if _within(change.transaction, ended):
            change.undo()
        else:
            kept.append(change)
    session.info[_PENDING] = kept


def _on_soft_rollback(session: Session, rolled_back: SessionTransaction) -> None:
    _on_end(session, rolled_back)


def _on_transaction_end(session: Session, ended: SessionTransaction) -> None:
    # After a commit the changes are already applied and gone; a savepoint released hands its
    # changes to its parent, so only the outermost transaction's end drops what is left.
    if ended.parent is None:
        _on_end(session, ended)


def install() -> None:
    """Keep the upload folder in step with every session's transactions."""
    listen_to_sessions(
        after_commit=_on_commit,
        after_soft_rollback=_on_soft_rollback,
        after_transaction_end=_on_transaction_end,
    )
