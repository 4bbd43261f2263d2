"""Steps 8 and 9: final assessment, certificate, and ongoing education in renewal cycles."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from decimal import Decimal

from tracker.progress.facts import Certificate
from tracker.progress.facts import EnrollmentFacts
from tracker.progress.facts import ExamAttempt
from tracker.progress.items import CREDITS
from tracker.progress.items import HOURS
from tracker.progress.items import POINTS
from tracker.progress.items import RATING
from tracker.progress.items import CertificateStatus
from tracker.progress.items import OutstandingItem
from tracker.progress.items import new_item
from tracker.progress.requirements import RequirementSpec
from tracker.progress.results import Draft
from tracker.progress.text import day
from tracker.progress.text import hours

ZERO = Decimal(0)
# A certificate is at risk while its current cycle is short with fewer days than this left.
AT_RISK_DAYS = 90


def final_assessment(facts: EnrollmentFacts, spec: RequirementSpec, today: date) -> Draft:
    """Step 8: exam, case presentation, competency evaluation, then the certificate.

    The exam is passed when one of the first `exam_max_attempts` attempts (by date) scores at
    least `exam_pass_mark`; later attempts are ignored. With every attempt used and no pass, staff
    must decide (`exam.attempts_exhausted`). Voided attempts count for nothing: the attempts
    they used are available again. Every domain of `competency_domains` needs a rating of
    at least `competency_min_rating`. The step is complete only once a certificate exists (the
    engine asks staff to issue it when nothing else is left); a revoked one leaves it unsettled.
    """
    cert = facts.certificate
    if cert is not None and not cert.revoked:
        return Draft([], 1.0, f"Certificate issued on {day(cert.issued_on)}", True)
    if cert is not None:
        item = new_item("certificate.revoked", "The certificate was revoked.")
        return Draft([item], 0.75, "Certificate revoked", True, settled=False)
    items: list[OutstandingItem] = []
    met = 0
    live = live_attempts(facts.exam_attempts)
    attempts = sorted(live, key=lambda a: a.on)[: spec.exam_max_attempts]
    best = max((a.score for a in attempts), default=None)
    mark, allowed = spec.exam_pass_mark, spec.exam_max_attempts
    if best is not None and best >= mark:
        met += 1
        exam_text = f"exam passed ({best})"
    elif len(attempts) >= allowed:
        items.append(
            new_item(
                "exam.attempts_exhausted",
                f"Knowledge exam: all {allowed} attempts used, best score {best} "
                f"(pass mark {mark}): decide on a further attempt.",
            )
        )
        exam_text = "exam attempts used up"
    elif best is None:
        items.append(
            new_item(
                "exam.not_passed",
                f"Knowledge exam: not taken yet (pass mark {mark}, {allowed} attempts).",
            )
        )
        exam_text = "exam not taken"
    else:
        left = allowed - len(attempts)
        items.append(
            new_item(
                "exam.not_passed",
                f"Knowledge exam: best score {best} of pass mark {mark}, {left} of {allowed} "
                "attempts left.",
                amount=mark - best,
                unit=POINTS,
            )
        )
        exam_text = f"exam best score {best}"
    if facts.case_evaluation == "passed":
        met += 1
    elif facts.case_evaluation == "failed":
        items.append(
            new_item("case_evaluation.failed", "Case presentation not passed: present a new case.")
        )
    else:
        items.append(
            new_item("case_evaluation.pending", "Record the case-presentation evaluation.")
        )
    met += _competency(facts, spec, items)
    started = bool(live or facts.case_evaluation or facts.competency)
    summary = f"{met} of 3 assessments met; {exam_text}"
    return Draft(items, met / 4, summary, started, settled=False)


def live_attempts(attempts: Iterable[ExamAttempt]) -> list[ExamAttempt]:
    """The exam attempts that count: every attempt not voided, in the order given."""
    return [a for a in attempts if not a.voided]


@dataclass(frozen=True)
class EvaluationVersion:
    """One version of an evaluation: its id, the id of the version it amends (None for an
    original), and the day it was given."""

    id: int
    supersedes: int | None
    on: date


def current_evaluation(versions: Iterable[EvaluationVersion]) -> EvaluationVersion | None:
    """The evaluation that counts: among the versions no other version amends, the latest (by
    day, then by id); None without any."""
    rows = list(versions)
    amended = {v.supersedes for v in rows if v.supersedes is not None}
    live = [v for v in rows if v.id not in amended]
    return max(live, key=lambda v: (v.on, v.id), default=None)


def _competency(facts: EnrollmentFacts, spec: RequirementSpec, items: list[OutstandingItem]) -> int:
    if facts.competency is None:
        items.append(new_item("competency.pending", "Complete the competency evaluation."))
        return 0
    ok = True
    minimum = spec.competency_min_rating
    for domain in spec.competency_domains:
        name = domain.replace("_", " ").capitalize()
        rating = facts.competency.ratings.get(domain)
        if rating is None:
            ok = False
            items.append(new_item("competency.pending", f"{name}: not rated yet.", key=domain))
        elif rating < minimum:
            ok = False
            items.append(
                new_item(
                    "competency.below",
                    f"{name}: rated {rating}, needs {minimum}.",
                    key=domain,
                    amount=minimum - rating,
                    unit=RATING,
                )
            )
    return int(ok)


def add_months(start: date, months: int) -> date:
    """`start` moved by whole months, the day clamped to the month's end; date.max on overflow."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    if year > date.max.year:
        return date.max
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Cycle:
    """One renewal cycle, `starts_on` to `ends_on` inclusive, and what was done in it: `ce` and
    `consultation` count approved entries only; `pending_*` what still waits for review."""

    index: int
    starts_on: date
    ends_on: date
    ce: Decimal
    consultation: Decimal
    pending_ce: Decimal = ZERO
    pending_consultation: Decimal = ZERO


