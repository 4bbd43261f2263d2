"""Step 3 (application and admission) and step 4 (financing)."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest

from tracker.progress import ApplicationDocument
from tracker.progress import Instalment
from tracker.progress import Ledger
from tracker.progress import Track
from tracker.progress import compute

TODAY = date(2025, 6, 1)


def days(n: int) -> date:
    """The date `n` days from TODAY (negative: before)."""
    return TODAY + timedelta(days=n)


def accepted_except(kind: str, *extra: ApplicationDocument) -> tuple[ApplicationDocument, ...]:
    """Every document accepted except `kind`, plus `extra` uploads."""
    kinds = ("cv", "personal_statement", "licence", "insurance")
    return tuple(ApplicationDocument(k, "accepted", days(-40)) for k in kinds if k != kind) + extra


@pytest.mark.parametrize(
    ("uploads", "code", "actor"),
    [
        ((), "document.missing", "trainee"),
        ((ApplicationDocument("cv", "rejected", days(-20)),), "document.rejected", "trainee"),
        ((ApplicationDocument("cv", "submitted", days(-20)),), "document.pending", "staff"),
        (
            (
                ApplicationDocument("cv", "rejected", days(-20)),
                ApplicationDocument("cv", "submitted", days(-5)),
            ),
            "document.pending",
            "staff",
        ),
        (
            (
                ApplicationDocument("cv", "submitted", days(-5)),
                ApplicationDocument("cv", "rejected", days(-2)),
            ),
            "document.rejected",
            "trainee",
        ),
        (
            (
                ApplicationDocument("cv", "rejected", days(-20)),
                ApplicationDocument("cv", "accepted", days(-5)),
            ),
            None,
            None,
        ),
    ],
    ids=["missing", "rejected", "waiting", "re-uploaded", "latest rejected", "accepted later"],
)
def test_each_required_document_must_be_accepted(enrollments, spec, uploads, code, actor):
    """The latest upload of a kind decides; one accepted upload is enough."""
    facts = enrollments.applicant(TODAY, documents=accepted_except("cv", *uploads))
    progress = compute(facts, spec, TODAY)
    found = [i for i in progress.step(3).items if i.code.startswith("document.")]
    if code is None:
        assert found == []
        return
    assert [(i.code, i.key, i.actor) for i in found] == [(code, "cv", actor)]
    assert found[0].message.startswith("Curriculum vitae")
    assert "admission.pending" not in progress.codes
    if code == "document.pending":
        assert found[0].waiting_since == days(-5 if len(uploads) > 1 else -20)


def test_documents_required_come_from_the_spec(enrollments, spec_with):
    """A program that asks only for a CV does not miss the personal statement."""
    facts = enrollments.applicant(TODAY, documents=(ApplicationDocument("cv", "accepted"),))
    assert "document.missing" in compute(facts, spec_with(), TODAY).codes
    progress = compute(facts, spec_with(documents_required=["cv"]), TODAY)
    assert "document.missing" not in progress.codes


@pytest.mark.parametrize(("received", "required", "missing"), [(0, 2, 2), (1, 2, 1), (2, 2, None)])
def test_references(enrollments, spec_with, received, required, missing):
    """References short of the requirement give an item with the number missing."""
    facts = enrollments.applicant(TODAY, references_received=received)
    progress = compute(facts, spec_with(references_required=required), TODAY)
    item = progress.item("reference.missing")
    if missing is None:
        assert item is None
    else:
        assert item.amount_missing == missing
        assert item.unit == "count"
        assert f"{received} of {required}" in item.message


def test_every_ethical_scenario_must_be_answered(enrollments, spec):
    """Each unanswered scenario is its own item, keyed by the scenario code."""
    facts = enrollments.applicant(TODAY, answered_scenarios=frozenset({"consent"}))
    progress = compute(facts, spec, TODAY)
    keys = [i.key for i in progress.step(3).items if i.code == "scenario.unanswered"]
    assert keys == ["boundaries", "disclosure"]


def test_admission_decision_waits_on_staff(enrollments, spec):
    """A submitted, complete application waits on staff since the day it was submitted."""
    progress = compute(enrollments.applicant(TODAY), spec, TODAY)
    item = progress.item("admission.pending")
    assert (item.actor, item.severity, item.waiting_since) == ("staff", "blocking", days(-130))
    assert progress.step(3).status == "in_progress"
    assert progress.step(3).summary.startswith("Submitted on")
    assert progress.items_for("staff") == (item,)


def test_complete_draft_asks_the_trainee_to_submit(enrollments, spec):
    """An applicant with everything in is asked to submit, and staff have nothing to do yet."""
    facts = enrollments.applicant(TODAY, status="applicant", applied_on=None)
    progress = compute(facts, spec, TODAY)
    assert progress.item("application.unsubmitted").actor == "trainee"
    assert "admission.pending" not in progress.codes


def test_admitted_completes_the_application(enrollments, spec):
    """Admission with every part in completes step 3 and opens steps 4-7."""
    progress = compute(enrollments.admitted(TODAY), spec, TODAY)
    assert progress.step(3).status == "complete"
    assert progress.step(4).status == "complete"
    assert progress.step(5).status != "blocked"


def test_declined_blocks_the_rest(enrollments, spec):
    """Declined shows on step 3 and keeps later steps blocked, with no to-do left for anyone."""
    progress = compute(enrollments.applicant(TODAY, status="declined"), spec, TODAY)
    assert progress.step(3).status == "blocked"
    assert progress.step(3).summary == "Application declined"
    assert [s.status for s in progress.steps[3:]] == ["blocked"] * 6
    assert [i.code for i in progress.items] == ["application.declined"]
    assert progress.items[0].severity == "info"
    assert progress.step(1).status == "complete"


def test_withdrawn_keeps_complete_steps(enrollments, spec):
    """Withdrawal blocks what is not done yet and leaves one information item."""
    progress = compute(enrollments.admitted(TODAY, status="withdrawn"), spec, TODAY)
    assert [s.status for s in progress.steps[:4]] == ["complete"] * 4
    assert [s.status for s in progress.steps[4:]] == ["blocked"] * 5
    assert [(i.code, i.step) for i in progress.items] == [("enrollment.withdrawn", 5)]


FINANCE_CASES = [
    # (case, ledger, status, codes)
    ("paid in full", Ledger(450_000, 450_000), "complete", set()),
    ("in credit", Ledger(450_000, 460_000), "complete", set()),
    ("balance due without plan", Ledger(450_000, 100_000), "in_progress", {"balance.due"}),
    (
        "plan, next instalment ahead",
        Ledger(
            450_000,
            150_000,
            (Instalment(days(-30), 150_000, 150_000), Instalment(days(10), 150_000)),
        ),
        "complete",
        {"instalment.upcoming"},
    ),
    (
        "plan, instalment due today is not overdue",
        Ledger(
            450_000, 150_000, (Instalment(days(-30), 150_000, 150_000), Instalment(TODAY, 150_000))
        ),
        "complete",
        {"instalment.upcoming"},
    ),
    (
        "plan, instalment due yesterday is overdue",
        Ledger(
            450_000, 150_000, (Instalment(days(-1), 150_000, 40_000), Instalment(days(29), 150_000))
        ),
        "in_progress",
        {"instalment.overdue", "instalment.upcoming"},
    ),
    ("tuition not charged yet", Ledger(), "not_started", {"tuition.uncharged"}),
]


@pytest.mark.parametrize(
    ("ledger", "status", "codes"),
    [case[1:] for case in FINANCE_CASES],
    ids=[case[0] for case in FINANCE_CASES],
)
def test_financing(enrollments, spec, ledger, status, codes):
    """Complete at a zero balance, or on a plan with nothing overdue."""
    progress = compute(enrollments.admitted(TODAY, ledger=ledger), spec, TODAY)
    assert {i.code for i in progress.step(4).items} == codes
    assert progress.step(4).status == status


def test_overdue_instalment_details(enrollments, spec):
    """The overdue item says what is owed, since when, and that the trainee must pay."""
    ledger = Ledger(450_000, 40_000, (Instalment(days(-1), 150_000, 40_000),))
    progress = compute(enrollments.admitted(TODAY, ledger=ledger), spec, TODAY)
    item = progress.item("instalment.overdue", days(-1).isoformat())
    assert (item.severity, item.actor, item.due_on) == ("blocking", "trainee", days(-1))
    assert (item.amount_missing, item.unit) == (110_000, "cents")
    assert "$1,100.00 overdue" in item.message
    assert progress.next_due_on == days(-1)


def test_balance_due_amount(enrollments, spec):
    """Without a plan, the whole balance is due and named in dollars."""
    progress = compute(enrollments.admitted(TODAY, ledger=Ledger(450_000, 100_000)), spec, TODAY)
    item = progress.item("balance.due")
    assert (item.amount_missing, item.unit) == (350_000, "cents")
    assert "$3,500.00 of $4,500.00" in item.message


def test_free_track_needs_no_payment(enrollments, spec):
    """A track without tuition is complete with an empty ledger."""
    facts = enrollments.admitted(TODAY, ledger=Ledger(), track=Track("online", 0))
    assert compute(facts, spec, TODAY).step(4).status == "complete"


def test_financing_waits_for_admission(enrollments, spec):
    """Before admission, an unpaid ledger shows step 4 blocked, without items."""
    facts = enrollments.applicant(TODAY, ledger=Ledger(450_000, 0))
    step = compute(facts, spec, TODAY).step(4)
    assert (step.status, step.items, step.summary) == ("blocked", (), "Starts after admission")
