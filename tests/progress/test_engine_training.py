"""Steps 5-7: didactic hours, experiential learning, supervised practice."""

from __future__ import annotations

import dataclasses
from datetime import date
from datetime import timedelta
from decimal import Decimal

import pytest

from tracker.progress import CasePresentation
from tracker.progress import DidacticEntry
from tracker.progress import ExperientialEntry
from tracker.progress import Insurance
from tracker.progress import Licence
from tracker.progress import SupervisedSession
from tracker.progress import compute

TODAY = date(2025, 6, 1)
D = Decimal


def days(n: int) -> date:
    """The date `n` days from TODAY (negative: before)."""
    return TODAY + timedelta(days=n)


def replace_didactic(facts, topic: str, *entries: DidacticEntry):
    """`facts` with the didactic entries of `topic` replaced by `entries`."""
    kept = tuple(e for e in facts.didactic if e.topic != topic)
    return kept + entries


# -- step 5 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "short"),
    [(D("7.5"), D("4.5")), (D("11.75"), D("0.25")), (D(12), None), (D("12.25"), None)],
    ids=["7.5 of 12", "a quarter short", "exactly 12", "above"],
)
def test_topic_minimum(enrollments, spec, hours, short):
    """A topic below its minimum gives an item with the hours missing; exactly equal is met."""
    trained = enrollments.trained(TODAY)
    # Keep the total at 110 by moving the difference to another topic.
    didactic = replace_didactic(
        trained, "pharmacology", DidacticEntry("pharmacology", days(-3), hours)
    )
    didactic += (DidacticEntry("ethics", days(-3), D(36) - hours),)
    progress = compute(enrollments.trained(TODAY, didactic=didactic), spec, TODAY)
    item = progress.item("didactic.topic_short", "pharmacology")
    assert "didactic.total_short" not in progress.codes
    if short is None:
        assert item is None
        assert progress.step(5).status == "complete"
        return
    assert (item.amount_missing, item.unit, item.actor) == (short, "hours", "trainee")
    assert item.message == f"Pharmacology and mechanisms: {hours.normalize():f} of 12 hours"
    assert progress.step(5).status == "in_progress"


def test_total_short_counts_only_verified_hours(enrollments, spec):
    """Pending hours wait: the shortfall names them but they do not count."""
    trained = enrollments.trained(TODAY)
    didactic = replace_didactic(
        trained,
        "pharmacology",
        DidacticEntry("pharmacology", days(-3), D("12.5")),
        DidacticEntry("pharmacology", days(-3), D("23.5"), "pending", days(-2)),
    )
    progress = compute(enrollments.trained(TODAY, didactic=didactic), spec, TODAY)
    item = progress.item("didactic.total_short")
    assert item.amount_missing == D("23.5")
    assert item.message == (
        "Didactic training: 86.5 of 110 verified hours (23.5 waiting for verification)"
    )
    assert progress.step(5).summary == "86.5 of 110 verified hours, 23.5 waiting for verification"
    assert progress.step(5).status == "in_progress"
    assert 0.78 < progress.step(5).fraction < 0.79


def test_hours_beyond_a_topic_minimum_do_not_fill_another_topic(enrollments, spec):
    """110 verified hours with culture at 0 still misses culture."""
    trained = enrollments.trained(TODAY)
    didactic = (*replace_didactic(trained, "culture"), DidacticEntry("legal", days(-3), D(4)))
    progress = compute(enrollments.trained(TODAY, didactic=didactic), spec, TODAY)
    assert progress.item("didactic.topic_short", "culture").amount_missing == 4
    assert "didactic.total_short" not in progress.codes
    assert progress.step(5).fraction < 1


def test_returned_didactic_entry_goes_back_to_the_trainee(enrollments, spec):
    """A returned entry does not count and asks the trainee to correct it."""
    entry = DidacticEntry("legal", days(-3), D(2), "returned", days(-4), id=77)
    facts = enrollments.trained(TODAY)
    progress = compute(enrollments.trained(TODAY, didactic=(*facts.didactic, entry)), spec, TODAY)
    item = progress.item("didactic.returned", "77")
    assert (item.actor, item.severity) == ("trainee", "warning")
    assert progress.step(5).status == "complete"


