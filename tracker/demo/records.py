"""Demo trainees at different steps, each with a realistic, different set of outstanding items.

Built with tracker.factories; payments go through the ledger service.
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

from tracker.extensions import db
from tracker.factories.applications import add_reference
from tracker.factories.applications import answer
from tracker.factories.applications import filed_application
from tracker.factories.assessment import add_case_evaluation
from tracker.factories.assessment import add_exam
from tracker.factories.eligibility import add_licence
from tracker.factories.eligibility import verified_eligibility
from tracker.factories.enrollments import applied
from tracker.factories.enrollments import assign
from tracker.factories.finance import plan_as_agreed
from tracker.factories.finance import record_payment
from tracker.factories.finance import tuition_charged_on
from tracker.factories.finance import voided
from tracker.factories.supervision import add_presentation
from tracker.factories.supervision import dated_session
from tracker.factories.training import add_experiential
from tracker.factories.training import verified_didactic
from tracker.factories.training import verified_share_of_topics

REFLECTION = (
    "Preparation covered intentions and consent; during dosing I tracked vital signs every "
    "fifteen minutes and offered grounding when anxiety rose; integration linked the imagery to "
    "the client's treatment goals. I would slow the pace of the consent conversation next time."
)
ANSWER = (
    "I would decline, restate the boundaries agreed at consent, make sure the client gets home "
    "safely with their support person, document the request and discuss it in supervision."
)


def add_trainee_records(context, summary) -> None:
    """Jordan mid-way, Sam applying, Riley nearly ready, Casey behind and inactive."""
    today, staff = context.today, context.staff
    sup1, sup2 = context.supervisors
    jordan, sam, riley, casey = context.trainees
    online, hybrid = context.tracks["online"], context.tracks["hybrid"]
    spec = online.current_requirements.spec
    scenario_codes = tuple(s.code for s in spec.ethical_scenarios)

    def session(enrollment, supervisor, days_ago: int, status: str, code: str) -> None:
        on = today - timedelta(days=days_ago)
        dated_session(enrollment, supervisor, on, status, code, REFLECTION)

    # Jordan: admitted, half-way, licence expiring soon, an entry waiting 10 days, a plan.
    verified_eligibility(jordan, today, staff, licence_days=45)
    jordan_e = applied(jordan, online, context.cohort, "admitted", today, staff)
    filed_application(jordan_e, jordan, today, staff, scenario_codes, 2, ANSWER)
    assign(jordan_e, sup1, "primary", assigned_by=staff)
    assign(jordan_e, sup2, "backup", assigned_by=staff)
    verified_share_of_topics(jordan_e, today, spec.didactic_topics, 0.6, pending_days=10)
    for kind, days in (("observation", 40), ("role_play", 30), ("role_play", 12)):
        add_experiential(
            jordan_e,
            "3",
            "verified",
            kind=kind,
            on=today - timedelta(days=days),
            facilitator="Dr. Alex Chen",
        )
    session(jordan_e, sup1, 60, "signed", "KC-4RT8M2")
    session(jordan_e, sup1, 35, "signed", "KC-9PL2X7")
    session(jordan_e, sup1, 10, "submitted", "KC-3HW6Q1")
    session(jordan_e, sup1, 1, "draft", "KC-7ZN5D4")
    tuition_charged_on(jordan_e, today - timedelta(days=245), staff)
    for cents, what, days in ((150000, "First", 240), (100000, "Second", 118)):
        on = today - timedelta(days=days)
        reference = f"VISA-4421-{what[0]}"
        record_payment(jordan_e, cents, f"{what} instalment", on, "card", reference, staff)
    # A mistyped payment, confirmed as an overpayment by mistake, then voided with its reason.
    mistyped = record_payment(
        jordan_e,
        9_999_900,
        "Third instalment",
        today - timedelta(days=3),
        "card",
        "VISA-4421-T",
        staff,
        overpayment_confirmed=True,
    )
    voided(mistyped, staff, "Typed $99,999.00 for $999.00; the bank then declined the card.")
    plan_as_agreed(
        jordan_e,
        staff,
        [
            (today + timedelta(days=days), 150000 if n == 0 else 100000)
            for n, days in enumerate((-240, -120, -5, 60))
        ],
    )

    # Sam: applicant choosing the hybrid track for next cohort; application half done.
    sam_e = applied(sam, hybrid, context.future_cohort, "applicant", today, staff)
    add_licence(
        sam,
        licence_type="LCSW",
        number="LCSW 88120",
        jurisdiction="OR",
        issued_on=None,
        expires_on=today + timedelta(days=700),
    )
    add_reference(sam_e, "Dr. Ana Ruiz", "ana.ruiz@example.net", "supervisor")
    answer(sam_e, scenario_codes[0], ANSWER)

    # Riley: everything in but the competency evaluation; the supervisor must act.
    verified_eligibility(riley, today, staff)
    riley_e = applied(riley, online, context.cohort, "admitted", today, staff)
    filed_application(riley_e, riley, today, staff, scenario_codes, 2, ANSWER)
    assign(riley_e, sup1, "primary", assigned_by=staff)
    verified_share_of_topics(riley_e, today, spec.didactic_topics, 1.0)
    extra = spec.didactic_total_hours - sum(t.min_hours for t in spec.didactic_topics)
    verified_didactic(
        riley_e,
        extra,
        itertools.repeat(today - timedelta(days=20)),
        most=Decimal(8),
        topic_code="protocols",
        provider="Advanced protocols seminar",
    )
    for kind, count in spec.experiential_min_counts.items():
        for n in range(max(count, 1)):
            add_experiential(
                riley_e,
                "5",
                "verified",
                kind=kind,
                on=today - timedelta(days=30 + n),
                facilitator="Dr. Alex Chen",
            )
    for n in range(spec.supervised_sessions_required):
        session(riley_e, sup1, 90 - 15 * n, "signed", f"KR-{n + 2}X9P")
    add_presentation(riley_e, today - timedelta(days=14), "Integration after a hard trip")
    tuition_charged_on(riley_e, today - timedelta(days=245), staff)
    on = today - timedelta(days=240)
    record_payment(riley_e, 450000, "Tuition in full", on, "bank_transfer", "TRX-20931", staff)
    add_exam(riley_e, today - timedelta(days=7), 88, staff)
    add_case_evaluation(
        riley_e, today - timedelta(days=5), "passed", staff, "Clear, well-reasoned presentation."
    )

    # Casey: admitted on the hybrid track, licence expired, little logged, nothing for 40 days.
    verified_eligibility(casey, today, staff, licence_days=-10)
    casey_e = applied(casey, hybrid, context.cohort, "admitted", today, staff)
    filed_application(casey_e, casey, today, staff, scenario_codes, 2, ANSWER)
    assign(casey_e, sup2, "primary", assigned_by=staff)
    topics = hybrid.current_requirements.spec.didactic_topics[:3]
    verified_share_of_topics(casey_e, today, topics, 0.5, last_days_ago=40)
    tuition_charged_on(casey_e, today - timedelta(days=245), staff)
    db.session.flush()
    summary.notes.append("Jordan, Riley and Casey are admitted; Sam is still applying.")
