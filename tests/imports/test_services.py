"""The import service: the preview says what each row will do and why, the commit creates the
entries verified by the program as one batch (or nothing), importing again creates nothing, and
a batch is undone with a reason while none of its entries changed."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy import update

from tests.imports.factories import COURSE_MAP
from tests.imports.factories import admitted
from tests.imports.factories import running_program
from tracker.audit.models import AuditEvent
from tracker.core.clock import today_in
from tracker.core.errors import Refused
from tracker.enrollments.models import Enrollment
from tracker.extensions import db
from tracker.factories import count
from tracker.factories.enrollments import enroll
from tracker.factories.training import add_experiential
from tracker.imports import services
from tracker.imports.models import ImportBatch
from tracker.notifications.models import Notice
from tracker.training.models import DidacticEntry
from tracker.training.services import DidacticInput
from tracker.training.services import log_didactic


@pytest.fixture
def program(app):
    """A running program with the course map of the tests' exports."""
    return running_program()


@pytest.fixture
def ann(create_user, program):
    """An admitted trainee of the program."""
    user = create_user("trainee", email="ann@example.org", name="Ann Lee")
    admitted(user, program)
    return user


def row(n, person="ann@example.org", topic="pharmacology", days_ago=3, hours="2", **more):
    """One import row (the service's field names)."""
    return {
        "line": n + 1,
        "person": person,
        "topic": topic,
        "date": (_today() - timedelta(days=days_ago)).isoformat(),
        "hours": hours,
        "provider": "Moodle",
        "external_id": f"x-{n}",
    } | more


def _today():
    return today_in("UTC")


def test_preview_says_what_each_row_will_do_and_why(app, program, ann, create_user, staff):
    create_user("trainee", email="bo@example.org", name="Bo Park")  # no enrollment
    cy = create_user("trainee", email="cy@example.org", name="Cy Diaz")
    enroll(cy, program, status="applicant")
    db.session.commit()
    rows = [
        row(1),
        row(2, person="nobody@example.org"),
        row(3, person="bo@example.org"),
        row(4, person="cy@example.org"),
        row(5, days_ago=-1),
        row(6, topic="Astrology"),
        row(7, hours="two"),
        row(8, days_ago=5, hours="7"),
        row(9, days_ago=5, hours="6"),  # with line 9 over the default 12-hour day
        row(10, hours="1.5", topic="Ethics, consent and documentation"),
    ]
    preview = services.preview(program, rows)
    statuses = [(r.line, r.status, r.reason.split(":")[0]) for r in preview.rows]
    assert statuses == [
        (2, "create", ""),
        (3, "error", "Unknown person"),
        (4, "error", "Not enrolled"),
        (5, "error", "Not enrolled"),
        (6, "error", "Future date"),
        (7, "error", "Unknown topic"),
        (8, "error", "Bad number"),
        (9, "create", ""),
        (10, "error", "Over the daily cap"),
        (11, "create", ""),
    ]
    assert "7 hours are already logged" in preview.rows[8].reason
    assert not preview.committable
    (person,) = preview.by_person
    assert (person.label, person.rows, person.hours) == (
        "Ann Lee (ann@example.org)",
        3,
        Decimal("10.5"),
    )
    assert {t.label: t.hours for t in preview.by_topic} == {
        "Pharmacology and mechanisms": Decimal(9),
        "Ethics, consent and documentation": Decimal("1.5"),
    }
    assert count(DidacticEntry) == 0  # a preview writes nothing


def test_the_daily_cap_counts_what_is_already_logged_as_the_form_does(app, program, ann):
    enrollment = db.session.scalar(select(Enrollment).where(Enrollment.trainee_id == ann.id))
    on = _today() - timedelta(days=2)
    add_experiential(enrollment, "10", on=on)
    db.session.commit()
    preview = services.preview(program, [row(1, days_ago=2, hours="3")])
    (only,) = preview.rows
    with pytest.raises(Refused) as form_refusal:
        log_didactic(
            enrollment, DidacticInput(on=on, topic_code="pharmacology", hours="3", provider="X")
        )
    db.session.rollback()
    assert only.status == "error"
    assert only.reason == f"Over the daily cap: {form_refusal.value.message}"


def test_commit_creates_verified_entries_as_one_batch_and_again_creates_nothing(
    app, program, ann, staff
):
    rows = [row(1), row(2, hours="1.25", days_ago=4)]
    preview = services.preview(program, rows)
    batch = services.commit(program, rows, staff, preview.digest, "moodle_completion", "a.csv")
    db.session.commit()
    entries = db.session.scalars(select(DidacticEntry).order_by(DidacticEntry.id)).all()
    assert [(e.status, e.verified_by_id, e.hours) for e in entries] == [
        ("verified", staff.id, Decimal("2.00")),
        ("verified", staff.id, Decimal("1.25")),
    ]
    assert (batch.row_count, batch.hours) == (2, Decimal("3.25"))
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "import_batches")
    ).all()
    assert [e.action for e in events] == ["import.committed"]
    after = json.loads(events[0].after)
    assert [entry[0] for entry in after["entries"]] == [e.id for e in entries]
    assert events[0].actor_id == staff.id
    # The staff member who imported is told, in their inbox, with a link to the batch.
    notice = db.session.scalars(select(Notice).where(Notice.person_id == staff.id)).one()
    assert notice.kind == "import.finished" and "2 entries imported" in notice.message
    assert notice.link == f"/imports/batches/{batch.id}"

    again = services.preview(program, rows)
    assert [r.status for r in again.rows] == ["duplicate", "duplicate"]
    with pytest.raises(Refused, match="every row was already imported"):
        services.commit(program, rows, staff, again.digest)
    db.session.rollback()
    assert count(DidacticEntry) == 2