def test_didactic_totals_follow_the_spec(enrollments, spec_with):
    """A program with a 90-hour total is complete at 110 hours, one with 120 is not."""
    facts = enrollments.trained(TODAY)
    assert compute(facts, spec_with(didactic_total_hours="90"), TODAY).step(5).status == "complete"
    wider = spec_with(didactic_total_hours="120", program_total_hours="150")
    assert compute(facts, wider, TODAY).item("didactic.total_short").amount_missing == 10


# -- step 6 ------------------------------------------------------------------------------------


def test_experiential_hours_and_counts(enrollments, spec):
    """Missing a role-play loses its count and its hours, and the program total."""
    facts = enrollments.trained(TODAY)
    experiential = (
        *(e for e in facts.experiential if e.kind != "role_play"),
        ExperientialEntry("role_play", days(-3), D(5)),
        ExperientialEntry("role_play", days(-2), D(5), "pending", days(-2)),
    )
    progress = compute(enrollments.trained(TODAY, experiential=experiential), spec, TODAY)
    count = progress.item("experiential.count_short", "role_play")
    assert (count.amount_missing, count.unit) == (1, "count")
    assert count.message == "Role-play: 1 of 2 verified"
    assert progress.item("experiential.hours_short").amount_missing == 5
    total = progress.item("program.total_short")
    assert (total.amount_missing, total.step) == (5, 6)
    assert "135 of 140" in total.message
    assert progress.step(6).status == "in_progress"


def test_program_total_beyond_the_two_parts(enrollments, spec_with):
    """Both parts met but the program total higher: step 6 still short."""
    spec = spec_with(program_total_hours="150")
    progress = compute(enrollments.trained(TODAY), spec, TODAY)
    assert progress.item("program.total_short").amount_missing == 10
    assert progress.step(5).status == "complete"
    assert progress.step(6).status == "in_progress"


@pytest.mark.parametrize(
    ("policy", "minimum", "maximum", "sessions", "codes"),
    [
        ("required", 1, 3, 0, {"personal_session.short"}),
        ("required", 1, 3, 1, set()),
        ("required", 2, 3, 1, {"personal_session.short"}),
        ("optional", 0, 3, 0, set()),
        ("optional", 0, 2, 3, {"personal_session.over"}),
        ("none", 0, 0, 1, {"personal_session.over"}),
    ],
)
def test_personal_session_policy(enrollments, spec_with, policy, minimum, maximum, sessions, codes):
    """Required needs the minimum; above the maximum (any, under `none`) warns staff."""
    spec = spec_with(
        personal_session_policy=policy,
        personal_sessions_min=minimum,
        personal_sessions_max=maximum,
    )
    facts = enrollments.trained(TODAY)
    personal = tuple(
        ExperientialEntry("personal_session", days(-5 - i), D(4)) for i in range(sessions)
    )
    progress = compute(
        enrollments.trained(TODAY, experiential=facts.experiential + personal), spec, TODAY
    )
    assert {i.code for i in progress.step(6).items} == codes
    if "personal_session.over" in codes:
        assert progress.item("personal_session.over").actor == "staff"
        assert progress.step(6).status == "complete"
    # Personal sessions are attestations: they never add hours.
    assert "30 of 30 verified hours" in progress.step(6).summary


def test_waiting_experiential_entry_counts_only_when_signed(enrollments, spec):
    """A pending observation counts for nothing; the supervisor is chased after 7 days."""
    facts = enrollments.trained(TODAY)
    experiential = (
        *(e for e in facts.experiential if e.kind != "monitoring"),
        ExperientialEntry("monitoring", days(-10), D(5), "pending", days(-8), id=5),
    )
    progress = compute(enrollments.trained(TODAY, experiential=experiential), spec, TODAY)
    assert progress.item("experiential.count_short", "monitoring") is not None
    waiting = progress.item("signoff.waiting", "5")
    assert (waiting.actor, waiting.waiting_since, waiting.step) == ("supervisor", days(-8), 6)
    assert waiting.days_waiting(TODAY) == 8


