"""The progress engine: an enrollment's facts, its requirement set and today, in; Progress, out.

Plain Python over plain data: no database, no request, no clock (the caller passes `today`).

How a step's status is decided, in this order:

0. A waiver applies up to its last day (`waiver_last_days`, inclusive); after it, it is as if
   there were none.
1. `waived` when staff waived the step (waivers keyed by its number): its items are dropped and
   it counts as done for the steps that depend on it.
2. Items whose code ("didactic.topic_short") or code and key ("didactic.topic_short:routes")
   is waived are dropped, except the few codes the catalogue marks as not waivable.
3. `complete` when no blocking item is left and the rule has nothing else pending. A complete
   step is never shown as blocked; warnings and information stay on it.
4. `blocked` when a dependency is unmet; a blocked step shows why in its summary and drops its
   own items (they are not actionable yet). Dependencies:
   - steps 1-3 have none;
   - steps 4-7 need admission (status `admitted`);
   - step 8 needs admission and steps 1-7 each complete or waived;
   - step 9 needs an issued certificate that is not revoked;
   - a declined or withdrawn enrollment blocks every step that is not complete or waived and
     keeps a single information item (`application.declined` on step 3, or
     `enrollment.withdrawn` on the first blocked step).
5. Otherwise `in_progress` when the trainee has started the step, else `not_started`.

Upcoming: while an admitted enrollment's cohort has not started, the blocking items of steps 5-7
cannot be acted on yet; they keep the step from completing but show as `upcoming`, not as
blocking (blocking means: holds progress now). A blocked step (4) drops its items instead.

The fraction of a complete or waived step is 1; any other step is capped just below 1 so a bar
never looks full while something is missing.

Cross-cutting items: `pace.behind` and `activity.none_recent` apply to an admitted, uncertified
enrollment whose training (steps 5-7) is not all done; they go on the first of steps 5-7 not done.
While the enrollment is on leave of absence neither arises (its clocks are paused, and the days
of leave are left out of both afterwards); `leave.current` (and `leave.return_overdue` once the
expected return has passed) go on the first of steps 5-7 not done instead (else financing when
it is not done, else step 8, or 9 once certified). A withdrawn or paused enrollment has no
overdue training item (see `life_rules` for the states); money owed on a payment plan stays
owed during a leave.

The certificate shows as lapsed only while a lapse item stands: waiving step 9 or the code
("ce.lapsed") is how staff excuse a missed cycle.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from datetime import date
from typing import Any

from tracker.progress import admission_rules
from tracker.progress import application_rules
from tracker.progress import certification_rules
from tracker.progress import training_rules
from tracker.progress.facts import DECLINED
from tracker.progress.facts import WITHDRAWN
from tracker.progress.facts import EnrollmentFacts
from tracker.progress.horizon import holds_until
from tracker.progress.items import ITEM_CODES
from tracker.progress.items import STEP_TITLES
from tracker.progress.items import OutstandingItem
from tracker.progress.items import Severity
from tracker.progress.items import Step
from tracker.progress.items import StepStatus
from tracker.progress.items import new_item
from tracker.progress.life_rules import ON_LEAVE
from tracker.progress.life_rules import leave_items
from tracker.progress.life_rules import life_state
from tracker.progress.requirements import RequirementSpec
from tracker.progress.results import Draft
from tracker.progress.results import Progress
from tracker.progress.results import StepResult
from tracker.progress.text import listing

Rule = Callable[[EnrollmentFacts, RequirementSpec, date], Draft]

EARLY_RULES: dict[int, Rule] = {
    1: admission_rules.eligibility,
    2: admission_rules.program_selection,
    3: application_rules.application,
    4: admission_rules.financing,
    5: training_rules.didactic,
    6: training_rules.experiential,
    7: training_rules.supervised_practice,
}
NEEDS_ADMISSION = (4, 5, 6, 7, 8)
TRAINING_STEPS = (5, 6, 7)
ALMOST_FULL = 0.99


def compute(
    facts: EnrollmentFacts, spec: RequirementSpec, today: date, *, horizon: bool = True
) -> Progress:
    """Turn one enrollment's facts and its pinned requirement set into its Progress on `today`.

    With `horizon` False, `holds_until` (how long the verdict holds, which only the stored
    snapshots need) is left None and not worked out: a page that shows the verdict spares the
    work."""
    waivers = normalise_waivers(waivers_in_force(facts, today))
    state = life_state(facts, today)
    drafts = {number: rule(facts, spec, today) for number, rule in EARLY_RULES.items()}
    eight = certification_rules.final_assessment(facts, spec, today)
    nine = certification_rules.ongoing_education(facts, spec, today)
    if state == ON_LEAVE:
        _add_leave(facts, today, drafts, eight, nine, waivers)
    else:
        _add_cross_cutting(facts, spec, today, drafts, waivers)
    results: list[StepResult] = []
    for number in range(1, 8):
        results.append(_finish(number, drafts[number], waivers, _dependency(facts, number, [])))
    earlier = [r for r in results if not r.done]
    if facts.admitted and facts.certificate is None and not earlier and not _blocks(eight, waivers):
        eight.items.append(
            new_item("certificate.issue", "Everything is met: issue the certificate.")
        )
    results.append(_finish(8, eight, waivers, _dependency(facts, 8, earlier)))
    results.append(_finish(9, nine, waivers, _dependency(facts, 9, earlier)))
    if facts.status in (DECLINED, WITHDRAWN):
        results = _close(facts, results)
    elif cohort_ahead(facts, today):
        results = [_as_upcoming(r) if r.number in TRAINING_STEPS else r for r in results]
    all_items = [i for r in results for i in r.items]
    return Progress(
        enrollment_id=facts.enrollment_id,
        today=today,
        steps=tuple(results),
        certificate_status=certification_rules.certificate_status(facts, all_items, today),
        ready_for_certificate=_ready(facts, results),
        state=state,
        holds_until=holds_until(facts, spec, today) if horizon else None,
    )


def compute_many(
    enrollments: Iterable[tuple[EnrollmentFacts, RequirementSpec]], today: date
) -> list[Progress]:
    """Compute the Progress of each (facts, spec) pair, in order."""
    return [compute(facts, spec, today) for facts, spec in enrollments]


def waivers_in_force(facts: EnrollmentFacts, today: date) -> dict[int | str, str]:
    """The waivers of `facts` that still apply on `today`: those without a last day, or whose
    last day is today or later."""
    last_days = normalise_waivers(facts.waiver_last_days)
    return {
        key: reason
        for key, reason in facts.waivers.items()
        if (last := last_days.get(normalise_key(key))) is None or today <= last
    }


def normalise_key(key: int | str) -> int | str:
    """A waiver key as the engine matches it: a step number as int ("5" -> 5), a code as text."""
    if isinstance(key, str) and key.strip().isdigit():
        return int(key.strip())
    return key


def normalise_waivers(waivers: Mapping[int | str, Any]) -> dict[int | str, Any]:
    """Waiver keys as the engine matches them: step numbers as int ("5" -> 5), codes as text."""
    return {normalise_key(key): value for key, value in waivers.items()}


def is_waived(item: OutstandingItem, waivers: Mapping[int | str, str]) -> bool:
    """True when `item`'s code, or its code and key, is waived and the code may be waived."""
    if not ITEM_CODES[item.code].waivable:
        return False
    return item.code in waivers or f"{item.code}:{item.key}" in waivers


