"""Step 3: the application, as one list of parts (each done, waiting on staff, or missing).

The application page, the trainee's home and the submit check all read these parts, so the
count a person sees is the same everywhere; the engine's rule for the step is built on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tracker.progress.facts import ADMITTED
from tracker.progress.facts import ALTERNATIVE_APPROVED
from tracker.progress.facts import ALTERNATIVE_PENDING
from tracker.progress.facts import APPLICANT
from tracker.progress.facts import SUBMITTED
from tracker.progress.facts import WITHDRAWN
from tracker.progress.facts import ApplicationDocument
from tracker.progress.facts import EnrollmentFacts
from tracker.progress.items import COUNT
from tracker.progress.items import OutstandingItem
from tracker.progress.items import new_item
from tracker.progress.requirements import DOCUMENT_LABELS
from tracker.progress.requirements import RequirementSpec
from tracker.progress.results import Draft
from tracker.progress.text import day

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
