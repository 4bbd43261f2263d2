"""`make load`: serve the app with gunicorn on a scratch database and drive a mixed workload.

The run: a scratch database (SQLite in WAL mode in a temporary folder, or a schema of its own in
the PostgreSQL database named by LOAD_DATABASE_URL), migrations, `flask demo`, extra accounts
and admitted enrollments made through the services, gunicorn with production settings, then
locust (bench/locustfile.py) for LOAD_SECONDS (default 60) with LOAD_USERS people (default 20):
trainees log didactic hours and supervised sessions and submit them, supervisors sign what waits
for them, staff read the cohort page and its CSV and verify certificates.

At the end it prints throughput, latency percentiles and errors per request type, then checks
every write the server acknowledged against the rows and audit events in the database: none
lost, none doubled, none written without acknowledgement, and the audit chain intact. It exits
non-zero when any request failed (5xx, unexpected 4xx, a missing success message) or any write
does not match.

Rate limits stay as in production. Each simulated person is a distinct account and connects
from its own loopback address (127.0.0.2, 127.0.0.3, ...), as people do from their own
machines, so the per-address limits (sign-in, certificate verification) apply per person; each
supervisor signs at most once every 4 seconds, under the 20-a-minute limit per signer.

Environment: LOAD_SECONDS, LOAD_USERS, LOAD_WORKERS (default 4), LOAD_DATABASE_URL (PostgreSQL;
never a database named `test`), LOAD_KEEP=1 keeps the scratch folder and schema for inspection.
Internal: `load.py seed PLAN` and `load.py check PLAN LEDGER OUT` run inside the app's
environment as child processes.
"""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "demo passphrase for kap"  # noqa: S105 - the demo's published password
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
SCENARIO_ANSWER = (
    "I would decline, restate the boundaries agreed at consent, make sure the client gets home "
    "safely with their support person, document the request and discuss it in supervision."
)
# Audit actions of the writes the workload makes.
WRITE_ACTIONS = ("didactic.logged", "session.created", "session.submitted", "signature.signed")


# -- settings -------------------------------------------------------------------------------------


def _int_env(name: str, default: int, minimum: int) -> int:
    raw = os.environ.get(name, "").strip()
    try:
        value = int(raw) if raw else default
    except ValueError:
        raise SystemExit(f"{name} must be a whole number (got {raw!r})") from None
    if value < minimum:
        raise SystemExit(f"{name} must be at least {minimum} (got {value})")
    return value


def split_users(users: int) -> dict[str, int]:
    """How many trainees, supervisors and staff make up `users` people (about 3:1:1)."""
    staff = max(1, round(users * 0.2))
    supervisors = max(1, round(users * 0.2))
    return {"trainee": users - staff - supervisors, "supervisor": supervisors, "staff": staff}


# -- the scratch database -------------------------------------------------------------------------


class Scratch:
    """The run's database: a fresh SQLite file, or a schema of its own in a PostgreSQL database
    (created here, dropped at the end), so nothing else in that database is touched."""

    def __init__(self, url: str | None) -> None:
        self.schema: str | None = None
        self.admin_url = url
        self.url = ""
        if not url:
            self.label = "SQLite (WAL)"
            return
        from sqlalchemy import make_url

        parsed = make_url(url)
        if parsed.get_backend_name() != "postgresql":
            raise SystemExit("LOAD_DATABASE_URL must be a PostgreSQL URL (postgresql+psycopg://…)")
        if parsed.database == "test":
            raise SystemExit(
                "Refusing LOAD_DATABASE_URL: the database `test` belongs to the test suite "
                "(`make test`). Create one for the load run, e.g. "
                "`createdb kap_load`, and name that one."
            )
        self.schema = f"load_{secrets.token_hex(4)}"
        app_url = parsed.update_query_dict({"options": f"-csearch_path={self.schema}"})
        self.url = app_url.render_as_string(hide_password=False)
        self.label = f"PostgreSQL ({parsed.database}, schema {self.schema})"

    def create(self, folder: Path) -> None:
        """Create the schema (PostgreSQL); SQLite creates its file in `folder` on first use."""
        if self.schema is None:
            self.url = f"sqlite:///{folder / 'load.db'}"
            return
        from sqlalchemy import create_engine
        from sqlalchemy import text

        engine = create_engine(self.admin_url)
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{self.schema}"'))
        engine.dispose()

    def drop(self) -> None:
        """Drop the run's schema (PostgreSQL)."""
        if self.schema is None:
            return
        from sqlalchemy import create_engine
        from sqlalchemy import text

        engine = create_engine(self.admin_url)
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
        engine.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _redis_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


