"""Import batches of didactic attendance, the rows each created, the uploaded files waiting
for their preview, and each program's saved column layout and course map."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import Numeric
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from tracker.accounts.models import User
from tracker.extensions import UTCDateTime
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.programs.models import Program


class ImportBatch(db.Model):
    """One committed import: every entry it created, verified by the program on the committing
    staff member's authority; undone as a whole (with a reason) while none of them changed."""

    __tablename__ = "import_batches"
    __audited__ = (
        "program_id",
        "source",
        "filename",
        "row_count",
        "hours",
        "digest",
        "created_by_id",
        "undone_at",
        "undone_by_id",
        "undo_reason",
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="RESTRICT"))
    source: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(200), default="")
    row_count: Mapped[int] = mapped_column(Integer)
    hours: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    undo_reason: Mapped[str] = mapped_column(Text, default="")

    program: Mapped[Program] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    undone_by: Mapped[User | None] = relationship(foreign_keys=[undone_by_id])

    @property
    def is_undone(self) -> bool:
        """True once the batch was undone: its entries are gone."""
        return self.undone_at is not None


class ImportedRow(db.Model):
    """An external id imported into a program and the entry it created: a second import of the
    same id is a duplicate. Removed with its entry when the batch is undone."""

    __tablename__ = "imported_rows"
    __table_args__ = (UniqueConstraint("program_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="RESTRICT"))
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("import_batches.id", ondelete="CASCADE"), index=True
    )
    external_id: Mapped[str] = mapped_column(String(200))
    entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("didactic_entries.id", ondelete="SET NULL"), index=True
    )
    # The entry's content as imported: a different one now means it changed since.
    fingerprint: Mapped[str] = mapped_column(String(64))


class ImportDraft(db.Model):
    """An uploaded file's rows, kept between the upload and the commit (the preview page reads
    them; they are validated again at commit). `batch_id` is set once they were committed, so a
    replayed commit of the same preview is refused."""

    __tablename__ = "import_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    source: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(200), default="")
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    content: Mapped[str] = mapped_column(Text)
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batches.id", ondelete="SET NULL")
    )

    program: Mapped[Program] = relationship()

    @property
    def rows(self) -> list[dict[str, Any]]:
        """The rows as read from the file, in the service's field names."""
        return json.loads(self.content)


class ImportLayout(db.Model):
    """A program's saved column mapping (our field -> the file's column) for files that are no
    known LMS export, and its course map (an LMS course -> a curriculum topic and hours)."""

    __tablename__ = "import_layouts"
    __audited__ = ("program_id", "columns", "course_map")

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), unique=True
    )
    columns: Mapped[str] = mapped_column(Text, default="{}")
    course_map: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @property
    def column_map(self) -> dict[str, str]:
        """Our field -> the file's column name."""
        return json.loads(self.columns or "{}")
