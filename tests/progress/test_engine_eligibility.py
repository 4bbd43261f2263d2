"""Step 1 (eligibility) and step 2 (program selection)."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest

from tracker.progress import EnrollmentFacts
from tracker.progress import Insurance
from tracker.progress import Licence
from tracker.progress import Track
from tracker.progress import compute

TODAY = date(2025, 6, 1)


def days(n: int) -> date:
    """The date `n` days from TODAY (negative: before)."""
    return TODAY + timedelta(days=n)


def lic(
    expires: int | None,
    kind: str = "LCSW",
    *,
    verified: bool = True,
    number: bool = True,
    where: str = "CA",
    issued: int | None = None,
) -> Licence:
    """A licence expiring `expires` days from TODAY (None: expiry not recorded)."""
    return Licence(
        kind,
        where,
        None if expires is None else days(expires),
        verified=verified,
        number_present=number,
        issued_on=None if issued is None else days(issued),
    )


def step_items(progress, prefix: str) -> dict[str, object]:
    """Items of step 1 whose code starts with `prefix`, by code."""
    return {i.code: i for i in progress.step(1).items if i.code.startswith(prefix)}


LICENCE_CASES = [
    # (case, licences, expected licence code or None, step 1 status, due offset)
    ("valid for long", (lic(700),), None, "complete", None),
    ("61 days left: no warning yet", (lic(61),), None, "complete", None),
    ("60th day: warning", (lic(60),), "license.expiring", "complete", 60),
    ("expires today: still valid, warned", (lic(0),), "license.expiring", "complete", 0),
    ("expired yesterday", (lic(-1),), "license.expired", "in_progress", -1),
    (
        "renewal follows on: no warning",
        (lic(10), lic(800, issued=11)),
        None,
        "complete",
        None,
    ),
    (
        "renewal leaves a gap: warned on the old expiry",
        (lic(10), lic(800, issued=12)),
        "license.expiring",
        "complete",
        10,
    ),
    (
        "not verified by staff",
        (lic(700, verified=False),),
        "license.unverified",
        "in_progress",
        None,
    ),
    ("no number", (lic(700, number=False),), "license.incomplete", "in_progress", None),
    ("no expiry recorded", (lic(None),), "license.incomplete", "in_progress", None),
    ("type not accepted", (lic(700, "LMHC"),), "license.missing", "in_progress", None),
    ("none at all", (), "license.missing", "in_progress", None),
    (
        "old one expired, new one unverified: staff act",
        (lic(-30), lic(700, verified=False)),
        "license.unverified",
        "in_progress",
        None,
    ),
    ("in force only later", (lic(700, issued=5),), "license.missing", "in_progress", None),
]


@pytest.mark.parametrize(
    ("licences", "code", "status", "due"),
    [case[1:] for case in LICENCE_CASES],
    ids=[case[0] for case in LICENCE_CASES],
)
def test_licence_rules(enrollments, spec, licences, code, status, due):
    """A licence must be accepted, complete, verified and unexpired; expiry warns 60 days ahead."""
    progress = compute(enrollments.applicant(TODAY, licences=licences), spec, TODAY)
    found = step_items(progress, "license.")
    assert list(found) == ([code] if code else [])
    assert progress.step(1).status == status
    if due is not None:
        assert found[code].due_on == days(due)


@pytest.mark.parametrize(
    ("code", "severity", "actor"),
    [
        ("license.expiring", "warning", "trainee"),
        ("license.expired", "blocking", "trainee"),
        ("license.unverified", "blocking", "staff"),
        ("license.incomplete", "blocking", "trainee"),
        ("license.missing", "blocking", "trainee"),
    ],
)
def test_licence_items_say_who_acts(enrollments, spec, code, severity, actor):
    """Each licence code carries its severity and actor."""
    licences = {
        "license.expiring": (lic(30),),
        "license.expired": (lic(-3),),
        "license.unverified": (lic(700, verified=False),),
        "license.incomplete": (lic(700, number=False, where=""),),
        "license.missing": (),
    }[code]
    progress = compute(enrollments.applicant(TODAY, licences=licences), spec, TODAY)
    item = progress.item(code)
    assert (item.severity, item.actor) == (severity, actor)


def test_licence_messages_name_what_is_wrong(enrollments, spec):
    """Messages name the missing parts, the refused type and the expiry date."""

    def message(*licences):
        progress = compute(enrollments.applicant(TODAY, licences=licences), spec, TODAY)
        return next(iter(step_items(progress, "license.").values())).message

    assert "number and jurisdiction" in message(lic(700, number=False, where=""))
    assert "LMHC" in message(lic(700, "LMHC"))
    assert "31 May 2025" in message(lic(-1))
    assert "31 July 2025" in message(lic(60))


def test_accepted_types_come_from_the_spec(enrollments, spec_with):
    """A program that accepts only MD and DO refuses an LCSW licence."""
    facts = enrollments.applicant(TODAY)
    progress = compute(facts, spec_with(accepted_licence_types=["MD", "DO"]), TODAY)
    assert "license.missing" in progress.codes
    assert "LCSW" in progress.item("license.missing").message


def test_warning_window_comes_from_the_spec(enrollments, spec_with):
    """With a 30-day window, 31 days left is quiet and 30 days warns."""
    narrow = spec_with(expiry_warning_days=30)
    quiet = compute(enrollments.applicant(TODAY, licences=(lic(31),)), narrow, TODAY)
    warned = compute(enrollments.applicant(TODAY, licences=(lic(30),)), narrow, TODAY)
    assert "license.expiring" not in quiet.codes
    assert "license.expiring" in warned.codes


@pytest.mark.parametrize(
    ("pathway", "licences", "codes", "status"),
    [
        ("alternative_pending", (), {"pathway.pending"}, "in_progress"),
        ("alternative_approved", (), set(), "complete"),
        ("alternative_refused", (), {"license.missing"}, "in_progress"),
        ("alternative_refused", (lic(700),), set(), "complete"),
    ],
)
def test_alternative_pathway_needs_a_staff_decision(
    enrollments, spec, pathway, licences, codes, status
):
    """Pending waits on staff; approved replaces the licence; refused falls back to a licence."""
    facts = enrollments.applicant(TODAY, pathway=pathway, licences=licences)
    progress = compute(facts, spec, TODAY)
    assert {i.code for i in progress.step(1).items} == codes
    assert progress.step(1).status == status
    if "pathway.pending" in codes:
        assert progress.item("pathway.pending").actor == "staff"
    if pathway == "alternative_refused" and codes:
        assert "refused" in progress.item("license.missing").message


def ins(start: int, end: int, verified: bool = True) -> Insurance:
    """An insurance from `start` to `end` days from TODAY."""
    return Insurance(days(start), days(end), verified=verified)


@pytest.mark.parametrize(
    ("insurances", "code", "status", "due"),
    [
        ((ins(-300, 400),), None, "complete", None),
        ((ins(-300, 61),), None, "complete", None),
        ((ins(-300, 60),), "insurance.expiring", "complete", 60),
        ((ins(-300, 0),), "insurance.expiring", "complete", 0),
        ((ins(-300, -1),), "insurance.expired", "in_progress", -1),
        ((ins(-300, 20), ins(21, 500)), None, "complete", None),
        ((ins(-300, 400, verified=False),), "insurance.unverified", "in_progress", None),
        ((ins(3, 400),), "insurance.missing", "in_progress", None),
        ((), "insurance.missing", "in_progress", None),
    ],
    ids=[
        "covered",
        "61 days left",
        "60th day",
        "ends today",
        "ended yesterday",
        "renewal follows on",
        "unverified",
        "starts later",
        "none",
    ],
)
def test_insurance_rules(enrollments, spec, insurances, code, status, due):
    """Insurance must be verified and cover today; the end warns within the window."""
    progress = compute(enrollments.applicant(TODAY, insurances=insurances), spec, TODAY)
    found = step_items(progress, "insurance.")
    assert list(found) == ([code] if code else [])
    assert progress.step(1).status == status
    if due is not None:
        assert found[code].due_on == days(due)
    if code == "insurance.unverified":
        assert found[code].actor == "staff"


@pytest.mark.parametrize(
    ("screening", "required", "code", "actor"),
    [
        ("none", True, "health.unattested", "trainee"),
        ("attested", True, "health.pending", "staff"),
        ("not_cleared", True, "health.not_cleared", "staff"),
        ("cleared", True, None, None),
        ("none", False, None, None),
    ],
)
def test_health_screening_when_required(enrollments, spec_with, screening, required, code, actor):
    """The attestation must be cleared by staff, only when the requirement set asks for it."""
    facts = enrollments.applicant(TODAY, health_screening=screening)
    progress = compute(facts, spec_with(health_screening_required=required), TODAY)
    found = step_items(progress, "health.")
    assert list(found) == ([code] if code else [])
    if code:
        assert found[code].actor == actor
        assert progress.step(1).status == "in_progress"
    else:
        assert progress.step(1).status == "complete"


def test_experience_must_be_attested(enrollments, spec):
    """Without the attestation, step 1 waits on the trainee."""
    progress = compute(enrollments.applicant(TODAY, experience_attested=False), spec, TODAY)
    item = progress.item("experience.unattested")
    assert (item.step, item.severity, item.actor) == (1, "blocking", "trainee")
    assert progress.step(1).summary == "3 of 4 conditions met"
    assert progress.step(1).fraction == 0.75


def test_nothing_recorded_is_not_started(spec):
    """A new account has every eligibility item and step 1 not started."""
    progress = compute(EnrollmentFacts(), spec, TODAY)
    assert progress.step(1).status == "not_started"
    assert {i.code for i in progress.step(1).items} == {
        "license.missing",
        "insurance.missing",
        "experience.unattested",
        "health.unattested",
    }


@pytest.mark.parametrize(
    ("track", "cohort", "codes", "status"),
    [
        (None, None, {"track.missing", "cohort.missing"}, "not_started"),
        (Track("hybrid", 600_000), None, {"cohort.missing"}, "in_progress"),
        (None, days(30), {"track.missing"}, "in_progress"),
        (Track("hybrid", 600_000), days(30), set(), "complete"),
    ],
)
def test_program_selection_needs_track_and_cohort(enrollments, spec, track, cohort, codes, status):
    """Step 2 is complete once both a track and a cohort are chosen."""
    facts = enrollments.applicant(TODAY, track=track, cohort_starts_on=cohort, cohort_ends_on=None)
    progress = compute(facts, spec, TODAY)
    assert {i.code for i in progress.step(2).items} == codes
    assert progress.step(2).status == status
    if track and cohort:
        assert "$6,000.00" in progress.step(2).summary
        assert "1 July 2025" in progress.step(2).summary