def _credential_key() -> str:
    """A new Ed25519 signing key for the credentials, as PEM."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return (
        Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )


def app_environment(scratch: Scratch, folder: Path, port: int) -> dict[str, str]:
    """Production settings as `make serve` uses them, on the scratch database."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MAIL_", "TEST_DATABASE", "FLASK_"))
    }
    storage = os.environ.get("RATELIMIT_STORAGE_URI") or (
        "redis://127.0.0.1:6379/0" if _redis_answers() else "memory://"
    )
    env.update(
        {
            "TRACKER_ENV": "production",
            "SECRET_KEY": secrets.token_hex(32),
            "AUDIT_KEYS": f"load:{secrets.token_hex(32)}",
            # Production issues no certificate without a signing key: a fresh one for the run.
            "CREDENTIAL_KEY": _credential_key(),
            "SESSION_COOKIE_SECURE": "0",
            # Password sign-in for the measured staff and supervisors, as `make serve` does
            # (production otherwise sends them to set up a second factor first).
            "SECOND_FACTOR_REQUIRED": "0",
            "DATABASE_URL": scratch.url,
            "INSTANCE_PATH": str(folder / "instance"),
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "ALLOW_INSECURE_BASE_URL": "1",  # plain http on the local machine, as make serve
            "RATELIMIT_STORAGE_URI": storage,
            # Counters of this run only, even in a Redis that other servers share.
            "RATELIMIT_KEY_PREFIX": f"kap-load-{secrets.token_hex(4)}",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


# -- seeding (child process, inside the app) ------------------------------------------------------


class _Upload:
    """A PDF as the web layer would hand it over."""

    def __init__(self, name: str) -> None:
        self.stream = io.BytesIO(PDF)
        self.filename = name


def _account(email: str, name: str, roles: set[str], staff):
    from tracker.accounts import services as accounts

    user = accounts.invite(email, name, roles, staff)
    accounts.set_password(user, PASSWORD, reason="set")
    return user


def _supervisor(n: int, staff, today):
    from datetime import timedelta

    from tracker.eligibility.services import InsuranceInput
    from tracker.eligibility.services import LicenceInput
    from tracker.signoffs.services import record_supervisor_credential

    user = _account(
        f"load-supervisor{n}@example.org", f"Load Supervisor {n}", {"supervisor"}, staff
    )
    licence = LicenceInput("PsyD", f"PSY 7{n:04d}", "CA", today + timedelta(days=700))
    insurance = InsuranceInput(
        "Allied Professional Mutual",
        f"APM-L{n:04d}",
        today - timedelta(days=30),
        today + timedelta(days=335),
    )
    record_supervisor_credential(user, staff, "licence", licence, "primary_source", "", today)
    record_supervisor_credential(
        user, staff, "insurance", insurance, "carrier_confirmation", "", today
    )
    return user


def _admitted_trainee(n: int, staff, track, cohort, today, primary, backup):
    """An applicant who completes the application, is verified, admitted and assigned."""
    from datetime import timedelta

    from tracker.admissions import services as admissions
    from tracker.applications import services as applications
    from tracker.eligibility import services as eligibility
    from tracker.eligibility.models import SCREENING_QUESTIONS
    from tracker.enrollments.services import choose_track

    name = f"Load Trainee {n}"
    user = _account(f"load-trainee{n}@example.org", name, {"trainee"}, staff)
    enrollment = choose_track(user, track.id, cohort.id, today)
    documents = [
        applications.upload_document(enrollment, user, kind, _Upload(f"{kind}.pdf"))
        for kind in ("cv", "personal_statement")
    ]
    for r in (1, 2):
        applications.add_reference(
            enrollment,
            user,
            applications.ReferenceInput(f"Dr. Referee {r}", f"referee{r}@example.net", "colleague"),
        )
    for scenario in track.current_requirements.spec.ethical_scenarios:
        applications.answer_scenario(enrollment, user, scenario.code, SCENARIO_ANSWER)
    licence = eligibility.add_licence(
        user,
        eligibility.LicenceInput(
            "LMFT", f"LMFT 5{n:04d}", "CA", today + timedelta(days=500), today - timedelta(days=900)
        ),
        _Upload("licence.pdf"),
        today,
    )
    insurance = eligibility.add_insurance(
        user,
        eligibility.InsuranceInput(
            "Allied Professional Mutual",
            f"APM-T{n:04d}",
            today - timedelta(days=60),
            today + timedelta(days=300),
        ),
        _Upload("insurance.pdf"),
        today,
    )
    eligibility.attest_experience(user, 6, "Community mental health; private practice", True)
    screening = eligibility.sign_health_screening(
        user, {column: False for column, _question in SCREENING_QUESTIONS}, name
    )
    applications.submit_application(enrollment, user)
    admissions.verify_credential(licence, staff, "primary_source", "")
    admissions.verify_credential(insurance, staff, "carrier_confirmation", "")
    admissions.set_health_clearance(screening, staff, "cleared")
    for document in documents:  # staff accept the CV and statement before admitting
        admissions.review_document(enrollment, document, staff, "accepted", "")
    admissions.admit(enrollment, staff, "Admitted for the load run.")
    admissions.assign_supervisors(
        enrollment, staff, primary.id, backup.id if backup is not None else None
    )
    return user, enrollment


def do_seed(plan_path: Path) -> None:
    """Add the load run's accounts and enrollments to the demo, and write the plan."""
    from datetime import timedelta

    from sqlalchemy import select

    from tracker import create_app
    from tracker.accounts.services import find_by_email
    from tracker.certificates.models import Certificate
    from tracker.core.clock import today_in
    from tracker.extensions import db
    from tracker.programs.models import Cohort
    from tracker.programs.models import Program
    from tracker.programs.models import Track

    counts = json.loads(plan_path.read_text())["counts"]
    app = create_app()
    with app.app_context():
        staff = find_by_email("staff@example.org")
        program = db.session.scalar(select(Program).where(Program.name == "Pacific KAP Institute"))
        track = db.session.scalar(
            select(Track).where(Track.program_id == program.id, Track.format == "online")
        )
        cohort = db.session.scalar(
            select(Cohort).where(Cohort.program_id == program.id, Cohort.name == "Spring 2026")
        )
        today = today_in(program.timezone)
        extra_staff = [
            _account(f"load-staff{n}@example.org", f"Load Staff {n}", {"staff"}, staff)
            for n in range(1, counts["staff"])
        ]
        supervisors = [_supervisor(n, staff, today) for n in range(1, counts["supervisor"] + 1)]
        db.session.commit()
        trainees = []
        for n in range(1, counts["trainee"] + 1):
            primary = supervisors[(n - 1) % len(supervisors)]
            backup = supervisors[n % len(supervisors)] if len(supervisors) > 1 else None
            user, enrollment = _admitted_trainee(n, staff, track, cohort, today, primary, backup)
            db.session.commit()
            trainees.append(
                {
                    "email": user.email,
                    "name": user.full_name,
                    "enrollment_id": enrollment.id,
                    "primary": primary.email,
                    "backup": backup.email if backup is not None else None,
                }
            )
        codes = list(db.session.scalars(select(Certificate.verification_code)))
        plan = json.loads(plan_path.read_text())
        plan.update(
            {
                "password": PASSWORD,
                "staff": [staff.email] + [u.email for u in extra_staff],
                "supervisors": [
                    {
                        "email": s.email,
                        "primary_of": [t["name"] for t in trainees if t["primary"] == s.email],
                    }
                    for s in supervisors
                ],
                "trainees": trainees,
                "certificates": codes,
                # Training dates must fall within the cohort and not in the future (program
                # time zone); a day's margin at either end.
                "first_day": (cohort.starts_on + timedelta(days=1)).isoformat(),
                "last_day": (today - timedelta(days=1)).isoformat(),
            }
        )
        plan_path.write_text(json.dumps(plan, indent=2))


# -- the integrity check (child process, inside the app) ------------------------------------------


def _read_ledger(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _match(acked: list[str], found: dict[str, list[int]]) -> dict[str, int]:
    """Acknowledged markers against the rows found per marker."""
    lost = sum(1 for m in acked if not found.get(m))
    doubled = sum(1 for m in acked if len(found.get(m, ())) > 1)
    unacknowledged = sum(len(ids) for m, ids in found.items() if m not in set(acked))
    return {"lost": lost, "doubled": doubled, "unacknowledged": unacknowledged}


def do_check(plan_path: Path, ledger_path: Path, out_path: Path) -> None:
    """Count the rows and audit events the workload wrote against its acknowledged writes."""
    from sqlalchemy import select

    from tracker import create_app
    from tracker.audit.models import AuditEvent
    from tracker.audit.services import verify_chain
    from tracker.extensions import db
    from tracker.signoffs.entries import DONE_STATUS
    from tracker.signoffs.models import Signature
    from tracker.supervision.models import SupervisedSession
    from tracker.training.models import DidacticEntry

    plan = json.loads(plan_path.read_text())
    ledger = _read_ledger(ledger_path)
    enrollment_ids = [t["enrollment_id"] for t in plan["trainees"]]
    acked = {kind: [r for r in ledger if r["kind"] == kind] for kind in ("didactic", "session")}
    submits = [r["id"] for r in ledger if r["kind"] == "submit"]
    signed = [tuple(key.split(":")) for r in ledger if r["kind"] == "sign" for key in r["keys"]]
    signed = [(entry_type, int(entry_id)) for entry_type, entry_id in signed]

    app = create_app()
    with app.app_context():
        events: dict[tuple[str, str], int] = Counter(
            (action, object_id)
            for action, object_id in db.session.execute(
                select(AuditEvent.action, AuditEvent.object_id).where(
                    AuditEvent.action.in_(WRITE_ACTIONS)
                )
            )
        )

        def audit(action: str, ids) -> dict[str, int]:
            counts = [events.get((action, str(i)), 0) for i in ids]
            return {
                "audit_events": sum(counts),
                "audit_lost": sum(1 for c in counts if c == 0),
                "audit_doubled": sum(1 for c in counts if c > 1),
            }

        result: dict[str, dict] = {}
        # Didactic entries: the note carries the write's marker.
        rows = db.session.execute(
            select(DidacticEntry.id, DidacticEntry.note).where(
                DidacticEntry.enrollment_id.in_(enrollment_ids)
            )
        ).all()
        by_marker: dict[str, list[int]] = {}
        for entry_id, note in rows:
            by_marker.setdefault(note, []).append(entry_id)
        markers = [r["marker"] for r in acked["didactic"]]
        result["didactic entries"] = {
            "acknowledged": len(markers),
            "rows": len(rows),
            **_match(markers, by_marker),
            **audit("didactic.logged", [i for ids in by_marker.values() for i in ids]),
        }
        # Sessions: the reflection ends with the marker.
        rows = db.session.execute(
            select(
                SupervisedSession.id, SupervisedSession.reflection, SupervisedSession.status
            ).where(SupervisedSession.enrollment_id.in_(enrollment_ids))
        ).all()
        by_marker = {}
        status = {}
        for session_id, reflection, state in rows:
            by_marker.setdefault(reflection.rsplit(" ", 1)[-1], []).append(session_id)
            status[session_id] = state
        markers = [r["marker"] for r in acked["session"]]
        result["sessions"] = {
            "acknowledged": len(markers),
            "rows": len(rows),
            **_match(markers, by_marker),
            **audit("session.created", list(status)),
        }
        # Submissions: the session's status and one session.submitted event each.
        sent = [i for i, state in status.items() if state in ("submitted", "signed")]
        result["session submissions"] = {
            "acknowledged": len(submits),
            "rows": len(sent),
            "lost": sum(1 for i in submits if i not in set(sent)),
            "doubled": sum(
                1 for i in set(submits) if events.get(("session.submitted", str(i)), 0) > 1
            )
            + len(submits)
            - len(set(submits)),
            "unacknowledged": sum(1 for i in sent if i not in set(submits)),
            **audit("session.submitted", sent),
        }
        # Signatures: one per acknowledged entry, its entry done, one signature.signed event.
        signatures = db.session.execute(
            select(Signature.id, Signature.entry_type, Signature.entry_id).where(
                Signature.enrollment_id.in_(enrollment_ids)
            )
        ).all()
        per_key: dict[tuple[str, int], list[int]] = {}
        for signature_id, entry_type, entry_id in signatures:
            per_key.setdefault((entry_type, entry_id), []).append(signature_id)
        from tracker.signoffs.entries import load_entry

        not_done = sum(
            1
            for key in set(signed)
            if (entry := load_entry(*key)) is None or entry.status != DONE_STATUS[key[0]]
        )
        result["signatures"] = {
            "acknowledged": len(signed),
            "rows": len(signatures),
            "lost": sum(1 for key in signed if not per_key.get(key)) + not_done,
            "doubled": sum(1 for key in set(signed) if len(per_key.get(key, ())) > 1)
            + len(signed)
            - len(set(signed)),
            "unacknowledged": sum(
                len(ids) for key, ids in per_key.items() if key not in set(signed)
            ),
            **audit("signature.signed", [s[0] for s in signatures]),
        }
        checked, broken = verify_chain()
        chain = {
            "events": checked,
            "intact": broken is None,
            "break": None if broken is None else f"event {broken.event_id}: {broken.reason}",
        }
    out_path.write_text(json.dumps({"writes": result, "chain": chain}, indent=2))


# -- two app servers behind a proxy ---------------------------------------------------------------


class Visitor:
    """One person's browser, talking to a given server from its own loopback address, with its
    cookies: the same cookie sent to either server shows whether the state is shared."""

    CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')

    def __init__(self, address: str) -> None:
        self.address = address
        self.cookies: dict[str, str] = {}

    def request(self, port: int, method: str, path: str, form: dict | None = None):
        connection = http.client.HTTPConnection(
            "127.0.0.1", port, timeout=30, source_address=(self.address, 0)
        )
        headers = {"Host": f"127.0.0.1:{port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, response.getheader("Location") or "", text
        finally:
            connection.close()

    def token(self, port: int, path: str) -> str:
        _status, _location, text = self.request(port, "GET", path)
        match = self.CSRF.search(text)
        return match.group(1) if match else ""  # none: the POST is refused, the check fails


def check_shared(ports: list[int], email: str) -> dict[str, bool]:
    """What two servers must share, checked against each server directly (not via the proxy):
    a sign-in session, the sign-in limit (30 a minute per address) and a rate limit (60
    verifications a minute per address), each counted once over both servers."""
    first, second = ports[0], ports[1]
    results: dict[str, bool] = {}

    person = Visitor("127.0.3.1")
    token = person.token(first, "/account/login")
    status, _location, _text = person.request(
        first, "POST", "/account/login", {"email": email, "password": PASSWORD, "csrf_token": token}
    )
    signed_in = status == 302
    status_b, _location, _ = person.request(second, "GET", "/dashboard/cohort")
    results["a sign-in on server 1 is valid on server 2"] = signed_in and status_b == 200
    token = person.token(second, "/dashboard/cohort")
    person.request(second, "POST", "/account/logout", {"csrf_token": token})
    status_a, location_a, _ = person.request(first, "GET", "/dashboard/cohort")
    results["a sign-out on server 2 ends the session on server 1"] = (
        status_a == 302 and "/account/login" in location_a
    )

    # 31 failed sign-ins from one address, alternating servers: the limit (30 a minute) must
    # refuse the 31st, which it would not if each server counted its own 15 or 16.
    guesser = Visitor("127.0.3.2")
    tokens = {port: guesser.token(port, "/account/login") for port in ports}
    statuses = []
    for n in range(31):
        port = ports[n % 2]
        form = {
            "email": "nobody@example.org",
            "password": "wrong guess",
            "csrf_token": tokens[port],
        }
        statuses.append(guesser.request(port, "POST", "/account/login", form)[0])
    results["the sign-in limit is shared (31st of 30 a minute refused)"] = (
        429 not in statuses[:30] and statuses[30] == 429
    )

    # 61 verifications of an unknown code from one address, alternating servers.
    checker = Visitor("127.0.3.3")
    statuses = [
        checker.request(ports[n % 2], "GET", f"/verify/no-such-code-{n}")[0] for n in range(61)
    ]
    results["the verification rate limit is shared (61st of 60 a minute refused)"] = (
        429 not in statuses[:60] and statuses[60] == 429
    )
    return results


def _start_proxy(folder: Path, port: int, upstreams: list[int]) -> subprocess.Popen:
    """nginx as this run's own process, with bench/nginx.conf filled in, in its own prefix."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise SystemExit("LOAD_SERVERS=2 needs nginx (Debian: apt-get install nginx)")
    prefix = folder / "nginx"
    for sub in ("logs", "tmp"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    # Run as root, nginx's worker becomes `nobody`: let it reach its temp folders.
    for path in (folder, prefix, prefix / "tmp"):
        path.chmod(0o755 if path != prefix / "tmp" else 0o1777)
    conf = (HERE / "nginx.conf").read_text()
    conf = conf.replace("@PORT@", str(port)).replace(
        "@UPSTREAMS@", "\n".join(f"        server 127.0.0.1:{p};" for p in upstreams)
    )
    (prefix / "nginx.conf").write_text(conf)
    log = (prefix / "logs" / "stderr.log").open("wb")
    return subprocess.Popen(  # noqa: S603
        [
            nginx,
            "-p",
            str(prefix),
            "-c",
            str(prefix / "nginx.conf"),
            "-e",
            "logs/error.log",
            "-g",
            "daemon off;",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )


# -- the run --------------------------------------------------------------------------------------


def _run(cmd: list[str], env: dict[str, str], what: str, log: Path) -> None:
    started = time.perf_counter()
    with log.open("ab") as out:
        done = subprocess.run(cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
    if done.returncode != 0:
        sys.stdout.write(log.read_text()[-4000:])
        raise SystemExit(f"{what} failed (exit {done.returncode}); log above")
    print(f"  {what}: {time.perf_counter() - started:.1f} s")


def _wait_until_up(base: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.stdout.write(log.read_text()[-4000:])
            raise SystemExit("gunicorn exited before answering; log above")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{base}/healthz", timeout=2) as response,  # noqa: S310
        ):
            if response.status == 200:
                return
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def report_requests(stats: dict) -> int:
    """Print the per-request table; return the number of failed requests."""
    seconds = stats["seconds"]
    print()
    print(
        f"{'request':<42} {'count':>6} {'req/s':>6} {'p50':>6} {'p95':>6} {'p99':>6} {'errors':>6}"
    )

    def line(name: str, e: dict) -> None:
        print(
            f"{name:<42} {e['requests']:>6} {e['requests'] / seconds:>6.1f} {e['p50']:>6,.0f} "
            f"{e['p95']:>6,.0f} {e['p99']:>6,.0f} {e['failures']:>6}"
        )

    for e in sorted(stats["entries"], key=lambda e: (e["name"].split(" ", 1)[-1], e["name"])):
        line(e["name"], e)
    print("-" * 80)
    line("all requests", stats["total"])
    print(f"(latencies in ms; {seconds:.0f} s from the first request to the last)")
    if stats["errors"]:
        print("\nErrors:")
        for e in stats["errors"]:
            print(f"  {e['count']:>5} x {e['name']}: {e['error'][:300]}")
    return stats["total"]["failures"]


def report_writes(check: dict) -> bool:
    """Print the writes table; return True when every write matches."""
    print()
    print(
        f"{'writes':<22} {'acknowledged':>12} {'rows':>6} {'lost':>5} {'doubled':>8} "
        f"{'unacked':>8} {'audit events':>13} {'audit lost/doubled':>19}"
    )
    ok = True
    for name, w in check["writes"].items():
        print(
            f"{name:<22} {w['acknowledged']:>12} {w['rows']:>6} {w['lost']:>5} {w['doubled']:>8} "
            f"{w['unacknowledged']:>8} {w['audit_events']:>13} "
            f"{w['audit_lost']:>9}/{w['audit_doubled']}"
        )
        bad = w["lost"] + w["doubled"] + w["unacknowledged"] + w["audit_lost"] + w["audit_doubled"]
        ok = ok and bad == 0
    chain = check["chain"]
    if chain["intact"]:
        print(f"Audit trail: {chain['events']} events, hash chain intact.")
    else:
        print(f"Audit trail BROKEN at {chain['break']}")
        ok = False
    return ok


def _conflicts(ledger: list[dict]) -> int:
    return sum(1 for r in ledger if r["kind"] == "conflict")


def _gunicorn(env: dict[str, str], folder: Path, port: int, workers: int, n: int):
    log = (folder / f"gunicorn{n}.log").open("wb")
    return subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            str(folder / f"access{n}.log"),
            "--error-logfile",
            "-",
            "tracker:create_app()",
        ],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _audit_verify(env: dict[str, str], log: Path) -> bool:
    """`flask audit verify` on the run's database: the chain from the first event to the last."""
    with log.open("ab") as out:
        done = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "tracker", "audit", "verify"],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    print(f"flask audit verify: {'intact' if done.returncode == 0 else 'FAILED'}")
    return done.returncode == 0


def main() -> int:
    seconds = _int_env("LOAD_SECONDS", 60, 5)
    users = _int_env("LOAD_USERS", 20, 3)
    servers = _int_env("LOAD_SERVERS", 1, 1)
    workers = _int_env("LOAD_WORKERS", 4 if servers == 1 else 2, 1)
    keep = os.environ.get("LOAD_KEEP", "") not in ("", "0")
    counts = split_users(users)
    scratch = Scratch(os.environ.get("LOAD_DATABASE_URL"))  # refuses `test` before anything
    if servers > 1 and scratch.schema is None:
        raise SystemExit("LOAD_SERVERS=2 needs LOAD_DATABASE_URL: servers share PostgreSQL")
    folder = Path(tempfile.mkdtemp(prefix="kap-load-"))
    try:
        scratch.create(folder)
    except Exception as error:
        shutil.rmtree(folder, ignore_errors=True)
        raise SystemExit(f"cannot prepare the scratch database: {error}") from None
    ports = [_free_port() for _ in range(servers)]
    port = _free_port() if servers > 1 else ports[0]  # the proxy's, with two servers or more
    base = f"http://127.0.0.1:{port}"
    env = app_environment(scratch, folder, port)
    if servers > 1:
        if not env["RATELIMIT_STORAGE_URI"].startswith("redis"):
            raise SystemExit("LOAD_SERVERS=2 needs Redis on 127.0.0.1:6379 (shared rate limits)")
        env["TRUSTED_PROXIES"] = "1"  # nginx: the client's address from X-Forwarded-For
    log = folder / "setup.log"
    plan, ledger_path = folder / "plan.json", folder / "ledger.jsonl"
    plan.write_text(json.dumps({"counts": counts, "seconds": seconds}))
    shape = (
        f"{servers} gunicorn servers of {workers} workers ({', '.join(map(str, ports))}) "
        f"behind nginx on {base}"
        if servers > 1
        else f"{workers} gunicorn workers on {base}"
    )
    print(
        f"Load run: {shape}, {scratch.label}, {users} people "
        f"({counts['trainee']} trainees, {counts['supervisor']} supervisors, "
        f"{counts['staff']} staff) for {seconds} s; rate limits in {env['RATELIMIT_STORAGE_URI']}; "
        f"load average before: {os.getloadavg()[0]:.2f}"
    )
    print(f"Scratch folder: {folder}")
    running: list[subprocess.Popen] = []
    shared: dict[str, bool] = {}
    try:
        flask = [sys.executable, "-m", "flask", "--app", "tracker"]
        _run([*flask, "db", "upgrade"], env, "migrations", log)
        _run([*flask, "demo"], env, "flask demo", log)
        _run([sys.executable, __file__, "seed", str(plan)], env, "load accounts", log)
        for n, server_port in enumerate(ports, start=1):
            running.append(_gunicorn(env, folder, server_port, workers, n))
        for n, server_port in enumerate(ports, start=1):
            _wait_until_up(
                f"http://127.0.0.1:{server_port}", running[n - 1], folder / f"gunicorn{n}.log"
            )
        if servers > 1:
            running.append(_start_proxy(folder, port, ports))
            _wait_until_up(base, running[-1], folder / "nginx" / "logs" / "error.log")
        locust_env = {
            **env,
            "LOAD_PLAN": str(plan),
            "LOAD_LEDGER": str(ledger_path),
            "LOAD_STATS": str(folder / "stats.json"),
        }
        spawn_rate = max(1, users // 5)
        print(f"  driving the workload for {seconds} s …")
        with (folder / "locust.log").open("wb") as out:
            subprocess.run(  # noqa: S603
                [
                    sys.executable,
                    "-m",
                    "locust",
                    "-f",
                    str(HERE / "locustfile.py"),
                    "--headless",
                    "--users",
                    str(users),
                    "--spawn-rate",
                    str(spawn_rate),
                    "--run-time",
                    f"{seconds}s",
                    "--stop-timeout",
                    "30",
                    "--host",
                    base,
                    "--only-summary",
                ],
                env=locust_env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        load_after = os.getloadavg()[0]
        if servers > 1:
            staff_email = json.loads(plan.read_text())["staff"][0]
            shared = check_shared(ports, staff_email)
        for process in reversed(running):
            process.terminate()
            process.wait(timeout=30)
        running = []
        stats_path = folder / "stats.json"
        if not stats_path.exists():
            sys.stdout.write((folder / "locust.log").read_text()[-4000:])
            raise SystemExit("locust wrote no statistics; log above")
        stats = json.loads(stats_path.read_text())
        measured = stats["total"]["requests"]
        failures = report_requests(stats)
        print(f"(load average at the end of the run: {load_after:.2f})")
        for n in range(1, servers + 1):
            served = len((folder / f"access{n}.log").read_text().splitlines())
            print(f"server {n} answered {served} requests")
        ledger = _read_ledger(ledger_path)
        conflicts = _conflicts(ledger)
        if conflicts:
            print(
                f"\n{conflicts} signing attempt(s) refused because another supervisor signed "
                "an entry first (the app's all-or-nothing answer; not an error)."
            )
        check_path = folder / "check.json"
        _run(
            [sys.executable, __file__, "check", str(plan), str(ledger_path), str(check_path)],
            env,
            "integrity check",
            log,
        )
        writes_ok = report_writes(json.loads(check_path.read_text()))
        chain_ok = _audit_verify(env, log)
        if shared:
            print()
            for what, held in shared.items():
                print(f"{'yes' if held else 'NO '}  {what}")
        server_errors = [
            line
            for n in range(1, servers + 1)
            for line in (folder / f"gunicorn{n}.log").read_text().splitlines()
            if "Traceback" in line or " ERROR " in line or "[CRITICAL]" in line
        ]
        if server_errors:
            print(f"\nThe servers logged {len(server_errors)} error line(s); see {folder}")
        ok = (
            failures == 0
            and writes_ok
            and chain_ok
            and all(shared.values())
            and not server_errors
            and measured > 0
        )
        print(
            "\nResult: "
            + (
                "PASS: no errors, no lost or doubled writes."
                if ok
                else "FAIL: see the errors and writes above."
            )
        )
        keep = keep or not ok  # a failed run keeps its logs for a look
        return 0 if ok else 1
    finally:
        for process in reversed(running):
            process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=30)
        if keep:
            print(f"Kept {folder}" + (f" and schema {scratch.schema}" if scratch.schema else ""))
        else:
            with contextlib.suppress(Exception):
                scratch.drop()
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "seed":
        do_seed(Path(sys.argv[2]))
    elif len(sys.argv) > 1 and sys.argv[1] == "check":
        do_check(Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]))
    else:
        sys.exit(main())