def test_returned_experiential_entry(enrollments, spec):
    """A returned activity waits on the trainee."""
    facts = enrollments.trained(TODAY)
    entry = ExperientialEntry("observation", days(-4), D(3), "returned", days(-5))
    progress = compute(
        enrollments.trained(TODAY, experiential=(*facts.experiential, entry)), spec, TODAY
    )
    assert progress.item("experiential.returned", "#6").actor == "trainee"


# -- step 7 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("required", "signed", "complete"), [(2, 2, True), (6, 4, False)])
def test_session_count_follows_the_spec(enrollments, spec_with, required, signed, complete):
    """The engine follows the requirement set: 2 sessions or 6."""
    sessions = tuple(SupervisedSession(days(-30 - i)) for i in range(signed))
    progress = compute(
        enrollments.trained(TODAY, sessions=sessions),
        spec_with(supervised_sessions_required=required),
        TODAY,
    )
    assert (progress.step(7).status == "complete") is complete
    if not complete:
        item = progress.item("session.short")
        assert (item.amount_missing, item.message) == (2, "Supervised sessions: 4 of 6 signed")


@pytest.mark.parametrize(
    ("changes", "gap"),
    [
        (
            {
                "licences": (
                    Licence("LCSW", "CA", days(-50), verified=True),
                    Licence("LCSW", "CA", days(700), verified=True, issued_on=days(-20)),
                )
            },
            "licence",
        ),
        ({"insurances": (Insurance(days(-29), days(500), verified=True),)}, "insurance"),
        ({"insurances": (Insurance(days(-400), days(500), verified=False),)}, "insurance"),
        (
            {
                "licences": (Licence("LMHC", "CA", days(700), verified=True),),
                "insurances": (Insurance(days(-29), days(500), verified=True),),
            },
            "licence or insurance",
        ),
    ],
    ids=["licence lapsed then renewed", "insurance started later", "insurance unverified", "both"],
)
def test_session_on_an_invalid_day_does_not_count(enrollments, spec, changes, gap):
    """A session dated while licence or insurance was not valid does not count."""
    facts = enrollments.trained(TODAY, **changes)
    progress = compute(facts, spec, TODAY)
    uncovered = [i for i in progress.items if i.code == "session.uncovered"]
    # Sessions are dated 30-33 days ago: all four fall in the gap.
    assert len(uncovered) == 4
    assert f"no valid {gap} that day" in uncovered[0].message
    assert progress.item("session.short").amount_missing == 4
    assert progress.step(7).status == "in_progress"


def test_session_on_the_expiry_day_counts(enrollments, spec):
    """A licence expiring on the session day still covers it; the next day does not."""
    sessions = (SupervisedSession(days(-40), id=1), SupervisedSession(days(-39), id=2))
    licences = (
        Licence("LCSW", "CA", days(-40), verified=True),
        Licence("LCSW", "CA", days(700), verified=True, issued_on=days(-38)),
    )
    facts = enrollments.trained(TODAY, sessions=sessions, licences=licences)
    progress = compute(facts, spec, TODAY)
    assert [i.key for i in progress.items if i.code == "session.uncovered"] == ["2"]
    assert progress.item("session.short").amount_missing == 3


@pytest.mark.parametrize(("waited", "flagged"), [(7, False), (8, True)])
def test_submitted_session_waits_on_the_supervisor(enrollments, spec, waited, flagged):
    """Waiting exactly 7 days is fine; the 8th day flags the supervisor."""
    sessions = (
        *(SupervisedSession(days(-30 - i)) for i in range(3)),
        SupervisedSession(days(-waited - 1), "submitted", days(-waited), id=9),
    )
    progress = compute(enrollments.trained(TODAY, sessions=sessions), spec, TODAY)
    item = progress.item("session.waiting", "9")
    assert (item is not None) is flagged
    if flagged:
        assert (item.actor, item.waiting_since) == ("supervisor", days(-8))
    short = progress.item("session.short")
    assert short.message == "Supervised sessions: 3 of 4 signed (1 waiting for sign-off)"
    assert "1 waiting for sign-off" in progress.step(7).summary


