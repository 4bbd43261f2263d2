"""`make bench`: build a realistic program at scale and time the main pages through the app.

BENCH_TRAINEES=1000,10000,50000 (default 10000) sets the sizes; BENCH_DATABASE_URL a PostgreSQL
database (default: a fresh SQLite file under bench/); BENCH_REQUESTS the timed requests per page
(default 20); BENCH_REUSE=1 measures the last build again; BENCH_ONLY=page,page,... only
those pages (the other figures stay). Rate limits are turned off for the benchmark app
(RATELIMIT_ENABLED=False) so the repeated requests are not refused; passwords keep the
production argon2 cost.

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
    from sqlalchemy import text

    from tracker.extensions import db

    url = _url(size)
    app = _app(url)
    _fresh(url, app)
    with app.app_context():
        started = time.perf_counter()
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        migrated = time.perf_counter()
        info = build(size)
        built = time.perf_counter()
        info["migrate_s"] = round(migrated - started, 2)
        info["build_s"] = round(built - migrated, 2)
        info["build_load"] = _load()
        if db.engine.dialect.name == "postgresql":
            # What a bulk load is followed by (autovacuum may take a while to get to it): the
            # planner's statistics. Without them PostgreSQL guessed 2 rows for 96,000 and read
            # a chunk's supervisor assignments in 2.4 s instead of milliseconds.
            db.session.commit()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("ANALYZE"))
        # Every enrollment's first snapshot, as `flask progress refresh` makes it once after an
        # import: part of preparing the data, not of serving (kept out of the serving process).
        from tracker.standing.snapshots import refresh

        info["snapshots"] = refresh()
        info["snapshots_s"] = round(time.perf_counter() - built, 2)
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


HASH = re.compile(r'name="hash:(session:\d+)" value="([^"]*)"')


def _shown(client) -> dict[str, str]:
    """The queue's submitted sessions and the content hash the page showed of each (a signature
    binds to what the signer saw; the form sends it back)."""
    return dict(HASH.findall(client.get("/signoffs/").get_data(as_text=True)))


def _token(client, path: str) -> str:
    match = CSRF.search(client.get(path).get_data(as_text=True))
    return match.group(1) or match.group(2)


def _load() -> float:
    """The machine's 1-minute load average, recorded beside each measurement."""
    return round(os.getloadavg()[0], 2)


