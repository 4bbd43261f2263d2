"""Steps 1, 2 and 4: eligibility, program selection and financing (the application, step 3, is
in `application_rules`).

Each rule returns a Draft: its items, a progress fraction, a summary and whether the trainee has
started the step. Waivers and dependencies are applied afterwards by the engine.
"""

from __future__ import annotations

from datetime import date

from tracker.progress.credentials import covered_until
from tracker.progress.credentials import insurance_periods
from tracker.progress.credentials import licence_periods
from tracker.progress.credentials import usable_licences
from tracker.progress.facts import ALTERNATIVE_APPROVED
from tracker.progress.facts import ALTERNATIVE_PENDING
from tracker.progress.facts import ALTERNATIVE_REFUSED
from tracker.progress.facts import STANDARD
from tracker.progress.facts import EnrollmentFacts
from tracker.progress.items import CENTS
from tracker.progress.items import OutstandingItem
from tracker.progress.items import new_item
from tracker.progress.requirements import RequirementSpec
from tracker.progress.results import Draft
from tracker.progress.results import Progress
from tracker.progress.text import day
from tracker.progress.text import listing
from tracker.progress.text import money
from tracker.progress.text import plural

# The reviews admission waits on: an item of one of these codes still standing (not waived)
# means a document, the licence, the insurance or the health screening is not reviewed.
ADMISSION_REVIEWS = {
    "document.missing": "documents",
    "document.rejected": "documents",
    "document.pending": "documents",
    "license.missing": "licence",
    "license.incomplete": "licence",
    "license.unverified": "licence",
    "license.expired": "licence",
    "pathway.pending": "licence",
    "insurance.missing": "insurance",
    "insurance.unverified": "insurance",
    "insurance.expired": "insurance",
    "health.unattested": "health clearance",
    "health.pending": "health clearance",
    "health.not_cleared": "health clearance",
}


def admission_missing(progress: Progress) -> tuple[OutstandingItem, ...]:
    """What keeps an application from being admitted: the review items (documents, licence,
    insurance, health clearance, as the requirement set names them) still standing on steps 1
    and 3 once waivers are applied. Empty when every review is done or waived."""
    return tuple(
        item
        for step in progress.steps[:3]
        if not step.done
        for item in step.items
        if item.code in ADMISSION_REVIEWS
    )


def eligibility(facts: EnrollmentFacts, spec: RequirementSpec, today: date) -> Draft:
    """Step 1: licence, insurance, experience, health screening and the pathway decision.

    Licence and insurance must be valid today (see `credentials`); one valid until within
    `spec.expiry_warning_days` days (inclusive, counting renewals that follow on) gets an
    `*.expiring` warning due on its last valid day. An alternative pathway waiting for a decision
    replaces the licence check with `pathway.pending`; once approved no licence is required;
    once refused the standard licence rules apply.
    """
    items: list[OutstandingItem] = []
    checks: list[bool] = []
    if facts.pathway == ALTERNATIVE_PENDING:
        items.append(
            new_item(
                "pathway.pending",
                "The request for the alternative pathway waits for a staff decision.",
                waiting_since=facts.applied_on,
            )
        )
        checks.append(False)
    elif facts.pathway == ALTERNATIVE_APPROVED:
        checks.append(True)
    else:
        checks.append(_licence(facts, spec, today, items))
    checks.append(_insurance(facts, spec, today, items))
    checks.append(facts.experience_attested)
    if not facts.experience_attested:
        items.append(new_item("experience.unattested", "Attest your psychotherapy experience."))
    if spec.health_screening_required:
        checks.append(facts.health_screening == "cleared")
        _health(facts, items)
    met = sum(checks)
    started = bool(
        facts.licences
        or facts.insurances
        or facts.experience_attested
        or facts.health_screening != "none"
        or facts.pathway != STANDARD
    )
    summary = "Eligible" if met == len(checks) else f"{met} of {len(checks)} conditions met"
    return Draft(items, met / len(checks), summary, started)


def _warn_expiry(
    code: str,
    text: str,
    until: date,
    today: date,
    spec: RequirementSpec,
    items: list[OutstandingItem],
) -> None:
    """Warn (`code`, `text` with the date) when cover that lasts `until` ends within the
    requirement set's warning period."""
    if (until - today).days <= spec.expiry_warning_days:
        items.append(new_item(code, text.format(day(until)), due_on=until))