def cycle_spans(cert: Certificate, spec: RequirementSpec, today: date) -> list[tuple[date, date]]:
    """The first and last day of each renewal cycle of `cert`, from its issue date up to the one
    containing `today` (the cycles of `cycles`, without what was done in them)."""
    if today < cert.issued_on:
        return []
    spans = []
    index = 0
    while True:
        start = add_months(cert.issued_on, index * spec.ce_cycle_months)
        following = add_months(cert.issued_on, (index + 1) * spec.ce_cycle_months)
        end = following - timedelta(days=1) if following < date.max else date.max
        if start > today or (cert.expires_on is not None and start > cert.expires_on):
            break
        spans.append((start, end))
        if end >= today or end == date.max:
            break
        index += 1
    return spans


def cycles(facts: EnrollmentFacts, spec: RequirementSpec, today: date) -> list[Cycle]:
    """The renewal cycles from the certificate's issue date up to the one containing `today`.

    Cycle k starts `k * ce_cycle_months` months after the issue date and ends the day before the
    next starts; cycles starting after the certificate's expiry are not owed. Only approved CE
    counts; pending CE is summed apart and rejected CE not at all.
    """
    cert = facts.certificate
    if cert is None:
        return []
    result = []
    for index, (start, end) in enumerate(cycle_spans(cert, spec, today)):
        inside = [e for e in facts.ce_entries if start <= e.on <= end]
        result.append(
            Cycle(
                index,
                start,
                end,
                _sum(inside, "ce", "approved"),
                _sum(inside, "consultation", "approved"),
                _sum(inside, "ce", "pending"),
                _sum(inside, "consultation", "pending"),
            )
        )
    return result


def _sum(entries: list, kind: str, status: str) -> Decimal:
    """The credits of the entries of `kind` with review `status`."""
    return sum((e.credits for e in entries if e.kind == kind and e.status == status), ZERO)


def in_closed_cycle(on: date, facts: EnrollmentFacts, spec: RequirementSpec, today: date) -> bool:
    """True when `on` lies inside a renewal cycle of the certificate that is closed on `today`:
    the cycle ended and its `ce_grace_days` grace period is over too.

    Entries dated inside a closed cycle are locked for the holder, and a new one always waits for
    staff review. A date before the issue date, or in the cycle under way or in its grace
    period, is not in a closed cycle; without a certificate nothing is closed.
    """
    for cycle in cycles(facts, spec, max(today, on)):
        if cycle.starts_on <= on <= cycle.ends_on:
            return (today - cycle.ends_on).days > spec.ce_grace_days
    return False


def current_cycle(facts: EnrollmentFacts, spec: RequirementSpec, today: date) -> Cycle | None:
    """The certificate's renewal cycle that contains `today`: the one every page shows.

    None without a certificate, or once it is revoked or expired (no cycle is under way then).
    """
    cert = facts.certificate
    if cert is None or not _under_way(cert, today):
        return None
    return next((c for c in cycles(facts, spec, today) if c.ends_on >= today), None)


def current_cycle_ends_on(
    cert: Certificate | None, spec: RequirementSpec, today: date
) -> date | None:
    """The last day of the renewal cycle `current_cycle` gives, from the certificate and the
    requirement set alone (no CE needed): None without a certificate, or once it is revoked or
    expired."""
    if cert is None or not _under_way(cert, today):
        return None
    return next((end for _start, end in cycle_spans(cert, spec, today) if end >= today), None)


def _under_way(cert: Certificate, today: date) -> bool:
    """True while the certificate's renewal cycles run: neither revoked nor expired."""
    return not (cert.revoked or (cert.expires_on is not None and today > cert.expires_on))


