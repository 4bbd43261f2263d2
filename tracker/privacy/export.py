"""Everything the tracker holds about one person, as JSON plus one CSV per record type, with
their uploaded files, in one ZIP.

Record types are found from the models themselves: any table with a `trainee_id`, `owner_id`,
`subject_user_id` or `person_id` column naming the person, or an `enrollment_id` of one of their
enrollments, is included, so a record type added later is exported without a change here.
Secrets (password hashes, session tokens) never leave.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import IO

from sqlalchemy import Table
from sqlalchemy import or_
from sqlalchemy import select

from tracker.accounts.models import User
from tracker.core.csvexport import to_csv
from tracker.documents.models import StoredFile
from tracker.documents.storage import file_path
from tracker.enrollments.models import Enrollment
from tracker.extensions import db
from tracker.extensions import utcnow

EXCLUDED_TABLES = {"login_sessions", "audit_head", "alembic_version"}
EXCLUDED_COLUMNS = {"password_hash", "token_hash", "storage_name"}
PERSON_COLUMNS = ("trainee_id", "owner_id", "subject_user_id", "person_id")


def _plain(value: object) -> object:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _rows(table: Table, where) -> list[dict[str, object]]:
    columns = [c for c in table.columns if c.name not in EXCLUDED_COLUMNS]
    order = table.primary_key.columns.values() or columns[:1]
    result = db.session.execute(select(*columns).where(where).order_by(*order))
    return [{k: _plain(v) for k, v in row._mapping.items()} for row in result]


def collect(user: User) -> dict[str, list[dict[str, object]]]:
    """Every record about `user`, by table name."""
    enrollment_ids = select(Enrollment.id).where(Enrollment.trainee_id == user.id)
    users = db.metadata.tables["users"]
    records: dict[str, list[dict[str, object]]] = {"users": _rows(users, users.c.id == user.id)}
    for name, table in sorted(db.metadata.tables.items()):
        if name in EXCLUDED_TABLES or name == "users":
            continue
        conditions = [table.c[col] == user.id for col in PERSON_COLUMNS if col in table.c]
        if "enrollment_id" in table.c:
            conditions.append(table.c.enrollment_id.in_(enrollment_ids))
        if name == "enrollments":
            conditions.append(table.c.trainee_id == user.id)
        if not conditions:
            continue
        rows = _rows(table, or_(*conditions))
        if rows:
            records[name] = rows
    return records


def build_zip(user: User) -> IO[bytes]:
    """The ZIP, in an anonymous temporary file read from its start (it disappears when closed):
    data.json, one CSV per record type, and files/ with the person's uploads. The uploads are
    copied from disk a chunk at a time, so memory stays flat however many there are."""
    records = collect(user)
    target = tempfile.TemporaryFile()  # noqa: SIM115 - the caller sends it, and closing removes it
    try:
        _write(target, user, records)
    except BaseException:
        target.close()
        raise
    target.seek(0)
    return target


def _write(target: IO[bytes], user: User, records: dict[str, list[dict[str, object]]]) -> None:
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "data.json",
            json.dumps(
                {"exported_at": utcnow().isoformat(), "person": user.email, "records": records},
                indent=2,
                sort_keys=True,
            ),
        )
        for name, rows in records.items():
            header = list(rows[0].keys())
            archive.writestr(
                f"csv/{name}.csv", to_csv(header, ([r[h] for h in header] for r in rows))
            )
        stored_files = select(StoredFile).where(StoredFile.owner_id == user.id)
        for stored in db.session.scalars(stored_files.order_by(StoredFile.id)):
            path = file_path(stored)
            if path.is_file():
                # PDF, PNG and JPEG are compressed already: stored as they are, at disk speed.
                archive.write(
                    path,
                    f"files/{stored.id}-{stored.original_name}",
                    compress_type=zipfile.ZIP_STORED,
                )
        archive.writestr(
            "README.txt",
            "Everything the KAP Certification Tracker holds about you.\n"
            "data.json has every record; csv/ has one file per record type; files/ has your "
            "uploads.\nSignatures show the signer's printed name, the UTC time and the meaning "
            "of the signature where a record was signed.\n",
        )
