"""Supervised KAP sessions and case presentations (step 7)."""

from __future__ import annotations

from datetime import date
from datetime import datetime

from sqlalchemy import Boolean
from sqlalchemy import CheckConstraint
from sqlalchemy import Date
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from tracker.accounts.models import User
from tracker.core.columns import AutoTimestamps
from tracker.core.columns import label_of
from tracker.enrollments.models import Enrollment
from tracker.extensions import UTCDateTime
from tracker.extensions import db
from tracker.extensions import utcnow

SETTINGS = {
    "clinic": "Clinic",
    "hospital": "Hospital",
    "private_practice": "Private practice",
    "research": "Research",
    "telehealth_prep": "Telehealth (preparation)",
    "other": "Other",
}
ROUTES = {
    "iv": "IV (intravenous)",
    "im": "IM (intramuscular)",
    "sublingual": "Sublingual",
    "intranasal": "Intranasal",
    "oral": "Oral",
}
TRAINEE_ROLES = {"observer": "Observer", "co_therapist": "Co-therapist", "lead": "Lead"}
SUPERVISION_MODES = {"live": "Live", "video_review": "Video review"}
SESSION_STATUSES = ("draft", "submitted", "returned", "signed")
SESSION_STATUS_LABELS = {
    "draft": "Draft",
    "submitted": "Submitted, waiting for sign-off",
    "returned": "Returned with a question",
    "signed": "Signed off",
}
AUDIENCES = {
    "peer_group": "Peer group",
    "supervisor": "Supervisor",
    "faculty": "Program faculty",
    "conference": "Conference",
}


def _in(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


class SupervisedSession(AutoTimestamps, db.Model):
    """A supervised KAP session: a de-identified client code, never client details."""

    __tablename__ = "supervised_sessions"
    __audited__ = (
        "enrollment_id",
        "on",
        "client_code",
        "setting",
        "route",
        "trainee_role",
        "supervision_mode",
        "phases",
        "duration_minutes",
        "reflection",
        "status",
        "supervisor_id",
    )
    __table_args__ = (
        CheckConstraint(f"setting IN ({_in(SETTINGS)})", name="setting"),
        CheckConstraint(f"route IN ({_in(ROUTES)})", name="route"),
        CheckConstraint(f"trainee_role IN ({_in(TRAINEE_ROLES)})", name="trainee_role"),
        CheckConstraint(f"supervision_mode IN ({_in(SUPERVISION_MODES)})", name="supervision_mode"),
        CheckConstraint(f"status IN ({_in(SESSION_STATUSES)})", name="status"),
        CheckConstraint("duration_minutes >= 15 AND duration_minutes <= 720", name="duration"),
        CheckConstraint("covers_preparation OR covers_dosing OR covers_integration", name="phases"),
        Index("ix_supervised_sessions_enrollment_on", "enrollment_id", "on"),
        Index("ix_supervised_sessions_supervisor_status", "supervisor_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="RESTRICT"))
    on: Mapped[date] = mapped_column(Date)
    client_code: Mapped[str] = mapped_column(String(16))
    setting: Mapped[str] = mapped_column(String(20))
    route: Mapped[str] = mapped_column(String(12))
    trainee_role: Mapped[str] = mapped_column(String(15))
    supervision_mode: Mapped[str] = mapped_column(String(15))
    covers_preparation: Mapped[bool] = mapped_column(Boolean, default=False)
    covers_dosing: Mapped[bool] = mapped_column(Boolean, default=False)
    covers_integration: Mapped[bool] = mapped_column(Boolean, default=False)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    reflection: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    # Set at submission from the current primary assignment; None means waiting for staff.
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    enrollment: Mapped[Enrollment] = relationship()
    supervisor: Mapped[User | None] = relationship(foreign_keys=[supervisor_id])

    @property
    def is_editable(self) -> bool:
        """The trainee may change a draft or a returned session."""
        return self.status in ("draft", "returned")

    status_label = label_of("status", SESSION_STATUS_LABELS)

    @property
    def phases(self) -> list[str]:
        """The phases covered, as words."""
        names = []
        if self.covers_preparation:
            names.append("preparation")
        if self.covers_dosing:
            names.append("dosing")
        if self.covers_integration:
            names.append("integration")
        return names

    setting_label = label_of("setting", SETTINGS)
    route_label = label_of("route", ROUTES)
    role_label = label_of("trainee_role", TRAINEE_ROLES)
    mode_label = label_of("supervision_mode", SUPERVISION_MODES)


class CasePresentation(db.Model):
    """A case presentation the trainee gave, optionally about one of their sessions."""

    __tablename__ = "case_presentations"
    __audited__ = (
        "enrollment_id",
        "on",
        "title",
        "audience",
        "session_id",
    )
    __table_args__ = (
        CheckConstraint(f"audience IN ({_in(AUDIENCES)})", name="audience"),
        Index("ix_case_presentations_enrollment_on", "enrollment_id", "on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="RESTRICT"))
    on: Mapped[date] = mapped_column(Date)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("supervised_sessions.id", ondelete="SET NULL"), index=True
    )
    audience: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    enrollment: Mapped[Enrollment] = relationship()
    session: Mapped[SupervisedSession | None] = relationship()

    audience_label = label_of("audience", AUDIENCES)