def ongoing_education(facts: EnrollmentFacts, spec: RequirementSpec, today: date) -> Draft:
    """Step 9: CE credits and consultation hours per cycle, after certification.

    A past cycle (ended before today) short of `ce_credits_per_cycle` or
    `consultation_hours_per_cycle` gives, during the `ce_grace_days` after its end,
    `ce.short` / `consultation.short` due on the grace period's last day (entries dated inside
    the cycle may still be logged), then `ce.lapsed` / `consultation.lapsed` (blocking): the
    certificate shows as lapsed until entries dated inside that cycle make it up. The current
    cycle short with its end `ce_warning_days` days away or less gives `ce.short` /
    `consultation.short` due on the cycle end. The step is complete while no past cycle is short
    and the current one is met. The current cycle short with fewer than `AT_RISK_DAYS` days left
    gives `certificate.at_risk` (information: staff filter on it). Expiry warns
    `expiry_warning_days` ahead and blocks after.
    """
    cert = facts.certificate
    if cert is None or cert.revoked:
        return Draft([], 0.0, "Starts once the certificate is issued", False, settled=False)
    items: list[OutstandingItem] = []
    need_ce, need_talk = spec.ce_credits_per_cycle, spec.consultation_hours_per_cycle
    expired = cert.expires_on is not None and today > cert.expires_on
    all_cycles = cycles(facts, spec, today)
    current = None
    for cycle in all_cycles:
        span = f"{day(cycle.starts_on)} to {day(cycle.ends_on)}"
        if cycle.ends_on < today:
            grace_ends = cycle.ends_on + timedelta(days=spec.ce_grace_days)
            if today <= grace_ends:
                span += f" (grace period to {day(grace_ends)})"
                items += _cycle_items("short", cycle, span, need_ce, need_talk, grace_ends)
            else:
                items += _cycle_items("lapsed", cycle, span, need_ce, need_talk)
        else:
            current = cycle
    settled = True
    fraction = 1.0
    summary = "Certified; cycle requirements met"
    if current is not None and not expired:
        short = current.ce < need_ce or current.consultation < need_talk
        settled = not short
        fraction = (_ratio(current.ce, need_ce) + _ratio(current.consultation, need_talk)) / 2
        summary = (
            f"Cycle to {day(current.ends_on)}: {hours(current.ce)} of {hours(need_ce)} CE "
            f"credits, {hours(current.consultation)} of {hours(need_talk)} consultation hours"
        )
        left = (current.ends_on - today).days
        if short and left < AT_RISK_DAYS:
            items.append(
                new_item(
                    "certificate.at_risk",
                    f"Renewal cycle {day(current.starts_on)} to {day(current.ends_on)}: "
                    f"{hours(current.ce)} of {hours(need_ce)} CE credits, "
                    f"{hours(current.consultation)} of {hours(need_talk)} consultation hours, "
                    f"{left} days left: the certificate lapses unless it is made up.",
                    key=current.starts_on.isoformat(),
                )
            )
        if short and left <= spec.ce_warning_days:
            span = f"cycle ending {day(current.ends_on)}"
            items += _cycle_items("short", current, span, need_ce, need_talk)
    if expired:
        items.append(
            new_item(
                "certificate.expired",
                f"The certificate expired on {day(cert.expires_on)}.",
                due_on=cert.expires_on,
            )
        )
        summary = f"Certificate expired on {day(cert.expires_on)}"
    elif cert.expires_on is not None and (cert.expires_on - today).days <= spec.expiry_warning_days:
        items.append(
            new_item(
                "certificate.expiring",
                f"The certificate expires on {day(cert.expires_on)}.",
                due_on=cert.expires_on,
            )
        )
    return Draft(items, fraction, summary, True, settled=settled)


def _cycle_items(
    kind: str,
    cycle: Cycle,
    span: str,
    need_ce: Decimal,
    need_talk: Decimal,
    due_on: date | None = None,
) -> list[OutstandingItem]:
    items = []
    key = cycle.starts_on.isoformat()
    lapse = " (the certificate shows as lapsed)" if kind == "lapsed" else ""
    if cycle.ce < need_ce:
        items.append(
            new_item(
                f"ce.{kind}",
                f"CE credits for the {span}: {hours(cycle.ce)} of {hours(need_ce)}{lapse}.",
                key=key,
                amount=need_ce - cycle.ce,
                unit=CREDITS,
                due_on=due_on or cycle.ends_on,
            )
        )
    if cycle.consultation < need_talk:
        items.append(
            new_item(
                f"consultation.{kind}",
                f"Consultation hours for the {span}: {hours(cycle.consultation)} of "
                f"{hours(need_talk)}{lapse}.",
                key=key,
                amount=need_talk - cycle.consultation,
                unit=HOURS,
                due_on=due_on or cycle.ends_on,
            )
        )
    return items


def _ratio(have: Decimal, need: Decimal) -> float:
    return 1.0 if need <= 0 else float(min(have / need, Decimal(1)))


def certificate_status(
    facts: EnrollmentFacts, items: list[OutstandingItem], today: date
) -> CertificateStatus | None:
    """Revoked, else expired (past `expires_on`), else lapsed (a lapse item stands), else valid."""
    cert = facts.certificate
    if cert is None:
        return None
    if cert.revoked:
        return CertificateStatus.REVOKED
    if cert.expires_on is not None and today > cert.expires_on:
        return CertificateStatus.EXPIRED
    if any(i.code in ("ce.lapsed", "consultation.lapsed") for i in items):
        return CertificateStatus.LAPSED
    return CertificateStatus.VALID
