"""`make bench`: build a realistic program at scale and time the main pages through the app.

BENCH_TRAINEES=1000,10000,50000 (default 10000) sets the sizes; BENCH_DATABASE_URL a PostgreSQL
database (default: a fresh SQLite file under bench/); BENCH_REQUESTS the timed requests per page
(default 20). Rate limits are turned off for the benchmark app (RATELIMIT_ENABLED=False) so the
repeated requests are not refused; passwords keep the production argon2 cost.

Each size is built in one child process and measured in another, so `peak_rss_mb` is the peak of
the process that served the pages. Results: a table on stdout and bench/results.json, where a
run replaces the figures of the database and sizes it measured and keeps the others.
"""

from __future__ import annotations

import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)
TARGETS_MS = {"cohort": 300, "trainee_home": 30, "signoff": 50, "verification": 10}
REPORT_TARGET_MS = 300  # each report page at 10,000 enrollments
IGNORED = ("BEGIN", "COMMIT", "ROLLBACK", "RELEASE", "SAVEPOINT")


def _url(size: int) -> str:
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{HERE / f'bench_{size}.db'}"


def _app(url: str):
    from config import Config
    from tracker import create_app

    return create_app(
        Config,
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench-only-secret-key-0123456789abcdef",
            "AUDIT_KEYS": {"bench": "bench-only-audit-key-0123456789abcdef"},
            "RATELIMIT_ENABLED": False,
            "RATELIMIT_STORAGE_URI": "memory://",
            "INSTANCE_PATH": str(HERE / "instance"),
        },
    )


def _fresh(url: str, app) -> None:
    """Drop everything so the migrations start from an empty database."""
    from sqlalchemy import create_engine
    from sqlalchemy import make_url
    from sqlalchemy import text

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    if parsed.database == "test" or (parsed.database or "").startswith("test"):
        raise SystemExit(f"refusing to clobber the test database {parsed.database!r}")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def do_build(size: int, out: Path) -> None:
    """Child: migrate a fresh database and fill it."""
    import flask_migrate
    from build import build

    url = _url(size)
    app = _app(url)
    _fresh(url, app)
    with app.app_context():
        started = time.perf_counter()
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        migrated = time.perf_counter()
        info = build(size)
        info["migrate_s"] = round(migrated - started, 2)
        info["build_s"] = round(time.perf_counter() - migrated, 2)
    out.write_text(json.dumps(info))


