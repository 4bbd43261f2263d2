"""The applicant queue (oldest submitted first, with days waiting; drafts counted; recent
decisions) and the staff enrollment list (search, status filter, pages, constant queries)."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.admissions.factories import add_document
from tests.admissions.factories import enroll
from tests.admissions.factories import make_program
from tracker.extensions import db
from tracker.extensions import utcnow


def _names_in_order(page: str, names: list[str]) -> list[str]:
    return sorted(names, key=lambda name: page.index(name))


def test_queue_lists_submitted_oldest_first_with_days_waiting(as_staff, create_user):
    program = make_program()
    newer = enroll(create_user("trainee", name="Newer Applicant"), program, days_ago=2)
    enroll(create_user("trainee", name="Older Applicant"), program, days_ago=9)
    enroll(create_user("trainee", name="Drafting One"), program, "applicant")
    enroll(create_user("trainee", name="Drafting Two"), program, "applicant")
    add_document(newer)
    page = as_staff.get("/admissions/").get_data(as_text=True)
    assert _names_in_order(page, ["Newer Applicant", "Older Applicant"]) == [
        "Older Applicant",
        "Newer Applicant",
    ]
    assert re.search(r"Older Applicant.*?<td class=\"text-end\">9</td>", page, re.S)
    assert re.search(r"Newer Applicant.*?<td class=\"text-end\">2</td>", page, re.S)
    assert "Applicants still drafting: 2" in page
    assert "Drafting One" not in page


def test_queue_shows_recent_decisions_only(as_staff, create_user):
    program = make_program()
    recent = enroll(create_user("trainee", name="Recently Admitted"), program, "admitted")
    old = enroll(create_user("trainee", name="Long Ago Declined"), program, "declined")
    old.decided_at = utcnow() - timedelta(days=90)
    db.session.commit()
    page = as_staff.get("/admissions/").get_data(as_text=True)
    assert "Recently Admitted" in page
    assert "Long Ago Declined" not in page
    assert recent.id  # listed with a link to its review page
    assert f'/admissions/enrollments/{recent.id}"' in page


def test_queue_runs_a_constant_number_of_queries(as_staff, create_user, count_queries):
    program = make_program()

    def add(n: int) -> None:
        for _ in range(n):
            enroll(create_user("trainee"), program, days_ago=4)

    add(2)
    with count_queries() as few:
        as_staff.get("/admissions/")
    add(10)
    with count_queries() as many:
        as_staff.get("/admissions/")
    assert many.count == few.count


def test_list_searches_by_name_or_email_and_filters_by_status(as_staff, create_user):
    program = make_program()
    enroll(create_user("trainee", name="Alice Able", email="alice@example.org"), program)
    enroll(
        create_user("trainee", name="Bob Baker", email="bob@clinic.example"), program, "admitted"
    )
    enroll(
        create_user("trainee", name="Cara 100% Cole", email="cara@example.org"),
        program,
        "applicant",
    )
    page = as_staff.get("/admissions/enrollments?q=alice").get_data(as_text=True)
    assert "Alice Able" in page and "Bob Baker" not in page
    page = as_staff.get("/admissions/enrollments?q=CLINIC.example").get_data(as_text=True)
    assert "Bob Baker" in page and "Alice Able" not in page
    page = as_staff.get("/admissions/enrollments?status=admitted").get_data(as_text=True)
    assert "Bob Baker" in page and "Alice Able" not in page
    page = as_staff.get("/admissions/enrollments?q=100%25").get_data(as_text=True)
    assert "Cara 100% Cole" in page and "Alice Able" not in page
    page = as_staff.get("/admissions/enrollments?status=bogus&q=" + "x" * 5000)
    assert page.status_code == 200


def test_list_is_paginated_with_a_constant_number_of_queries(as_staff, create_user, count_queries):
    program = make_program()
    for i in range(30):
        enroll(create_user("trainee", name=f"Trainee {i:02d}"), program)
    with count_queries() as first:
        page_one = as_staff.get("/admissions/enrollments").get_data(as_text=True)
    with count_queries() as second:
        page_two = as_staff.get("/admissions/enrollments?page=2").get_data(as_text=True)
    assert "Trainee 00" in page_one and "Trainee 25" not in page_one
    assert "Trainee 25" in page_two and "Trainee 00" not in page_two
    assert "30 enrollments, page 1 of 2" in page_one
    assert first.count == second.count
    assert as_staff.get("/admissions/enrollments?page=99").status_code == 200
