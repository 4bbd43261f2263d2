"""The CSV export of a ledger: every entry with its running balance, and no cell a spreadsheet
could run as a formula."""

import csv
import io

import pytest

from tests.finance.factories import local_today
from tracker.extensions import db
from tracker.finance import services
from tracker.finance.services import NewEntry
from tracker.finance.views import neutralise


def _rows(response):
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_export_neutralises_formulas(as_staff, enrollment, staff):
    services.charge_tuition(enrollment.id, staff)
    for description, reference in (
        ('=HYPERLINK("http://evil.example","click")', "@SUM(A1)"),
        ("+1+1", "-2+3"),
        ("Plain payment", "REF-1"),
    ):
        services.record_entry(
            enrollment.id,
            NewEntry("payment", 1_000, description, local_today(), "card", reference),
            staff,
        )
    db.session.commit()
    response = as_staff.get(f"/finance/enrollments/{enrollment.id}/ledger.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _rows(response)
    assert rows[0][:4] == ["Entry", "Date", "Kind", "Description"]
    descriptions = [row[3] for row in rows[1:]]
    assert '\'=HYPERLINK("http://evil.example","click")' in descriptions
    assert "'+1+1" in descriptions
    assert "Plain payment" in descriptions
    references = [row[5] for row in rows[1:]]
    assert "'@SUM(A1)" in references and "'-2+3" in references
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
    # The balance column runs down to what is still owed.
    assert rows[1][8] == "4500.00"
    assert rows[-1][8] == "4470.00"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+1", "'+1"),
        ("-1+2", "'-1+2"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-12.50", "-12.50"),  # a plain negative number stays a number
        ("safe", "safe"),
        (None, ""),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_trainee_exports_own_ledger_only(client, auth, create_user, enrollment, trainee):
    from tests.finance.factories import make_enrollment

    other = make_enrollment(create_user("trainee"))
    auth.login(trainee)
    assert client.get(f"/finance/enrollments/{enrollment.id}/ledger.csv").status_code == 200
    assert client.get(f"/finance/enrollments/{other.id}/ledger.csv").status_code == 404
