"""The cohort page's queries use indexes on PostgreSQL: no sequential scan of a large table.

Each SELECT the page (unfiltered, filtered by an item code, and its CSV) runs is explained again
with its own parameters and `SET LOCAL enable_seqscan = off`. That setting does not forbid a
sequential scan: it makes the planner take any index path that can serve the query instead, so a
`Seq Scan` left in the plan means no index can (a missing index fails the test at any table size).
A control query on an unindexed column shows the check sees such a scan. The item-code filter
must moreover read the code rows through an index condition (by code, or by enrollment in a
nested loop): an index read from end to end is no sequential scan, but no better.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event
from sqlalchemy import text

from tests.conftest import is_postgres
from tests.dashboard.test_cohort_page import _enroll_many
from tests.dashboard.test_cohort_page import program  # noqa: F401 - the fixture
from tests.dashboard.test_cohort_page import staff_client  # noqa: F401 - the fixture
from tracker.extensions import db
from tracker.standing.snapshots import refresh

pytestmark = pytest.mark.skipif(not is_postgres(), reason="EXPLAIN plans are PostgreSQL's")

# The tables that grow with the number of enrollments (tens of thousands to millions of rows).
LARGE = (
    "enrollments",
    "progress_snapshots",
    "progress_snapshot_codes",
    "users",
    "didactic_entries",
    "experiential_entries",
    "supervised_sessions",
    "signatures",
    "ledger_entries",
    "audit_events",
    "supervisor_assignments",
    "certificates",
)


def _selects(client, path: str) -> list[tuple[str, object]]:
    seen: list[tuple[str, object]] = []

    def listen(_conn, _cursor, statement, parameters, _context, _many) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        response = client.get(path)
        response.get_data()
        assert response.status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    return seen


def _plan(statement: str, parameters) -> list[str]:
    connection = db.session.connection()
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    plan = connection.exec_driver_sql("EXPLAIN " + statement, parameters).scalars().all()
    db.session.rollback()
    return [line.strip() for line in plan]


def _seq_scans(statement: str, parameters) -> list[str]:
    return [
        line
        for line in _plan(statement, parameters)
        if "Seq Scan on " in line and line.split("Seq Scan on ")[1].split()[0] in LARGE
    ]


def test_the_check_sees_a_sequential_scan(app):
    assert _seq_scans("SELECT enrollment_id FROM progress_snapshots WHERE fraction > 0.5", {})


@pytest.mark.parametrize(
    "path",
    [
        "/dashboard/cohort",
        "/dashboard/cohort?code=license.missing",
        "/dashboard/cohort?sort=blocking&page=2",
        "/dashboard/cohort.csv?code=license.missing",
    ],
)
def test_cohort_queries_scan_no_large_table(staff_client, program, path):  # noqa: F811
    _enroll_many(program, 60)  # two pages of 50
    refresh()
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    selects = _selects(staff_client, path)
    assert selects
    scans = {
        statement[:300]: _seq_scans(statement, parameters) for statement, parameters in selects
    }
    assert not any(scans.values()), {s: lines for s, lines in scans.items() if lines}


def _unconditioned(plan: list[str], table: str) -> list[str]:
    """The plan's scans of `table` that read it without an index condition (a node's detail
    lines follow it, up to the next node, "-> ...")."""
    found = []
    for number, line in enumerate(plan):
        if not line.split("(cost=")[0].rstrip().endswith(f" on {table}"):
            continue
        details = []
        for detail in plan[number + 1 :]:
            if detail.startswith("->"):
                break
            details.append(detail)
        if not any(d.startswith(("Index Cond:", "Recheck Cond:")) for d in details):
            found.append(line)
    return found


@pytest.mark.parametrize(
    "path",
    [
        "/dashboard/cohort?code=license.missing",
        "/dashboard/cohort?code=license.missing&sort=blocking&page=2",
        "/dashboard/cohort.csv?code=license.missing",
    ],
)
def test_the_code_filter_reads_the_code_rows_by_an_index_condition(
    staff_client,  # noqa: F811
    program,  # noqa: F811
    path,
):
    _enroll_many(program, 60)
    refresh()
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    filtered = [
        (statement, parameters)
        for statement, parameters in _selects(staff_client, path)
        if "progress_snapshot_codes" in statement
    ]
    assert filtered  # the filter reads the code rows, not the snapshots' `codes`
    plans = {statement[:300]: _plan(statement, parameters) for statement, parameters in filtered}
    assert all(any("progress_snapshot_codes" in line for line in p) for p in plans.values()), plans
    unconditioned = {s: _unconditioned(p, "progress_snapshot_codes") for s, p in plans.items()}
    assert not any(unconditioned.values()), plans
