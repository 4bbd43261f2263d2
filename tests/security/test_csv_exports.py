"""Every CSV the tracker hands out opens in a spreadsheet as text: a cell that would start with
`=`, `+`, `-` or `@` (or a tab or carriage return) starts with an apostrophe instead, whoever
typed it. Plain numbers such as -12.50 stay numbers.

The exports are the cohort CSV, the reports' tables, the ledger CSV (its own tests:
tests/finance/test_export.py) and the CSV files inside a trainee's data download. The first
test lists the routes that hand out CSV, so a new export cannot appear without a check here.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import timedelta

from tests.conftest import login
from tests.conftest import post_form
from tests.training.factories import make_enrollment
from tracker.core.clock import today_in
from tracker.extensions import db
from tracker.standing.snapshots import refresh
from tracker.training import services as training

FORMULAS = ("=1+1", "+1+1", "-1+2", "@SUM(A1)")
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")
CSV_ROUTES = {
    "/dashboard/cohort.csv",
    "/dashboard/export.zip",
    "/finance/enrollments/<int:enrollment_id>/ledger.csv",
    "/reports/<key>.csv",
}


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def assert_no_formula(rows: list[list[str]], where: str) -> None:
    """No cell of `rows` can start a spreadsheet formula."""
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), (where, cell)
            assert not cell.startswith("-") or _PLAIN_NUMBER.fullmatch(cell), (where, cell)


def test_every_csv_export_is_checked_here(app):
    """A route that hands out CSV (or a ZIP of CSV files) must be added to the checks below."""
    routes = {
        rule.rule for rule in app.url_map.iter_rules() if rule.rule.endswith((".csv", ".zip"))
    }
    assert routes == CSV_ROUTES


def test_cohort_csv_neutralises_every_formula_start(app, create_user):
    staff = create_user("staff")
    for formula in FORMULAS:
        trainee = create_user("trainee", name=f"{formula} Trainee")
        enrollment = make_enrollment(trainee)
        enrollment.cohort.name = f"{formula} cohort"
    db.session.commit()
    client = app.test_client()
    login(client, staff)
    response = client.get("/dashboard/cohort.csv?sort=name")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = _rows(response.get_data(as_text=True))
    header = rows[0]
    trainees = {row[header.index("trainee")] for row in rows[1:]}
    cohorts = {row[header.index("cohort")] for row in rows[1:]}
    assert trainees == {f"'{formula} Trainee" for formula in FORMULAS}
    assert cohorts == {f"'{formula} cohort" for formula in FORMULAS}
    assert_no_formula(rows, "cohort.csv")


def test_the_data_download_neutralises_every_formula_start(app, create_user):
    trainee = create_user("trainee", name="@Ada Formula")
    enrollment = make_enrollment(trainee)
    on = today_in("UTC") - timedelta(days=1)
    training.log_didactic(
        enrollment, training.DidacticInput(on, "pharmacology", "1", "=HYPERLINK(1)", "+1+1")
    )
    training.log_experiential(
        enrollment, training.ExperientialInput("observation", on, "1", "-1+2 Facilitator", "@A1")
    )
    db.session.commit()
    client = app.test_client()
    login(client, trainee)
    response = post_form(client, "/dashboard/export.zip")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    response.close()  # a sent file stays open until the response is closed
    names = [n for n in archive.namelist() if n.startswith("csv/")]
    assert {"csv/users.csv", "csv/didactic_entries.csv", "csv/experiential_entries.csv"} <= set(
        names
    )
    tables = {n: _rows(archive.read(n).decode("utf-8")) for n in names}
    for name, rows in tables.items():
        assert_no_formula(rows, name)

    def column(name: str, title: str) -> list[str]:
        header, *body = tables[name]
        return [row[header.index(title)] for row in body]

    assert column("csv/users.csv", "full_name") == ["'@Ada Formula"]
    assert column("csv/didactic_entries.csv", "provider") == ["'=HYPERLINK(1)"]
    assert column("csv/didactic_entries.csv", "note") == ["'+1+1"]
    assert column("csv/experiential_entries.csv", "facilitator") == ["'-1+2 Facilitator"]
    assert column("csv/experiential_entries.csv", "note") == ["'@A1"]


def test_report_tables_neutralise_every_formula_start(app, create_user):
    staff = create_user("staff")
    for formula in FORMULAS:
        trainee = create_user("trainee", name=f"{formula} Trainee")
        enrollment = make_enrollment(trainee)
        enrollment.cohort.name = f"{formula} cohort"
    db.session.commit()
    refresh()  # the funnel counts the stored progress
    client = app.test_client()
    login(client, staff)
    response = client.get("/reports/funnel.csv")
    assert response.status_code == 200
    rows = _rows(response.get_data(as_text=True))
    assert {row[0] for row in rows[1:]} == {f"'{formula} cohort" for formula in FORMULAS}
    assert_no_formula(rows, "funnel.csv")