def test_returned_and_draft_sessions(enrollments, spec):
    """Returned sessions go back to the trainee; drafts count for nothing and are not flagged."""
    sessions = (
        *(SupervisedSession(days(-30 - i)) for i in range(3)),
        SupervisedSession(days(-3), "returned", days(-4)),
        SupervisedSession(days(-2), "draft"),
    )
    progress = compute(enrollments.trained(TODAY, sessions=sessions), spec, TODAY)
    assert {i.code for i in progress.step(7).items} == {"session.short", "session.returned"}


def test_case_presentations(enrollments, spec_with):
    """Case presentations follow the requirement set."""
    facts = enrollments.trained(TODAY)
    progress = compute(facts, spec_with(case_presentations_required=2), TODAY)
    assert progress.item("case_presentation.short").message == "Case presentations: 1 of 2"
    facts = enrollments.trained(TODAY, case_presentations=(CasePresentation(days(-9)),) * 2)
    assert compute(facts, spec_with(case_presentations_required=2), TODAY).step(7).done


def test_unassigned_supervisor_is_a_staff_warning(enrollments, spec):
    """Without a supervisor, staff are asked to assign one."""
    progress = compute(enrollments.admitted(TODAY, supervisor_assigned=False), spec, TODAY)
    item = progress.item("supervisor.unassigned")
    assert (item.actor, item.severity, item.step) == ("staff", "warning", 7)


def test_pending_didactic_waits_on_staff(enrollments, spec):
    """Didactic hours are verified by staff; they are chased after 7 days."""
    facts = enrollments.trained(TODAY)
    entry = DidacticEntry("legal", days(-20), D(1), "pending", days(-8), id=3)
    progress = compute(enrollments.trained(TODAY, didactic=(*facts.didactic, entry)), spec, TODAY)
    item = progress.item("verification.waiting", "3")
    assert (item.actor, item.step, item.waiting_since) == ("staff", 5, days(-8))
    assert "has waited 8 days" in item.message


def test_approved_alternative_pathway_covers_sessions_without_a_licence(enrollments, spec):
    """On an approved alternative pathway the staff decision stands in for the licence."""
    facts = enrollments.trained(TODAY, licences=(), pathway="alternative_approved")
    progress = compute(facts, spec, TODAY)
    assert "session.uncovered" not in progress.codes
    assert progress.step(7).status == "complete"
    refused = enrollments.trained(TODAY, licences=(), pathway="alternative_refused")
    assert "session.uncovered" in compute(refused, spec, TODAY).codes


@pytest.mark.parametrize(
    ("days_ago", "code"), [(0, "session.pending"), (7, "session.pending"), (8, "session.waiting")]
)
def test_every_waiting_session_has_an_item_and_the_limit_makes_it_overdue(
    enrollments, spec, days_ago, code
):
    """A session in the supervisor's queue is always shown with its age; past the limit it warns."""
    session = SupervisedSession(TODAY - timedelta(days=days_ago), "submitted")
    facts = enrollments.admitted(TODAY, sessions=(session,))
    items = [i for i in compute(facts, spec, TODAY).items if i.code.startswith("session.")]
    waiting = [i for i in items if i.code in ("session.pending", "session.waiting")]
    assert [i.code for i in waiting] == [code]
    assert waiting[0].days_waiting(TODAY) == days_ago
    assert waiting[0].severity == ("warning" if code == "session.waiting" else "info")


def test_training_before_the_cohort_starts_is_upcoming_not_blocking(enrollments, spec):
    """Admitted seven weeks before the cohort: steps 5-7 hold their shortfalls as upcoming."""
    facts = enrollments.admitted(
        TODAY,
        cohort_starts_on=TODAY + timedelta(days=49),
        cohort_ends_on=TODAY + timedelta(days=400),
    )
    progress = compute(facts, spec, TODAY)
    for number in (5, 6, 7):
        step = progress.step(number)
        assert step.status != "complete"
        assert not [i for i in step.items if i.severity == "blocking"]
        assert [i for i in step.items if i.severity == "upcoming"]
    assert not [i for i in progress.blocking_items if i.step in (5, 6, 7)]
    started = dataclasses.replace(facts, cohort_starts_on=TODAY)
    assert [i for i in compute(started, spec, TODAY).blocking_items if i.step == 5]
