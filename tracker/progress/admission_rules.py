"""Steps 1-4: eligibility, program selection, application and financing.

Each rule returns a Draft: its items, a progress fraction, a summary and whether the trainee has
started the step. Waivers and dependencies are applied afterwards by the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tracker.progress.credentials import (
    covered_until,
    insurance_periods,
    licence_periods,
    usable_licences,
)
from tracker.progress.facts import (
    ADMITTED,
    ALTERNATIVE_APPROVED,
    ALTERNATIVE_PENDING,
    ALTERNATIVE_REFUSED,
    APPLICANT,
    STANDARD,
    SUBMITTED,
    WITHDRAWN,
    ApplicationDocument,
    EnrollmentFacts,
)
from tracker.progress.items import CENTS, COUNT, OutstandingItem, new_item
from tracker.progress.requirements import DOCUMENT_LABELS, RequirementSpec
from tracker.progress.results import Draft
from tracker.progress.text import day, listing, money, plural


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


def _licence(
    facts: EnrollmentFacts, spec: RequirementSpec, today: date, items: list[OutstandingItem]
) -> bool:
    until = covered_until(licence_periods(usable_licences(facts, spec)), today)
    if until is not None:
        if (until - today).days <= spec.expiry_warning_days:
            items.append(
                new_item(
                    "license.expiring",
                    f"Your licence expires on {day(until)}: upload the renewed licence.",
                    due_on=until,
                )
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
        if (until - today).days <= spec.expiry_warning_days:
            items.append(
                new_item(
                    "insurance.expiring",
                    f"Your liability insurance ends on {day(until)}: upload the renewal.",
                    due_on=until,
                )
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


DONE = "done"
WAITING = "waiting"
MISSING = "missing"


@dataclass(frozen=True)
class ApplicationPart:
    """One part of the application and where it stands: `done`, `waiting` (on staff) or
    `missing` (the trainee must act). `message` is the sentence every page shows for it."""

    key: str
    label: str
    state: str
    detail: str

    @property
    def message(self) -> str:
        """ "Curriculum vitae: waiting for review.": the part's label and where it stands."""
        return f"{self.label}: {self.detail}."

    @property
    def done(self) -> bool:
        """True when the part is complete (accepted, given, answered, admitted)."""
        return self.state == DONE


def application_parts(
    facts: EnrollmentFacts, spec: RequirementSpec, today: date
) -> list[ApplicationPart]:
    """The parts of step 3, in order: each required document, the references, each ethical
    scenario, then the admission decision.

    For each required kind the latest upload decides: accepted is done, rejected is missing
    (a new one is needed), anything else waits on staff. An uploaded document is therefore
    never done before staff accept it, and never missing either. The licence and insurance
    documents travel with their records when the records say so (`has_document`): only a
    current record counts, done once staff verified it.
    """
    parts: list[ApplicationPart] = []
    for kind in spec.documents_required:
        label = DOCUMENT_LABELS.get(kind, kind)
        records = [d for d in facts.documents if d.kind == kind]
        key = f"document:{kind}"
        credential = _credential_part(facts, spec, today, kind, key, label)
        if credential is not None:
            parts.append(credential)
        elif any(d.status == "accepted" for d in records):
            parts.append(ApplicationPart(key, label, DONE, "accepted"))
        elif not records:
            parts.append(ApplicationPart(key, label, MISSING, "not uploaded yet"))
        elif _latest(records).status == "rejected":
            text = "returned by staff, upload a new one"
            parts.append(ApplicationPart(key, label, MISSING, text))
        else:
            parts.append(ApplicationPart(key, label, WAITING, "waiting for review"))
    if spec.references_required:
        need = spec.references_required
        have = min(facts.references_received, need)
        parts.append(
            ApplicationPart(
                "references",
                "Professional references",
                DONE if have >= need else MISSING,
                f"{have} of {need} given",
            )
        )
    for number, scenario in enumerate(spec.ethical_scenarios, start=1):
        label = f"Ethical scenario {number}"
        answered = scenario.code in facts.answered_scenarios
        parts.append(
            ApplicationPart(
                f"scenario:{scenario.code}",
                label,
                DONE if answered else MISSING,
                "answered" if answered else "not answered yet",
            )
        )
    # A withdrawn enrollment that had been admitted keeps its application complete.
    admitted = facts.status == ADMITTED or (facts.status == WITHDRAWN and bool(facts.admitted_on))
    if admitted:
        parts.append(ApplicationPart("admission", "Admission", DONE, "admitted"))
    elif facts.status == SUBMITTED:
        text = "waiting for the decision"
        parts.append(ApplicationPart("admission", "Admission", WAITING, text))
    else:
        text = "decided by staff once the application is submitted"
        parts.append(ApplicationPart("admission", "Admission", WAITING, text))
    return parts


def _credential_part(
    facts: EnrollmentFacts, spec: RequirementSpec, today: date, kind: str, key: str, label: str
) -> ApplicationPart | None:
    if kind == "licence":
        records = [lic for lic in facts.licences if lic.type in spec.accepted_licence_types]
        current = [lic for lic in records if lic.expires_on is None or lic.expires_on >= today]
        where = "your licence record"
    elif kind == "insurance":
        records = list(facts.insurances)
        current = [i for i in records if i.ends_on >= today]
        where = "your insurance policy"
    else:
        return None
    if not any(r.has_document for r in facts.licences + facts.insurances):
        return None  # facts that carry the documents in `documents` instead
    carried = [r for r in current if r.has_document]
    if any(r.verified for r in carried):
        return ApplicationPart(key, label, DONE, "accepted")
    if carried:
        return ApplicationPart(key, label, WAITING, "waiting for review")
    return ApplicationPart(key, label, MISSING, f"upload it with {where}")