def test_a_file_with_an_error_imports_nothing(app, program, ann, staff):
    rows = [row(1), row(2, person="nobody@example.org")]
    preview = services.preview(program, rows)
    with pytest.raises(Refused, match="1 rows are in error"):
        services.commit(program, rows, staff, preview.digest)
    db.session.rollback()
    assert count(DidacticEntry) == 0 and count(ImportBatch) == 0


def test_a_stale_preview_is_refused(app, program, ann, staff):
    rows = [row(1, hours="8")]
    preview = services.preview(program, rows)
    enrollment = db.session.scalar(select(Enrollment).where(Enrollment.trainee_id == ann.id))
    add_experiential(enrollment, "6", on=_today() - timedelta(days=3))  # logged meanwhile
    db.session.commit()
    with pytest.raises(Refused, match="no longer holds"):
        services.commit(program, rows, staff, preview.digest)
    db.session.rollback()
    assert count(DidacticEntry) == 0


def test_only_staff_import(app, program, ann):
    rows = [row(1)]
    preview = services.preview(program, rows)
    with pytest.raises(Refused, match="Only program staff"):
        services.commit(program, rows, ann, preview.digest)


def test_course_map_gives_topic_and_hours_and_is_checked(app, program, ann, staff):
    with pytest.raises(Refused, match="Line 2"):
        services.save_layout(
            program, None, "Ethics seminar = ethics, 2\nNo topic = astrology", staff
        )
    db.session.rollback()
    services.save_layout(program, None, COURSE_MAP, staff)
    db.session.commit()
    preview = services.preview(
        program,
        [
            row(1, topic="KAP 102: Safety and screening", hours=""),
            row(2, topic="ethics seminar", hours=""),
        ],
    )
    assert [(r.status, r.topic_code, r.hours) for r in preview.rows] == [
        ("create", "safety", Decimal("2.50")),
        ("create", "ethics", Decimal("2.00")),
    ]


def test_undo_removes_the_batch_with_a_reason_and_then_it_imports_again(app, program, ann, staff):
    rows = [row(1), row(2, days_ago=4)]
    batch = services.commit(program, rows, staff, services.preview(program, rows).digest)
    db.session.commit()
    with pytest.raises(Refused, match="at least 10"):
        services.undo(batch, staff, "oops")
    db.session.rollback()
    services.undo(batch, staff, "Wrong cohort's export uploaded.")
    db.session.commit()
    assert count(DidacticEntry) == 0
    assert batch.is_undone and batch.undo_reason == "Wrong cohort's export uploaded."
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "import.undone")).one()
    assert json.loads(event.after)["undo_reason"] == "Wrong cohort's export uploaded."
    with pytest.raises(Refused, match="already undone"):
        services.undo(batch, staff, "Wrong cohort's export uploaded.")
    db.session.rollback()
    preview = services.preview(program, rows)
    assert [r.status for r in preview.rows] == ["create", "create"]


def test_undo_is_refused_once_an_entry_changed(app, program, ann, staff):
    rows = [row(1), row(2, days_ago=4)]
    batch = services.commit(program, rows, staff, services.preview(program, rows).digest)
    db.session.commit()
    first = db.session.scalars(select(DidacticEntry).order_by(DidacticEntry.id)).first()
    db.session.execute(
        update(DidacticEntry).where(DidacticEntry.id == first.id).values(status="pending")
    )
    db.session.commit()
    with pytest.raises(Refused, match="1 of its entries changed since"):
        services.undo(batch, staff, "Wrong cohort's export uploaded.")
    db.session.rollback()
    assert count(DidacticEntry) == 2 and not batch.is_undone


def test_preview_queries_do_not_grow_with_the_rows(app, program, create_user, count_queries):
    people = [create_user("trainee", email=f"p{n}@example.org") for n in range(12)]
    for person in people:
        admitted(person, program)
    db.session.commit()

    def queries(n: int) -> int:
        rows = [
            row(i, person=f"p{i % 12}@example.org", days_ago=1 + i % 20, hours="0.25")
            for i in range(n)
        ]
        db.session.expire_all()
        with count_queries() as counter:
            services.preview(program, rows)
        return counter.count

    assert queries(12) == queries(120)


@pytest.mark.parametrize("timezone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_a_future_date_is_judged_in_the_programs_time_zone(app, create_user, timezone):
    program = running_program(timezone=timezone)
    admitted(create_user("trainee", email="tz@example.org"), program)
    today = today_in(timezone)
    rows = [
        {
            "person": "tz@example.org",
            "topic": "ethics",
            "date": today.isoformat(),
            "hours": "1",
            "provider": "LMS",
            "external_id": "a",
        },
        {
            "person": "tz@example.org",
            "topic": "ethics",
            "date": (today + timedelta(days=1)).isoformat(),
            "hours": "1",
            "provider": "LMS",
            "external_id": "b",
        },
    ]
    preview = services.preview(program, rows)
    assert [(r.status, r.reason.split(":")[0]) for r in preview.rows] == [
        ("create", ""),
        ("error", "Future date"),
    ]
