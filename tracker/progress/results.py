"""What the engine returns: one StepResult per step and the Progress of an enrollment."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date

from tracker.progress.items import Actor
from tracker.progress.items import CertificateStatus
from tracker.progress.items import OutstandingItem
from tracker.progress.items import Severity
from tracker.progress.items import StepStatus


@dataclass
class Draft:
    """A step as its rule sees it, before waivers and dependencies are applied.

    `settled` is False when the step cannot be complete even without a blocking item (ongoing
    education in a cycle not yet met, a step waiting on a certificate).
    """

    items: list[OutstandingItem] = field(default_factory=list)
    fraction: float = 0.0
    summary: str = ""
    started: bool = False
    settled: bool = True


@dataclass(frozen=True)
class StepResult:
    """One step's status, progress-bar fraction (0..1), summary sentence and items."""

    number: int
    title: str
    status: StepStatus
    fraction: float
    summary: str
    items: tuple[OutstandingItem, ...] = ()
    waiver_reason: str | None = None

    @property
    def done(self) -> bool:
        """True when the step is complete or waived: what later steps depend on."""
        return self.status in (StepStatus.COMPLETE, StepStatus.WAIVED)


@dataclass(frozen=True)
class Progress:
    """An enrollment's nine steps, its outstanding items and its certificate standing."""

    enrollment_id: int | str
    today: date
    steps: tuple[StepResult, ...]
    certificate_status: CertificateStatus | None
    ready_for_certificate: bool
    state: str = "active"  # the enrollment's life state (`life_rules.LIFE_STATES`)
    # The first day on which a time-based rule could change this verdict (`horizon`): on any
    # day from `today` up to the day before it, the engine says the same.
    holds_until: date | None = None

    @property
    def items(self) -> tuple[OutstandingItem, ...]:
        """Every outstanding item, in step order."""
        return tuple(item for step in self.steps for item in step.items)

    @property
    def blocking_items(self) -> tuple[OutstandingItem, ...]:
        """Items that keep their step from completing."""
        return tuple(i for i in self.items if i.severity == Severity.BLOCKING)

    @property
    def upcoming_items(self) -> tuple[OutstandingItem, ...]:
        """Items that cannot be acted on yet (the cohort has not started)."""
        return tuple(i for i in self.items if i.severity == Severity.UPCOMING)

    @property
    def current_items(self) -> tuple[OutstandingItem, ...]:
        """Items that can be acted on now: every item but the upcoming ones."""
        return tuple(i for i in self.items if i.severity != Severity.UPCOMING)

    def items_for(self, actor: Actor | str) -> tuple[OutstandingItem, ...]:
        """The items that `actor` (trainee, supervisor or staff) must act on now."""
        return tuple(i for i in self.current_items if i.actor == actor)

    @property
    def next_due_on(self) -> date | None:
        """The earliest due date among the items (a past one means something is overdue)."""
        dates = [i.due_on for i in self.items if i.due_on is not None]
        return min(dates) if dates else None

    @property
    def training_not_done(self) -> tuple[StepResult, ...]:
        """The training steps (5 didactic, 6 experiential, 7 supervised) neither complete nor
        waived: what keeps the final assessment closed."""
        return tuple(s for s in self.steps[4:7] if not s.done)

    @property
    def assessment_open(self) -> bool:
        """True when the final assessment may be taken: didactic, experiential and supervised
        requirements each met or waived."""
        return not self.training_not_done

    def step(self, number: int) -> StepResult:
        """The result of step `number` (1-9)."""
        return self.steps[number - 1]

    @property
    def fraction(self) -> float:
        """Overall progress through steps 1-8 (0..1), for a single progress bar."""
        return round(sum(s.fraction for s in self.steps[:8]) / 8, 4)

    def item(self, code: str, key: str = "") -> OutstandingItem | None:
        """The item with `code` (and `key`), or None."""
        return next((i for i in self.items if i.identity == (code, key)), None)

    @property
    def certificate_at_risk(self) -> bool:
        """True while the certificate's current renewal cycle is short with under 90 days left
        (`certificate.at_risk`)."""
        return any(i.code == "certificate.at_risk" for i in self.items)

    @property
    def codes(self) -> set[str]:
        """The set of item codes present, handy for a quick check."""
        return {i.code for i in self.items}