def _latest(records: list[ApplicationDocument]) -> ApplicationDocument:
    return max(enumerate(records), key=lambda p: (p[1].submitted_on or date.min, p[0]))[1]


def parts_summary(parts: list[ApplicationPart]) -> str:
    """ "N of M parts done": the count every page shows for the application."""
    return f"{sum(p.done for p in parts)} of {len(parts)} parts done"


def submission_checks(
    facts: EnrollmentFacts, spec: RequirementSpec, today: date
) -> list[ApplicationPart]:
    """What must be on record before the application can be submitted, besides its own parts:
    a track and cohort, a licence of an accepted type not expired (unless an alternative
    pathway is requested or approved), insurance not ended, experience attested, and the health
    screening signed where the requirement set asks for it. Staff verify these later (step 1)."""
    checks: list[tuple[str, str, bool, str, str]] = [
        (
            "selection",
            "Program track and cohort",
            facts.track is not None and facts.cohort_starts_on is not None,
            "chosen",
            "choose a track and a cohort",
        )
    ]
    if facts.pathway in (ALTERNATIVE_PENDING, ALTERNATIVE_APPROVED):
        checks.append(
            (
                "licence",
                "Licence",
                True,
                "alternative pathway: program staff decide on eligibility",
                "",
            )
        )
    else:
        accepted = spec.accepted_licence_types
        current = any(
            lic.type in accepted and (lic.expires_on is None or lic.expires_on >= today)
            for lic in facts.licences
        )
        checks.append(
            (
                "licence",
                "Licence of an accepted type, not expired",
                current,
                "recorded",
                f"record a current licence ({', '.join(accepted)})",
            )
        )
    insured = any(i.ends_on >= today for i in facts.insurances)
    checks.append(
        (
            "insurance",
            "Professional liability insurance, not expired",
            insured,
            "recorded",
            "record your current insurance policy",
        )
    )
    checks.append(
        (
            "experience",
            "Psychotherapy experience attested",
            facts.experience_attested,
            "attested",
            "attest your psychotherapy experience",
        )
    )
    if spec.health_screening_required:
        checks.append(
            (
                "health",
                "Health screening signed",
                facts.health_screening != "none",
                "signed",
                "answer and sign the health screening",
            )
        )
    return [
        ApplicationPart(key, label, DONE if ok else MISSING, yes if ok else no)
        for key, label, ok, yes, no in checks
    ]


def application(facts: EnrollmentFacts, spec: RequirementSpec, today: date) -> Draft:
    """Step 3: the parts of `application_parts`, then admission.

    Each missing part asks the trainee to act, each waiting document waits on staff. When
    nothing is missing and `submission_checks` pass, an applicant is asked to submit
    (`application.unsubmitted`); a
    submitted application with every document accepted waits on staff for the decision
    (`admission.pending`, waiting since `applied_on`). A declined or withdrawn enrollment is
    handled by the engine.
    """
    items: list[OutstandingItem] = []
    parts = application_parts(facts, spec, today)
    for part in parts:
        if part.done or part.key == "admission":
            continue
        if part.key.startswith("document:"):
            kind = part.key.split(":", 1)[1]
            records = [d for d in facts.documents if d.kind == kind]
            if part.state == WAITING:
                since = _latest(records).submitted_on
                items.append(
                    new_item("document.pending", part.message, key=kind, waiting_since=since)
                )
            elif records and _latest(records).status == "rejected":
                items.append(new_item("document.rejected", part.message, key=kind))
            else:
                items.append(new_item("document.missing", part.message, key=kind))
        elif part.key == "references":
            need = spec.references_required
            have = min(facts.references_received, need)
            items.append(
                new_item("reference.missing", part.message, amount=need - have, unit=COUNT)
            )
        else:
            code = part.key.split(":", 1)[1]
            items.append(new_item("scenario.unanswered", part.message, key=code))
    outstanding = any(p.state == MISSING for p in parts if p.key != "admission")
    admission = parts[-1]
    admitted = admission.done
    pending_review = any(i.code == "document.pending" for i in items)
    if not admitted and not outstanding:
        # Submitting also needs the records of submission_checks (their items are on steps
        # 1-2): until then, asking to submit would only earn a refusal.
        if facts.status == APPLICANT and all(c.done for c in submission_checks(facts, spec, today)):
            items.append(
                new_item("application.unsubmitted", "Everything is in: submit your application.")
            )
        elif facts.status == SUBMITTED and not pending_review:
            items.append(
                new_item(
                    "admission.pending",
                    "The application is complete and waits for the admission decision.",
                    waiting_since=facts.applied_on,
                )
            )
    summary = parts_summary(parts)
    if admitted:
        summary = f"Admitted on {day(facts.admitted_on)}" if facts.admitted_on else "Admitted"
    elif facts.status == SUBMITTED:
        when = f" on {day(facts.applied_on)}" if facts.applied_on else ""
        summary = f"Submitted{when}; {summary}"
    fraction = _fraction(parts, facts, spec)
    started = bool(
        facts.documents
        or facts.references_received
        or facts.answered_scenarios
        or facts.status != APPLICANT
    )
    # Without admission the step is never complete, whatever else is in.
    return Draft(items, fraction, summary, started, settled=admitted)


def _fraction(parts: list[ApplicationPart], facts: EnrollmentFacts, spec: RequirementSpec) -> float:
    """Done parts over all parts; references count in proportion to those given."""
    scores = []
    for part in parts:
        if part.key == "references":
            need = spec.references_required
            scores.append(min(facts.references_received, need) / need)
        else:
            scores.append(float(part.done))
    return sum(scores) / len(scores)


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