def _licence(
    facts: EnrollmentFacts, spec: RequirementSpec, today: date, items: list[OutstandingItem]
) -> bool:
    until = covered_until(licence_periods(usable_licences(facts, spec)), today)
    if until is not None:
        _warn_expiry(
            "license.expiring",
            "Your licence expires on {}: upload the renewed licence.",
            until,
            today,
            spec,
            items,
        )
        return True
    accepted = [lic for lic in facts.licences if lic.type in spec.accepted_licence_types]
    current = [lic for lic in accepted if lic.expires_on is None or lic.expires_on >= today]
    waiting = [lic for lic in current if lic.complete and not lic.verified]
    incomplete = [lic for lic in current if not lic.complete]
    expired = [lic.expires_on for lic in accepted if lic.expires_on and lic.expires_on < today]
    future = [
        lic.issued_on
        for lic in current
        if lic.complete and lic.verified and lic.issued_on and lic.issued_on > today
    ]
    if waiting:
        items.append(
            new_item(
                "license.unverified",
                f"Verify the {waiting[0].type} licence in {waiting[0].jurisdiction}.",
            )
        )
    elif incomplete:
        lic = incomplete[0]
        missing = [
            name
            for name, present in (
                ("number", lic.number_present),
                ("jurisdiction", bool(lic.jurisdiction)),
                ("expiry date", lic.expires_on is not None),
            )
            if not present
        ]
        items.append(
            new_item("license.incomplete", f"Your {lic.type} licence lacks its {listing(missing)}.")
        )
    elif future:
        first = min(future)
        items.append(
            new_item("license.missing", f"Your licence is only in force from {day(first)}.")
        )
    elif expired:
        last = max(expired)
        items.append(
            new_item("license.expired", f"Your licence expired on {day(last)}.", due_on=last)
        )
    else:
        others = sorted({lic.type for lic in facts.licences} - set(spec.accepted_licence_types))
        if facts.pathway == ALTERNATIVE_REFUSED:
            text = "The alternative pathway was refused: add a licence of an accepted type."
        elif others:
            verb = "is not a licence type" if len(others) == 1 else "are not licence types"
            text = f"{listing(others)} {verb} this program accepts."
        else:
            text = "Add your professional licence (type, number, jurisdiction, expiry)."
        items.append(new_item("license.missing", text))
    return False


def _insurance(
    facts: EnrollmentFacts, spec: RequirementSpec, today: date, items: list[OutstandingItem]
) -> bool:
    until = covered_until(insurance_periods(facts.insurances), today)
    if until is not None:
        _warn_expiry(
            "insurance.expiring",
            "Your liability insurance ends on {}: upload the renewal.",
            until,
            today,
            spec,
            items,
        )
        return True
    waiting = [i for i in facts.insurances if not i.verified and i.starts_on <= today <= i.ends_on]
    ended = [i.ends_on for i in facts.insurances if i.ends_on < today]
    future = [i.starts_on for i in facts.insurances if i.starts_on > today]
    if waiting:
        items.append(new_item("insurance.unverified", "Verify the liability insurance."))
    elif ended:
        last = max(ended)
        items.append(
            new_item(
                "insurance.expired", f"Your liability insurance ended on {day(last)}.", due_on=last
            )
        )
    elif future:
        items.append(
            new_item(
                "insurance.missing",
                f"Your liability insurance only starts on {day(min(future))}.",
            )
        )
    else:
        items.append(new_item("insurance.missing", "Add your professional liability insurance."))
    return False


def _health(facts: EnrollmentFacts, items: list[OutstandingItem]) -> None:
    state = facts.health_screening
    if state == "none":
        items.append(new_item("health.unattested", "Complete the health-screening attestation."))
    elif state == "attested":
        items.append(new_item("health.pending", "Review the health-screening attestation."))
    elif state == "not_cleared":
        items.append(
            new_item("health.not_cleared", "The health screening was not cleared: follow up.")
        )


