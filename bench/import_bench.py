"""Time the import of didactic attendance: the preview and the commit of 10,000 rows.

    .venv/bin/python bench/import_bench.py [--rows 10000] [--trainees 200] [--database-url URL]

Without --database-url (or BENCH_DATABASE_URL) a fresh SQLite file under bench/ is used; a
PostgreSQL URL names a scratch database that is emptied first (never one named test*). The
database is migrated, a program with `--trainees` admitted trainees is built, and `--rows` rows
(spread over the trainees, the topics and the last 60 days, within the daily cap) are previewed
and committed through `tracker.imports.services`, as the pages and an API call them. Targets:
preview under 5 s, commit (its re-validation included) under 10 s. The load average is printed
beside the figures: on a shared machine it says how much to trust them. Not part of the tests.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

TARGETS_S = {"preview": 5.0, "commit": 10.0}


def _rows(emails: list[str], count: int, today, topics: list[str]) -> list[dict]:
    rows = []
    for n in range(count):
        person = emails[n % len(emails)]
        days_ago = 1 + (n // len(emails)) % 60
        rows.append(
            {
                "line": n + 2,
                "person": person,
                "topic": topics[n % len(topics)],
                "date": (today - timedelta(days=days_ago)).isoformat(),
                "hours": "1.5",
                "provider": "Moodle",
                "external_id": f"bench-{n}",
            }
        )
    return rows


def main() -> None:
    """Build, preview, commit, preview again; print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--trainees", type=int, default=200)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{HERE / 'import_bench.db'}"

    import flask_migrate
    from run import _app
    from run import _fresh

    from tracker.core.clock import today_in
    from tracker.extensions import db
    from tracker.factories.accounts import make_user
    from tracker.factories.enrollments import enroll
    from tracker.factories.programs import make_program
    from tracker.imports import services

    app = _app(url)
    _fresh(url, app)
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        program = make_program(name="Bench program", cohorts=(("Running", -120, 300),))
        staff = make_user("bench.staff@example.org", "Bench Staff", ("staff",), None)
        emails = []
        for n in range(args.trainees):
            email = f"bench.trainee{n}@example.org"
            enroll(make_user(email, f"Trainee {n}", ("trainee",), None), program, "admitted", 100)
            emails.append(email)
        db.session.commit()
        spec = services.program_spec(program)
        topics = [topic.code for topic in spec.didactic_topics]
        rows = _rows(emails, args.rows, today_in(program.timezone), topics)

        db.session.expire_all()
        started = time.perf_counter()
        preview = services.preview(program, rows)
        preview_s = time.perf_counter() - started
        assert preview.count("create") == args.rows, [r.reason for r in preview.rows if r.reason][
            :3
        ]

        db.session.expire_all()
        started = time.perf_counter()
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            batch = profiler.runcall(
                services.commit, program, rows, staff, preview.digest, "api", "bench"
            )
            db.session.commit()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        else:
            batch = services.commit(program, rows, staff, preview.digest, "api", "bench")
            db.session.commit()
        commit_s = time.perf_counter() - started

        db.session.expire_all()
        started = time.perf_counter()
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            again = profiler.runcall(services.preview, program, rows)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        else:
            again = services.preview(program, rows)
        again_s = time.perf_counter() - started
        assert again.count("duplicate") == args.rows

        db.session.expire_all()
        started = time.perf_counter()
        services.undo(db.session.get(type(batch), batch.id), staff, "Benchmark run, undone.")
        db.session.commit()
        undo_s = time.perf_counter() - started
        backend = db.engine.dialect.name
    figures = {
        "database": backend,
        "rows": args.rows,
        "trainees": args.trainees,
        "preview_s": round(preview_s, 2),
        "commit_s": round(commit_s, 2),
        "preview_again_s": round(again_s, 2),
        "undo_s": round(undo_s, 2),
        "targets_s": TARGETS_S,
        "within_targets": preview_s < TARGETS_S["preview"] and commit_s < TARGETS_S["commit"],
        "load_average": [round(value, 2) for value in os.getloadavg()],
        "cpus": os.cpu_count(),
    }
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