def cohort_ahead(facts: EnrollmentFacts, today: date) -> bool:
    """True when the enrollment is admitted and its cohort starts after `today`."""
    start = facts.cohort_starts_on
    return facts.admitted and start is not None and today < start


def _as_upcoming(result: StepResult) -> StepResult:
    items = tuple(
        dataclasses.replace(i, severity=Severity.UPCOMING) if i.severity == Severity.BLOCKING else i
        for i in result.items
    )
    return dataclasses.replace(result, items=items)


def _dependency(facts: EnrollmentFacts, number: int, earlier: list[StepResult]) -> str | None:
    if number in NEEDS_ADMISSION and not facts.admitted:
        return "Starts after admission"
    if number == 8 and earlier:
        numbers = [str(r.number) for r in earlier]
        return f"Needs step{'s' if len(numbers) > 1 else ''} {listing(numbers)} first"
    if number == 9 and (facts.certificate is None or facts.certificate.revoked):
        return "Starts once the certificate is issued"
    return None


def _finish(
    number: int, draft: Draft, waivers: Mapping[int | str, str], blocked_by: str | None
) -> StepResult:
    title = STEP_TITLES[Step(number)]
    if number in waivers:
        reason = waivers[number]
        return StepResult(
            number, title, StepStatus.WAIVED, 1.0, f"Waived: {reason}", (), waiver_reason=reason
        )
    items = tuple(i for i in draft.items if not is_waived(i, waivers))
    blocking = any(i.severity == Severity.BLOCKING for i in items)
    fraction = min(max(draft.fraction, 0.0), ALMOST_FULL)
    if draft.settled and not blocking:
        return StepResult(number, title, StepStatus.COMPLETE, 1.0, draft.summary, items)
    if blocked_by is not None:
        return StepResult(number, title, StepStatus.BLOCKED, round(fraction, 4), blocked_by)
    status = StepStatus.IN_PROGRESS if draft.started else StepStatus.NOT_STARTED
    return StepResult(number, title, status, round(fraction, 4), draft.summary, items)