def program_selection(facts: EnrollmentFacts, spec: RequirementSpec, today: date) -> Draft:
    """Step 2: complete when a track and a cohort (its start date) are chosen."""
    items: list[OutstandingItem] = []
    parts: list[str] = []
    if facts.track is None:
        items.append(new_item("track.missing", "Choose a track: online, hybrid or retreat."))
    else:
        name = facts.track.name or f"{facts.track.format.capitalize()} track"
        parts.append(f"{name}, {money(facts.track.tuition_cents)}")
    if facts.cohort_starts_on is None:
        items.append(new_item("cohort.missing", "Choose a cohort."))
    elif facts.cohort_ends_on is None:
        parts.append(f"cohort starting {day(facts.cohort_starts_on)}")
    else:
        parts.append(f"cohort {day(facts.cohort_starts_on)} to {day(facts.cohort_ends_on)}")
    met = (facts.track is not None) + (facts.cohort_starts_on is not None)
    summary = "; ".join(parts) if parts else "No track or cohort chosen"
    return Draft(items, met / 2, summary, started=met > 0)


def financing(facts: EnrollmentFacts, spec: RequirementSpec, today: date) -> Draft:
    """Step 4: complete when the balance is zero or less, or on a plan with nothing overdue.

    An instalment is overdue from the day after its due date while part of it is uncovered
    (`instalment.overdue`, blocking, one per instalment keyed by due date). A track with tuition
    but nothing charged yet waits on staff (`tuition.uncharged`) rather than counting as paid;
    with no track chosen and nothing charged the step is not complete either.
    """
    ledger = facts.ledger
    items: list[OutstandingItem] = []
    balance = ledger.balance_cents
    tuition = facts.track.tuition_cents if facts.track else 0
    started = bool(ledger.charges_cents or ledger.credits_cents or ledger.instalments)
    paid = ledger.credits_cents / ledger.charges_cents if ledger.charges_cents > 0 else 0.0
    if ledger.charges_cents == 0 and facts.track is None:
        # Nothing is owed yet because nothing was chosen: not "paid in full".
        return Draft(items, 0.0, "Tuition follows the track", started, settled=False)
    if ledger.charges_cents == 0 and tuition > 0:
        items.append(
            new_item(
                "tuition.uncharged",
                f"Charge the tuition of {money(tuition)} to the ledger.",
                amount=tuition,
                unit=CENTS,
            )
        )
        return Draft(items, 0.0, "Tuition not charged yet", started)
    if balance <= 0:
        summary = "Paid in full" if ledger.charges_cents else "Nothing to pay"
        return Draft(items, 1.0, summary, started)
    owed = [i for i in ledger.instalments if i.outstanding_cents > 0]
    if not ledger.instalments:
        items.append(
            new_item(
                "balance.due",
                f"Balance due: {money(balance)} of {money(ledger.charges_cents)}.",
                amount=balance,
                unit=CENTS,
            )
        )
        return Draft(items, min(paid, 1.0), f"{money(balance)} due", started)
    for instalment in sorted(owed, key=lambda i: i.due_on):
        if instalment.due_on < today:
            items.append(
                new_item(
                    "instalment.overdue",
                    f"Instalment of {money(instalment.amount_cents)} due on "
                    f"{day(instalment.due_on)}: {money(instalment.outstanding_cents)} overdue.",
                    key=instalment.due_on.isoformat(),
                    amount=instalment.outstanding_cents,
                    unit=CENTS,
                    due_on=instalment.due_on,
                )
            )
    upcoming = sorted((i for i in owed if i.due_on >= today), key=lambda i: i.due_on)
    if upcoming:
        nxt = upcoming[0]
        items.append(
            new_item(
                "instalment.upcoming",
                f"Next instalment: {money(nxt.outstanding_cents)} due on {day(nxt.due_on)}.",
                key=nxt.due_on.isoformat(),
                amount=nxt.outstanding_cents,
                unit=CENTS,
                due_on=nxt.due_on,
            )
        )
    overdue = sum(i.code == "instalment.overdue" for i in items)
    summary = f"Payment plan: {money(balance)} left" + (
        f", {plural(overdue, 'instalment')} overdue" if overdue else ", in good standing"
    )
    return Draft(items, min(paid, 1.0), summary, started)