def _rss() -> float:
    """This process's peak resident memory so far, in MB."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


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
    return _summary(times, queries)


def _summary(times: list[float], queries: list[int]) -> dict:
    times = sorted(times)
    return {
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[min(len(times) - 1, round(0.95 * len(times)) - 1)], 2),
        "queries": max(queries),
        "requests": len(times),
        "load_avg": _load(),
        "peak_rss_mb": _rss(),
    }


class NextDay:
    """`datetime` with `now()` one day ahead: the app's clock (`tracker.extensions.utcnow`)
    advanced by a day, as the first requests after midnight see it."""

    days = 0

    def __init__(self, real) -> None:
        self.real = real

    def now(self, tz=None):
        from datetime import timedelta

        return self.real.now(tz) + timedelta(days=self.days)

    def __getattr__(self, name):
        return getattr(self.real, name)


def do_measure(size: int, info: dict, out: Path) -> None:
    """Child: time every page through the test client."""
    from build import PASSWORD
    from sqlalchemy import event
    from sqlalchemy import func
    from sqlalchemy import select
    from sqlalchemy import text

    import tracker.extensions as extensions
    from tracker.accounts.models import User
    from tracker.accounts.passwords import verify_password
    from tracker.extensions import db
    from tracker.signoffs.models import Signature
    from tracker.standing.snapshots import refresh
    from tracker.supervision.models import SupervisedSession

    clock = NextDay(extensions.datetime)
    extensions.datetime = clock
    n = int(os.environ.get("BENCH_REQUESTS", "20"))
    app = _app(_url(size))
    results: dict = {}
    # BENCH_ONLY=page,page,... measures only those pages ("reports" for all the reports); the
    # figures of the other pages stay as stored.
    only = {page for page in os.environ.get("BENCH_ONLY", "").split(",") if page}

    def want(page: str) -> bool:
        return not only or page in only

    # Requests run outside any pushed app context: a shared context would share `g` (the signed-in
    # user, the CSRF token) between the three clients.
    with app.app_context():
        engine = db.engine
        enrollments = db.session.scalar(text("SELECT COUNT(*) FROM enrollments"))
    counter = Counter()
    event.listen(engine, "before_cursor_execute", counter)

    def count_signatures() -> int:
        with app.app_context():
            return db.session.scalar(select(func.count()).select_from(Signature))

    def submitted(email: str) -> list[int]:
        with app.app_context():
            return list(
                db.session.scalars(
                    select(SupervisedSession.id)
                    .join(User, User.id == SupervisedSession.supervisor_id)
                    .where(User.email == email, SupervisedSession.status == "submitted")
                    .order_by(SupervisedSession.id)
                )
            )

    staff, trainee, supervisor = (app.test_client() for _ in range(3))
    _login(staff, info["staff_email"], PASSWORD)
    _login(trainee, info["trainee_email"], PASSWORD)
    _login(supervisor, info["supervisor_email"], PASSWORD)

    def get(client, path):
        def call(_i):
            # A streamed body (the CSV) is produced while it is read; read it chunk by chunk and
            # drop each, as a socket would: buffering the whole body here would count the
            # client's copy of it in the serving process's memory.
            response = client.get(path, buffered=False)
            for _chunk in response.response:
                pass
            response.close()
            return response

        return call

    if want("cohort"):
        results["cohort"] = _time(counter, get(staff, "/dashboard/cohort"), n, 200)
    if want("cohort_filtered"):
        results["cohort_filtered"] = _time(
            counter, get(staff, "/dashboard/cohort?code=didactic.topic_short"), n, 200
        )
    if want("cohort_csv"):
        results["cohort_csv"] = _time(counter, get(staff, "/dashboard/cohort.csv"), n, 200)
        results["cohort_csv"]["rows"] = enrollments
        results["cohort_csv"]["rows_per_s"] = round(
            enrollments / (results["cohort_csv"]["median_ms"] / 1000)
        )
    if want("trainee_home"):
        results["trainee_home"] = _time(counter, get(trainee, "/dashboard/trainee"), n, 200)
    if want("supervisor_home"):
        results["supervisor_home"] = _time(counter, get(supervisor, "/signoffs/"), n, 200)
    if want("reports"):
        # The reports (target: 300 ms each at 10,000 enrollments), and a cohort's printable report.
        from tracker.reports.catalogue import REPORTS

        for key in REPORTS:
            results[f"report_{key}"] = _time(counter, get(staff, f"/reports/{key}"), n, 200)
            results[f"report_{key}_chart"] = _time(
                counter, get(staff, f"/reports/{key}.svg"), n, 200
            )
        results["report_cohort_pdf"] = _time(
            counter, get(staff, f"/reports/cohorts/{info.get('cohort_id', 1)}/report.pdf"), n, 200
        )

    if want("signoff"):
        # One sign-off: the whole request, and the same less one argon2 check of the password.
        with app.app_context():
            stored = db.session.scalar(
                select(User.password_hash).where(User.email == info["supervisor_email"])
            )
        argon = []
        for _ in range(n):
            started = time.perf_counter()
            verify_password(stored, PASSWORD)
            argon.append((time.perf_counter() - started) * 1000)
        argon_ms = round(statistics.median(argon), 2)

        shown = _shown(supervisor)
        sessions = [i for i in submitted(info["supervisor_email"]) if f"session:{i}" in shown]
        token = _token(supervisor, "/signoffs/")
        before = count_signatures()

        def sign(_i):
            key = f"session:{sessions.pop()}"
            return supervisor.post(
                "/signoffs/sign",
                data={
                    "selected": key,
                    f"hash:{key}": shown[key],
                    "password": PASSWORD,
                    "csrf_token": token,
                    "back": "signoffs.queue",
                },
            )

        warm = min(2, max(len(sessions) - n, 0))
        results["signoff"] = _time(counter, sign, min(n, len(sessions) - warm), 302, warm)
        results["signoff"]["signed"] = count_signatures() - before
        results["signoff"]["argon2_ms"] = argon_ms
        results["signoff_beyond_password"] = {
            **results["signoff"],
            "median_ms": round(results["signoff"]["median_ms"] - argon_ms, 2),
            "p95_ms": round(results["signoff"]["p95_ms"] - argon_ms, 2),
        }

    if want("bulk_signoff_50"):
        # Bulk sign-off: 50 submitted sessions in one request, by supervisors 2, 3, ... with 50
        # or more waiting (a run signs some of each; a BENCH_REUSE run moves on to the next ones).
        batches = []
        number = 2
        while len(batches) < n + 2 and number < 2 + 4 * (n + 2):
            email = f"supervisor{number}@bench.example.org"
            waiting = submitted(email)
            if len(waiting) >= 50:
                client = app.test_client()
                _login(client, email, PASSWORD)
                form_token = _token(client, "/signoffs/")
                hashes = _shown(client)
                waiting = [i for i in waiting if f"session:{i}" in hashes]
                for start in range(0, len(waiting) - 49, 50):
                    keys = [f"session:{i}" for i in waiting[start : start + 50]]
                    batches.append((client, form_token, {k: hashes[k] for k in keys}))
            number += 1
        before = count_signatures()

        def sign_many(_i):
            client, form_token, keys = batches.pop()
            return client.post(
                "/signoffs/sign",
                data={
                    "selected": list(keys),
                    **{f"hash:{k}": v for k, v in keys.items()},
                    "password": PASSWORD,
                    "csrf_token": form_token,
                    "back": "signoffs.queue",
                },
            )

        if len(batches) >= 3:
            warm = min(2, len(batches) - 1)
            results["bulk_signoff_50"] = _time(counter, sign_many, len(batches) - warm, 302, warm)
            results["bulk_signoff_50"]["signed"] = count_signatures() - before

    if want("verification"):
        codes = info["certificate_codes"]
        anonymous = app.test_client()
        results["verification"] = _time(
            counter, lambda i: anonymous.get(f"/verify/{codes[i % len(codes)]}"), n, 200
        )

    # The serving peak, read before the refreshes and the floor's raw aggregates (which fetch
    # every total into this process and are not part of serving).
    rss = _rss()

    if want("cohort_new_day") or want("nightly_refresh"):
        # What the sign-offs above left stale (a write of more than 20 leaves them to the worker):
        # caught up today, so that the day's change below is measured alone.
        with app.app_context():
            refresh()

        # A new day: the clock advanced by one day. The first cohort pages compute the due rows of
        # the page in memory (no GET writes); then the nightly refresh stores what the day changed.
        clock.days = 1
        staff = app.test_client()  # yesterday's sign-in session has expired by now
        _login(staff, info["staff_email"], PASSWORD)
        counter.count = 0
        started = time.perf_counter()
        first = staff.get("/dashboard/cohort")
        first.get_data()
        first_ms = (time.perf_counter() - started) * 1000
        assert first.status_code == 200
        first_queries = counter.count
        results["cohort_new_day"] = _time(counter, get(staff, "/dashboard/cohort"), n, 200, 0)
        results["cohort_new_day"]["first_ms"] = round(first_ms, 2)
        results["cohort_new_day"]["first_queries"] = first_queries
        with app.app_context():
            counter.count = 0
            started = time.perf_counter()
            recomputed = refresh()
            refresh_ms = round((time.perf_counter() - started) * 1000, 1)
        results["nightly_refresh"] = {
            "median_ms": refresh_ms,
            "p95_ms": refresh_ms,
            "queries": counter.count,
            "recomputed": recomputed,
            "requests": 1,
            "load_avg": _load(),
            "peak_rss_mb": _rss(),
        }
        clock.days = 0

    floor_ms, floor_rows = None, 0
    if not only:
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
    # Leave the snapshots as of today (the refresh above stored tomorrow's), so that a later
    # BENCH_REUSE=1 run measures the same state.
    with app.app_context():
        refresh()
    out.write_text(
        json.dumps({"pages": results, "floor_ms": floor_ms, "floor_rows": floor_rows, "rss": rss})
    )


def _child(mode: str, size: int, out: Path) -> None:
    subprocess.run(  # noqa: S603 - our own script
        [sys.executable, __file__, mode, str(size), str(out)], check=True, cwd=ROOT
    )


# Issue targets at 100,000 enrollments: (page, figure, limit); a figure above its limit misses.
TARGETS_100K = (
    ("cohort", "median_ms", 50),
    ("cohort_filtered", "median_ms", 80),
    ("cohort_new_day", "first_ms", 1000),
    ("trainee_home", "median_ms", 10),
    ("trainee_home", "queries", 8),
    ("supervisor_home", "median_ms", 30),
    ("signoff_beyond_password", "median_ms", 15),
    ("bulk_signoff_50", "median_ms", 300),
    ("verification", "median_ms", 3),
    ("cohort_csv", "peak_rss_mb", 200),
    ("nightly_refresh", "median_ms", 60_000),
)
EXTRA = ("signed", "recomputed", "first_ms", "first_queries", "rows", "rows_per_s", "argon2_ms")


def _info_path(size: int) -> Path:
    return HERE / f".info_{size}.json"


def main() -> None:
    """Build and measure every size; print the table and write bench/results.json.

    BENCH_REUSE=1 measures an earlier build of the same size and database again (its
    description is kept beside the data) instead of building anew."""
    sizes = [int(s) for s in os.environ.get("BENCH_TRAINEES", "10000").split(",") if s.strip()]
    url = os.environ.get("BENCH_DATABASE_URL")
    database = "postgresql" if url else "sqlite"
    reuse = os.environ.get("BENCH_REUSE", "") not in ("", "0")
    records = []
    cohort_by_size = {}
    for size in sizes:
        tmp = _info_path(size) if database == "sqlite" else HERE / ".info_pg.json"
        info = json.loads(tmp.read_text()) if reuse and tmp.exists() else None
        if info is None or info.get("size") != size:
            print(f"== {database}, {size} trainees: building ...", flush=True)
            started = time.perf_counter()
            _child("--build", size, tmp)
            info = json.loads(tmp.read_text())
            info["size"] = size
            info["wall_s"] = round(time.perf_counter() - started, 1)
            tmp.write_text(json.dumps(info))
        print(
            f"   {info['rows']:,} rows: data built in {info['build_s']} s (migrations "
            f"{info['migrate_s']} s; load average {info.get('build_load')}), first snapshots "
            f"of {info.get('snapshots')} enrollments in {info.get('snapshots_s')} s",
            flush=True,
        )
        measure_out = HERE / f".measure_{database}_{size}.json"
        subprocess.run(  # noqa: S603 - our own script
            [sys.executable, __file__, "--measure", str(size), str(tmp), str(measure_out)],
            check=True,
            cwd=ROOT,
        )
        measured = json.loads(measure_out.read_text())
        measure_out.unlink()
        floor = measured["floor_ms"]
        if "cohort" in measured["pages"]:
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
                    "requests": values.get("requests"),
                    "load_avg": values.get("load_avg"),
                    "page_peak_rss_mb": values.get("peak_rss_mb"),
                    "floor_ms": floor,
                    "rows": info["rows"],
                    "peak_rss_mb": round(measured["rss"], 1),
                    "build_s": info["build_s"],
                    "build_load_avg": info.get("build_load"),
                    "first_snapshots_s": info.get("snapshots_s"),
                    **{key: values[key] for key in EXTRA if key in values},
                }
            )
    if 10000 in sizes and os.environ.get("BENCH_THROUGHPUT", "1") != "0":
        # Requests per second through gunicorn, as a ratio of /healthz (bench/throughput.py).
        import throughput

        rates = throughput.measure(_url(10000))
        throughput.report(rates)
        for page in ("healthz", "cohort", "trainee_home"):
            records.append(
                {
                    "database": database,
                    "size": 10000,
                    "page": f"throughput_{page}",
                    "requests_per_s": rates[page]["requests_per_s"],
                    "ratio_to_healthz": rates[page].get("ratio_to_healthz"),
                    "errors": rates[page]["errors"],
                    "load_avg": rates[page]["load_avg"],
                    "connections": rates["connections"],
                    "gunicorn_workers": rates["workers"],
                    "seconds": rates["seconds"],
                }
            )
    _report([r for r in records if "median_ms" in r], cohort_by_size, database)
    # Keep the figures of other databases and sizes: one file holds SQLite and PostgreSQL.
    # The file: {"about": notes on the runs, "targets_at_100000": ..., "results": [records]}.
    path = HERE / "results.json"
    measured = {(r["database"], r["size"]) for r in records}
    if os.environ.get("BENCH_ONLY"):  # only those pages were measured: keep the others
        measured = {(r["database"], r["size"], r["page"]) for r in records}
    stored = json.loads(path.read_text()) if path.exists() else {}
    if isinstance(stored, list):  # the earlier form: the records alone
        stored = {"results": stored}
    kept = [
        r
        for r in stored.get("results", [])
        if (r.get("database"), r.get("size")) not in measured
        and (r.get("database"), r.get("size"), r.get("page")) not in measured
    ]
    stored["targets_at_100000"] = {
        f"{page} {figure}": limit for page, figure, limit in TARGETS_100K
    } | {"cohort_csv rows_per_s (at least)": 20000, "build_s": 600}
    stored["results"] = kept + records
    path.write_text(json.dumps(stored, indent=2) + "\n")
    print(f"wrote {HERE / 'results.json'}")


def _report(records: list[dict], cohort_by_size: dict, database: str) -> None:
    print()
    print(
        f"{'db':<10} {'size':>6} {'page':<24} {'median ms':>10} {'p95 ms':>9} {'queries':>8} "
        f"{'load':>5}"
    )
    for r in records:
        print(
            f"{r['database']:<10} {r['size']:>6} {r['page']:<24} {r['median_ms']:>10.1f} "
            f"{r['p95_ms']:>9.1f} {r['queries']:>8} {r['load_avg'] or 0:>5.1f}"
        )
    print()
    for size in sorted({r["size"] for r in records}):
        rows = {r["page"]: r for r in records if r["size"] == size}
        floor = rows["cohort"]["floor_ms"] if "cohort" in rows else None
        if floor:
            ratio = rows["cohort"]["median_ms"] / floor
            print(
                f"{database} {size}: floor {floor:.1f} ms, cohort page / floor = {ratio:.2f}x, "
                f"peak RSS {rows['cohort']['peak_rss_mb']:.0f} MB, {rows['cohort']['rows']:,} "
                f"rows, data built in {rows['cohort']['build_s']} s (target < 600 s at 100,000)"
            )
        if size == 10000:
            for page in sorted(p for p in rows if p.startswith("report_")):
                if page.endswith(("_chart", "_pdf")):
                    continue
                value = rows[page]["median_ms"]
                verdict = "met" if value <= REPORT_TARGET_MS else "MISSED"
                print(
                    f"  target {page} <= {REPORT_TARGET_MS} ms median: {value:.1f} ms -> {verdict}"
                )
        for page, figure, limit in TARGETS_100K:
            if page not in rows:
                print(f"  {page}: not measured")
                continue
            value = rows[page]["page_peak_rss_mb" if figure == "peak_rss_mb" else figure]
            verdict = "met" if value <= limit else "MISSED"
            print(f"  target at 100,000 {page} {figure} <= {limit}: {value} -> {verdict}")
        if "cohort_csv" in rows:
            rate = rows["cohort_csv"].get("rows_per_s", 0)
            print(
                f"  target CSV >= 20,000 rows/s: {rate} -> {'met' if rate >= 20000 else 'MISSED'}"
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