def _add_cross_cutting(
    facts: EnrollmentFacts,
    spec: RequirementSpec,
    today: date,
    drafts: dict[int, Draft],
    waivers: Mapping[int | str, str],
) -> None:
    if not facts.admitted or facts.certificate is not None:
        return
    open_steps = [n for n in (5, 6, 7) if not _done_already(drafts[n], n, waivers)]
    if not open_steps:
        return
    pace_step = next((n for n in open_steps if n in (5, 6)), open_steps[0])
    pace = training_rules.pace_item(facts, spec, today, pace_step)
    if pace:
        drafts[pace_step].items.append(pace)
    idle = training_rules.activity_item(facts, spec, today, open_steps[0])
    if idle:
        drafts[open_steps[0]].items.append(idle)


def _add_leave(
    facts: EnrollmentFacts,
    today: date,
    drafts: dict[int, Draft],
    eight: Draft,
    nine: Draft,
    waivers: Mapping[int | str, str],
) -> None:
    """Put the leave's items on the first of steps 5-7 not done, else on financing (4) when it
    is not done, else on step 8 (before the certificate) or 9 (after it)."""
    open_steps = [n for n in (*TRAINING_STEPS, 4) if not _done_already(drafts[n], n, waivers)]
    if open_steps:
        target, draft = open_steps[0], drafts[open_steps[0]]
    elif facts.certificate is None:
        target, draft = 8, eight
    else:
        target, draft = 9, nine
    draft.items.extend(leave_items(facts, today, target))


def _blocks(draft: Draft, waivers: Mapping[int | str, str]) -> bool:
    return any(i.severity == Severity.BLOCKING and not is_waived(i, waivers) for i in draft.items)


def _done_already(draft: Draft, number: int, waivers: Mapping[int | str, str]) -> bool:
    return number in waivers or (draft.settled and not _blocks(draft, waivers))


def _close(facts: EnrollmentFacts, results: list[StepResult]) -> list[StepResult]:
    declined = facts.status == DECLINED
    reason = "Application declined" if declined else "Enrollment withdrawn"
    closed = [
        r if r.done else StepResult(r.number, r.title, StepStatus.BLOCKED, r.fraction, reason)
        for r in results
    ]
    blocked = [r.number for r in closed if r.status == StepStatus.BLOCKED]
    if not blocked:
        return closed
    target = 3 if declined and 3 in blocked else blocked[0]
    code = "application.declined" if declined else "enrollment.withdrawn"
    item = new_item(code, f"{reason}.", step=target)
    closed[target - 1] = dataclasses.replace(closed[target - 1], items=(item,))
    return closed


def _ready(facts: EnrollmentFacts, results: list[StepResult]) -> bool:
    """Ready for the certificate: admitted, none issued, steps 1-7 done, step 8 only lacks it."""
    if not facts.admitted or facts.certificate is not None:
        return False
    if not all(r.done for r in results[:7]):
        return False
    eight = results[7]
    # certificate.issue is only added when nothing else blocks step 8.
    return eight.status == StepStatus.WAIVED or any(
        i.code == "certificate.issue" for i in eight.items
    )
