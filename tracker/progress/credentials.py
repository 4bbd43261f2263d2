"""When a trainee's licence and insurance are valid: used by eligibility and supervised practice.

A licence counts when its type is one the requirement set accepts, staff verified it, it is
complete (number, jurisdiction, expiry) and the day falls between `issued_on` (when known) and
`expires_on`, both inclusive: a licence expiring today is still valid today. An insurance counts
when staff verified it and the day falls within `starts_on`..`ends_on`, inclusive. On an approved
alternative pathway the staff decision takes the place of the licence.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from datetime import timedelta

from tracker.progress.facts import ALTERNATIVE_APPROVED
from tracker.progress.facts import EnrollmentFacts
from tracker.progress.facts import Insurance
from tracker.progress.facts import Licence
from tracker.progress.requirements import RequirementSpec

Period = tuple[date | None, date]


def covered_until(periods: Iterable[Period], day: date) -> date | None:
    """Return the last day of continuous coverage from `day`, or None when `day` is uncovered.

    Periods (start, end) are inclusive; a start of None means "since ever". Back-to-back or
    overlapping periods chain, so a renewal that starts the day after the old one ends extends
    the coverage instead of triggering an expiry warning.
    """
    spans = list(periods)
    current = [end for start, end in spans if (start is None or start <= day) and day <= end]
    if not current:
        return None
    reach = max(current)
    while reach < date.max:
        following = reach + timedelta(days=1)
        later = [
            end for start, end in spans if (start is None or start <= following) and end > reach
        ]
        if not later:
            break
        reach = max(later)
    return reach


def usable_licences(facts: EnrollmentFacts, spec: RequirementSpec) -> list[Licence]:
    """Licences of an accepted type, complete and verified by staff."""
    return [
        lic
        for lic in facts.licences
        if lic.type in spec.accepted_licence_types and lic.verified and lic.complete
    ]


def licence_periods(licences: Iterable[Licence]) -> list[Period]:
    """The validity periods of `licences` (which must have an expiry)."""
    return [(lic.issued_on, lic.expires_on) for lic in licences if lic.expires_on is not None]


def insurance_periods(insurances: Iterable[Insurance]) -> list[Period]:
    """The coverage periods of verified `insurances`."""
    return [(ins.starts_on, ins.ends_on) for ins in insurances if ins.verified]


def licence_valid_on(facts: EnrollmentFacts, spec: RequirementSpec, day: date) -> bool:
    """True when a licence that counts (or an approved alternative pathway) covers `day`."""
    if facts.pathway == ALTERNATIVE_APPROVED:
        return True
    return any(
        (start is None or start <= day) and day <= end
        for start, end in licence_periods(usable_licences(facts, spec))
    )


def insurance_valid_on(facts: EnrollmentFacts, day: date) -> bool:
    """True when a verified insurance covers `day`."""
    return any(start <= day <= end for start, end in insurance_periods(facts.insurances))
