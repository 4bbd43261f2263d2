"""Programs, tracks, cohorts and requirement-set versions."""

from __future__ import annotations

import json
from datetime import date
from datetime import datetime
from functools import cached_property

from sqlalchemy import CheckConstraint
from sqlalchemy import Date
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from tracker.core.columns import label_of
from tracker.extensions import UTCDateTime
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.progress.requirements import RequirementSpec

TRACK_FORMATS = ("online", "hybrid", "retreat")
FORMAT_LABELS = {
    "online": "Online (self-paced modules)",
    "hybrid": "Hybrid (online plus live intensives)",
    "retreat": "Retreat (in-person intensives)",
}
# How long certification typically takes in each format, in months (the field's guide: online
# 6-12 months part-time, hybrid 4-8, intensive retreat 1-3); the reports show it beside the
# program's own figures.
FORMAT_TYPICAL_MONTHS = {"online": (6, 12), "hybrid": (4, 8), "retreat": (1, 3)}
CREDENTIAL_NAME_MAX = 200


def default_credential_name(program_name: str) -> str:
    """The credential a track leads to when staff have not named it: the program's certificate."""
    return f"{program_name.strip()} certificate"[:CREDENTIAL_NAME_MAX]


class Program(db.Model):
    """A certification program: the organisation's offer, in one time zone."""

    __tablename__ = "programs"
    __audited__ = (
        "name",
        "description",
        "timezone",
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    timezone: Mapped[str] = mapped_column(String(60), default="America/Los_Angeles")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    tracks: Mapped[list[Track]] = relationship(
        back_populates="program", order_by="Track.id", cascade="all, delete-orphan"
    )
    cohorts: Mapped[list[Cohort]] = relationship(
        back_populates="program", order_by="Cohort.starts_on", cascade="all, delete-orphan"
    )


class Track(db.Model):
    """A way through the program (online, hybrid or retreat) with its tuition."""

    __tablename__ = "tracks"
    __audited__ = (
        "program_id",
        "name",
        "format",
        "tuition_cents",
        "description",
        "credential_name",
    )
    __table_args__ = (
        UniqueConstraint("program_id", "name"),
        CheckConstraint("format IN ('online', 'hybrid', 'retreat')", name="format"),
        CheckConstraint("tuition_cents >= 0 AND tuition_cents <= 10000000", name="tuition"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    format: Mapped[str] = mapped_column(String(20))
    tuition_cents: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text, default="")
    # The credential printed on the track's certificates; empty means the program's default.
    credential_name: Mapped[str] = mapped_column(
        String(CREDENTIAL_NAME_MAX), default="", server_default=""
    )

    program: Mapped[Program] = relationship(back_populates="tracks")
    requirement_sets: Mapped[list[RequirementSet]] = relationship(
        back_populates="track", order_by="RequirementSet.version", cascade="all, delete-orphan"
    )

    @property
    def current_requirements(self) -> RequirementSet | None:
        """The newest requirement-set version of this track."""
        return self.requirement_sets[-1] if self.requirement_sets else None

    format_label = label_of("format", FORMAT_LABELS)

    @property
    def credential_title(self) -> str:
        """The credential this track leads to, as certificates print it."""
        return self.credential_name or default_credential_name(self.program.name)


class Cohort(db.Model):
    """A group of trainees who start and end together."""

    __tablename__ = "cohorts"
    __audited__ = (
        "program_id",
        "name",
        "starts_on",
        "ends_on",
    )
    __table_args__ = (
        UniqueConstraint("program_id", "name"),
        CheckConstraint("ends_on > starts_on", name="dates"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)

    program: Mapped[Program] = relationship(back_populates="cohorts")


class RequirementSet(db.Model):
    """One version of a track's requirements; versions are never edited, only superseded."""

    __tablename__ = "requirement_sets"
    __table_args__ = (UniqueConstraint("track_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("tracks.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    track: Mapped[Track] = relationship(back_populates="requirement_sets")

    @cached_property
    def spec(self) -> RequirementSpec:
        """The validated content."""
        return RequirementSpec.from_dict(json.loads(self.content))
