"""The printable program report of a cohort: staff only, every report's heading and summary in
the PDF's text, the cohort's own figures, 404 for a cohort that does not exist."""

from __future__ import annotations

import io

from pypdf import PdfReader

from tests.reports.test_figures import build


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_cohort_report_pdf_has_every_report(app, as_staff):
    expected = build(9)
    cohort_id = expected["cohorts"][0]
    index = as_staff.get("/reports/").get_data(as_text=True)
    assert f'href="/reports/cohorts/{cohort_id}/report.pdf"' in index
    response = as_staff.get(f"/reports/cohorts/{cohort_id}/report.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    text = " ".join(_text(response.data).split())
    assert "Program report: cohort Autumn" in text
    for title in (
        "Completion funnel",
        "Dropout by step",
        "Time to certificate",
        "Pace",
        "Supervisor turnaround",
        "Finance",
        "Credentials",
    ):
        assert title in text
    # the figures are the cohort's own: 9 enrollments, not the 18 of both cohorts
    assert "of 9 enrollments reached supervised practice" in text
    assert "Charged $9,000.00" in text


def test_cohort_report_is_for_staff_and_real_cohorts(app, client, create_user, auth, as_staff):
    expected = build(3)
    cohort_id = expected["cohorts"][0]
    assert as_staff.get("/reports/cohorts/999999/report.pdf").status_code == 404
    auth.logout()
    auth.login(create_user("supervisor"))
    assert client.get(f"/reports/cohorts/{cohort_id}/report.pdf").status_code in (403, 404)