class Counter:
    """Counts SQL statements (transaction control excluded)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if not statement.lstrip().upper().startswith(IGNORED):
            self.count += 1


def _login(client, email: str, password: str) -> None:
    html = client.get("/account/login").get_data(as_text=True)
    match = CSRF.search(html)
    token = match.group(1) or match.group(2)
    response = client.post(
        "/account/login", data={"email": email, "password": password, "csrf_token": token}
    )
    assert response.status_code == 302, f"login of {email} failed: {response.status_code}"


def _token(client, path: str) -> str:
    match = CSRF.search(client.get(path).get_data(as_text=True))
    return match.group(1) or match.group(2)


def _time(counter: Counter, call, n: int, expect: int, warmup: int = 2) -> dict:
    for i in range(warmup):
        call(-1 - i)
    times, queries = [], []
    for i in range(n):
        counter.count = 0
        started = time.perf_counter()
        response = call(i)
        times.append((time.perf_counter() - started) * 1000)
        queries.append(counter.count)
        assert response.status_code == expect, (response.status_code, response.location)
    times.sort()
    return {
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[min(len(times) - 1, round(0.95 * len(times)) - 1)], 2),
        "queries": max(queries),
    }


def do_measure(size: int, info: dict, out: Path) -> None:
    """Child: time every page through the test client."""
    from build import PASSWORD
    from sqlalchemy import event
    from sqlalchemy import func
    from sqlalchemy import select
    from sqlalchemy import text

    from tracker.extensions import db
    from tracker.signoffs.models import Signature

    n = int(os.environ.get("BENCH_REQUESTS", "20"))
    app = _app(_url(size))
    results: dict = {}
    # Requests run outside any pushed app context: a shared context would share `g` (the signed-in
    # user, the CSRF token) between the three clients.
    with app.app_context():
        engine = db.engine
    counter = Counter()
    event.listen(engine, "before_cursor_execute", counter)

    def count_signatures() -> int:
        with app.app_context():
            return db.session.scalar(select(func.count()).select_from(Signature))

    # What `flask progress refresh` (cron, shortly after midnight) does: compute and store
    # every enrollment's progress snapshot. Timed once; the pages below read the snapshots.
    from tracker.standing.snapshots import refresh

    with app.app_context():
        counter.count = 0
        started = time.perf_counter()
        recomputed = refresh()
        refresh_ms = round((time.perf_counter() - started) * 1000, 1)
    results["progress_refresh"] = {
        "median_ms": refresh_ms,
        "p95_ms": refresh_ms,
        "queries": counter.count,
        "recomputed": recomputed,
    }

    staff, trainee, supervisor = (app.test_client() for _ in range(3))
    _login(staff, info["staff_email"], PASSWORD)
    _login(trainee, info["trainee_email"], PASSWORD)
    _login(supervisor, info["supervisor_email"], PASSWORD)

    def get(client, path):
        def call(_i):
            response = client.get(path)
            response.get_data()  # a streamed body (the CSV) is produced while it is read
            return response

        return call

    results["cohort"] = _time(counter, get(staff, "/dashboard/cohort"), n, 200)
    results["cohort_filtered"] = _time(
        counter, get(staff, "/dashboard/cohort?code=didactic.topic_short"), n, 200
    )
    results["cohort_csv"] = _time(counter, get(staff, "/dashboard/cohort.csv"), n, 200)
    results["trainee_home"] = _time(counter, get(trainee, "/dashboard/trainee"), n, 200)
    results["supervisor_home"] = _time(counter, get(supervisor, "/signoffs/"), n, 200)
    # The reports (target: 300 ms each at 10,000 enrollments), and one cohort's printable report.
    from tracker.reports.catalogue import REPORTS

    for key in REPORTS:
        results[f"report_{key}"] = _time(counter, get(staff, f"/reports/{key}"), n, 200)
        results[f"report_{key}_chart"] = _time(counter, get(staff, f"/reports/{key}.svg"), n, 200)
    results["report_cohort_pdf"] = _time(
        counter, get(staff, f"/reports/cohorts/{info.get('cohort_id', 1)}/report.pdf"), n, 200
    )

    sessions = list(info["submitted_sessions"])
    token = _token(supervisor, "/signoffs/")
    before = count_signatures()

    def sign(_i):
        return supervisor.post(
            "/signoffs/sign",
            data={
                "selected": f"session:{sessions.pop()}",
                "password": PASSWORD,
                "csrf_token": token,
                "back": "signoffs.queue",
            },
        )

    warm = min(2, max(len(sessions) - n, 0))
    results["signoff"] = _time(counter, sign, min(n, len(sessions) - warm), 302, warm)
    results["signoff"]["signed"] = count_signatures() - before

    codes = info["certificate_codes"]
    anonymous = app.test_client()
    results["verification"] = _time(
        counter, lambda i: anonymous.get(f"/verify/{codes[i % len(codes)]}"), n, 200
    )

    # The serving peak, read before the floor's raw aggregates (which fetch every total into
    # this process and are not part of serving).
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    floor_sql = [
        "SELECT enrollment_id, topic_code, status, SUM(hours) FROM didactic_entries "
        "GROUP BY enrollment_id, topic_code, status",
        "SELECT enrollment_id, kind, status, SUM(hours) FROM experiential_entries "
        "GROUP BY enrollment_id, kind, status",
    ]
    floor_times, floor_rows = [], 0
    with app.app_context():
        for _ in range(n):
            started = time.perf_counter()
            floor_rows = sum(len(db.session.execute(text(sql)).all()) for sql in floor_sql)
            floor_times.append((time.perf_counter() - started) * 1000)
            db.session.rollback()
    floor_ms = round(statistics.median(floor_times), 2)
    out.write_text(
        json.dumps({"pages": results, "floor_ms": floor_ms, "floor_rows": floor_rows, "rss": rss})
    )


def _child(mode: str, size: int, out: Path) -> None:
    subprocess.run(  # noqa: S603 - our own script
        [sys.executable, __file__, mode, str(size), str(out)], check=True, cwd=ROOT
    )


def main() -> None:
    """Build and measure every size; print the table and write bench/results.json."""
    sizes = [int(s) for s in os.environ.get("BENCH_TRAINEES", "10000").split(",") if s.strip()]
    url = os.environ.get("BENCH_DATABASE_URL")
    database = "postgresql" if url else "sqlite"
    records = []
    tmp = HERE / ".tmp.json"
    cohort_by_size = {}
    for size in sizes:
        print(f"== {database}, {size} trainees: building ...", flush=True)
        started = time.perf_counter()
        _child("--build", size, tmp)
        info = json.loads(tmp.read_text())
        wall = time.perf_counter() - started
        print(
            f"   built {info['rows']:,} rows in {wall:.1f} s "
            f"(migrations {info['migrate_s']} s, data {info['build_s']} s)",
            flush=True,
        )
        measure_out = HERE / ".measure.json"
        tmp.write_text(json.dumps(info))
        subprocess.run(  # noqa: S603 - our own script
            [sys.executable, __file__, "--measure", str(size), str(tmp), str(measure_out)],
            check=True,
            cwd=ROOT,
        )
        measured = json.loads(measure_out.read_text())
        measure_out.unlink()
        floor = measured["floor_ms"]
        cohort_by_size[size] = measured["pages"]["cohort"]["median_ms"]
        for page, values in measured["pages"].items():
            records.append(
                {
                    "database": database,
                    "size": size,
                    "page": page,
                    "median_ms": values["median_ms"],
                    "p95_ms": values["p95_ms"],
                    "queries": values["queries"],
                    "floor_ms": floor,
                    "rows": info["rows"],
                    "peak_rss_mb": round(measured["rss"], 1),
                    "build_s": round(wall, 1),
                    **({"signed": values["signed"]} if "signed" in values else {}),
                    **({"recomputed": values["recomputed"]} if "recomputed" in values else {}),
                }
            )
    tmp.unlink(missing_ok=True)
    _report(records, cohort_by_size, database)
    # Keep the figures of other databases and sizes: one file holds SQLite and PostgreSQL.
    path = HERE / "results.json"
    measured = {(r["database"], r["size"]) for r in records}
    kept = []
    if path.exists():
        kept = [
            r
            for r in json.loads(path.read_text())
            if (r.get("database"), r.get("size")) not in measured
        ]
    path.write_text(json.dumps(kept + records, indent=2) + "\n")
    print(f"wrote {HERE / 'results.json'}")


def _report(records: list[dict], cohort_by_size: dict, database: str) -> None:
    print()
    print(f"{'db':<10} {'size':>6} {'page':<17} {'median ms':>10} {'p95 ms':>9} {'queries':>8}")
    for r in records:
        print(
            f"{r['database']:<10} {r['size']:>6} {r['page']:<17} {r['median_ms']:>10.1f} "
            f"{r['p95_ms']:>9.1f} {r['queries']:>8}"
        )
    print()
    for size in sorted({r["size"] for r in records}):
        rows = {r["page"]: r for r in records if r["size"] == size}
        floor = rows["cohort"]["floor_ms"]
        ratio = rows["cohort"]["median_ms"] / floor if floor else float("inf")
        print(
            f"{database} {size}: floor {floor:.1f} ms, cohort page / floor = {ratio:.1f}x, "
            f"peak RSS {rows['cohort']['peak_rss_mb']:.0f} MB, {rows['cohort']['rows']:,} rows"
        )
        if size == 10000:
            for page, limit in TARGETS_MS.items():
                value = rows[page]["median_ms"]
                verdict = "met" if value <= limit else "MISSED"
                print(f"  target {page} <= {limit} ms median: {value:.1f} ms -> {verdict}")
            for page in sorted(p for p in rows if p.startswith("report_")):
                if page.endswith(("_chart", "_pdf")):
                    continue
                value = rows[page]["median_ms"]
                verdict = "met" if value <= REPORT_TARGET_MS else "MISSED"
                print(
                    f"  target {page} <= {REPORT_TARGET_MS} ms median: {value:.1f} ms -> {verdict}"
                )
            print(
                f"  target cohort within 3x floor: {ratio:.1f}x -> "
                f"{'met' if ratio <= 3 else 'MISSED'}"
            )
        rss = rows["cohort"]["peak_rss_mb"]
        print(
            f"  target serving process < 300 MB: {rss:.0f} MB -> {'met' if rss < 300 else 'MISSED'}"
        )
    if 10000 in cohort_by_size and 50000 in cohort_by_size:
        growth = cohort_by_size[50000] / cohort_by_size[10000]
        print(
            f"target 10k->50k cohort page <= 6x: {growth:.1f}x -> "
            f"{'met' if growth <= 6 else 'MISSED'}"
        )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--build":
        do_build(int(sys.argv[2]), Path(sys.argv[3]))
    elif len(sys.argv) > 1 and sys.argv[1] == "--measure":
        info = json.loads(Path(sys.argv[3]).read_text())
        do_measure(int(sys.argv[2]), info, Path(sys.argv[4]))
    else:
        main()
