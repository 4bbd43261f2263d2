"""The tuition ledger: append-only entries in integer cents, and payment plans of instalments."""

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
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from tracker.accounts.models import User
from tracker.core.columns import unique_where
from tracker.enrollments.models import Enrollment
from tracker.extensions import UTCDateTime
from tracker.extensions import db
from tracker.extensions import utcnow

CHARGE = "charge"
PAYMENT = "payment"
SCHOLARSHIP = "scholarship"
DISCOUNT = "discount"
REFUND = "refund"
ENTRY_KINDS = (CHARGE, PAYMENT, SCHOLARSHIP, DISCOUNT, REFUND)
KIND_LABELS = {
    CHARGE: "Charge",
    PAYMENT: "Payment",
    SCHOLARSHIP: "Scholarship",
    DISCOUNT: "Discount",
    REFUND: "Refund",
}
# What an entry does to the balance the trainee owes: charges and refunds raise it.
KIND_SIGN = {CHARGE: 1, PAYMENT: -1, SCHOLARSHIP: -1, DISCOUNT: -1, REFUND: 1}
MONEY_KINDS = (PAYMENT, REFUND)  # entries that move money and so carry a method
PAYMENT_METHODS = ("card", "bank_transfer", "check", "cash", "other")
METHOD_LABELS = {
    "card": "Card",
    "bank_transfer": "Bank transfer",
    "check": "Check",
    "cash": "Cash",
    "other": "Other",
}
MAX_AMOUNT_CENTS = 10_000_000  # $100,000: no single entry of a training program is larger
EARLIEST_DATE = date(2000, 1, 1)


class LedgerEntry(db.Model):
    """One line of an enrollment's tuition ledger; never edited or deleted (a new entry corrects,
    and database triggers refuse UPDATE and DELETE).

    `amount_cents` is always positive: the kind gives the sign (see KIND_SIGN). A void is an
    entry of its original's kind and amount that names it (`voids_id`) and takes its effect
    back; the database lets an entry be voided once only, and only by a void that matches it
    (same enrollment, kind and amount) and is not itself a void.
    """

    __tablename__ = "ledger_entries"
    __audited__ = (
        "enrollment_id",
        "kind",
        "amount_cents",
        "description",
        "method",
        "reference",
        "tuition",
        "reason",
        "posted_on",
        "voids_id",
    )
    __table_args__ = (
        CheckConstraint(
            "kind IN ('charge', 'payment', 'scholarship', 'discount', 'refund')", name="kind"
        ),
        CheckConstraint("amount_cents > 0 AND amount_cents <= 10000000", name="amount"),
        CheckConstraint(
            "(kind IN ('payment', 'refund') AND method IN "
            "('card', 'bank_transfer', 'check', 'cash', 'other')) "
            "OR (kind NOT IN ('payment', 'refund') AND method IS NULL)",
            name="method",
        ),
        CheckConstraint("NOT tuition OR kind = 'charge'", name="tuition_is_charge"),
        CheckConstraint("posted_on >= '2000-01-01'", name="posted_on"),
        Index("ix_ledger_entries_enrollment", "enrollment_id", "posted_on"),
        Index("uq_ledger_entries_voids_id", "voids_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(12))
    amount_cents: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(200))
    method: Mapped[str | None] = mapped_column(String(20))
    reference: Mapped[str] = mapped_column(String(80), default="")
    tuition: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # Why staff charged the tuition a second time, or why a void voids its entry (else empty).
    reason: Mapped[str] = mapped_column(String(300), default="")
    posted_on: Mapped[date] = mapped_column(Date)
    # RESTRICT, not SET NULL: the row is append-only (a trigger refuses UPDATE and DELETE).
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The entry this one voids (None for an ordinary entry); unique, so voided once only.
    voids_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_entries.id", ondelete="RESTRICT")
    )

    recorded_by: Mapped[User | None] = relationship()
    enrollment: Mapped[Enrollment] = relationship()

    @property
    def is_void(self) -> bool:
        """True when this entry voids another."""
        return self.voids_id is not None

    @property
    def signed_cents(self) -> int:
        """The entry's effect on the balance owed (positive raises it); a void's is the opposite
        of its original's."""
        sign = -1 if self.is_void else 1
        return sign * KIND_SIGN[self.kind] * self.amount_cents

    @property
    def kind_label(self) -> str:
        """The kind as a person reads it ("Void of payment" for a void)."""
        label = "Tuition charge" if self.tuition else KIND_LABELS[self.kind]
        return f"Void of {label[0].lower()}{label[1:]}" if self.is_void else label

    @property
    def method_label(self) -> str:
        """The payment method as a person reads it (empty when none)."""
        return METHOD_LABELS.get(self.method or "", "")


class PaymentPlan(db.Model):
    """Instalments agreed for the balance outstanding when the plan was made.

    What the balance owes now (net of voids) is owed on its last instalments, so the money paid
    since covers them in due-date order (`tracker.progress.ledger`); `opening_credits_cents`
    records what was credited before it. At most one plan per enrollment is active; a new plan
    replaces the old one.
    """

    __tablename__ = "payment_plans"
    __audited__ = (
        "enrollment_id",
        "active",
        "opening_credits_cents",
        "instalments",
    )
    __table_args__ = (
        Index("ix_payment_plans_enrollment", "enrollment_id"),
        unique_where(
            "uq_payment_plans_one_active",
            "enrollment_id",
            where="active",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    opening_credits_cents: Mapped[int] = mapped_column(Integer, default=0)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by: Mapped[User | None] = relationship()
    instalments: Mapped[list[Instalment]] = relationship(
        back_populates="plan",
        order_by="(Instalment.due_on, Instalment.id)",
        cascade="all, delete-orphan",
    )

    @property
    def total_cents(self) -> int:
        """The sum of the instalments."""
        return sum(i.amount_cents for i in self.instalments)


class Instalment(db.Model):
    """One instalment of a payment plan: an amount due on a date."""

    __tablename__ = "instalments"
    __audited__ = ("due_on", "amount_cents")
    __table_args__ = (
        UniqueConstraint("plan_id", "due_on"),
        CheckConstraint("amount_cents > 0 AND amount_cents <= 10000000", name="amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("payment_plans.id", ondelete="CASCADE"))
    due_on: Mapped[date] = mapped_column(Date)
    amount_cents: Mapped[int] = mapped_column(Integer)

    plan: Mapped[PaymentPlan] = relationship(back_populates="instalments")
