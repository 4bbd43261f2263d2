"""The `make load` workload (run by bench/load.py): trainees, supervisors and staff, each a
distinct account signed in through the real form, with CSRF tokens scraped from each form.

Every write the server acknowledges (a redirect, then the success message on the next page) is
appended to the ledger (LOAD_LEDGER) with its unique marker, so that load.py can match it to
the rows in the database afterwards. A refusal the app gives on purpose under concurrency (two
supervisors signing the same entry) is recorded as a conflict, not as an error; anything else
unexpected (5xx, an unexpected 4xx or redirect, a missing success message) fails the request.
"""

from __future__ import annotations

import html
import itertools
import json
import os
import random
import re
import time
import uuid
from collections import defaultdict
from datetime import date
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from locust import HttpUser
from locust import between
from locust import events
from locust import task
from locust.exception import StopUser
from urllib3 import PoolManager

PLAN = json.loads(Path(os.environ["LOAD_PLAN"]).read_text())
LEDGER = Path(os.environ["LOAD_LEDGER"]).open("a", buffering=1)  # noqa: SIM115 - for the run
FIRST_DAY = date.fromisoformat(PLAN["first_day"])
LAST_DAY = date.fromisoformat(PLAN["last_day"])
SIGN_GAP_S = 4.0  # at most 15 signings a minute per supervisor; the limit is 20
DAY_CAP = Decimal(24)

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
FLASH = re.compile(r'<div class="alert alert-(\w+)" role="\w+">(.*?)</div>', re.S)
TOPICS = re.compile(r'<select[^>]*name="topic_code"[^>]*>(.*?)</select>', re.S)
OPTION = re.compile(r'<option[^>]*value="([^"]+)"')
CLIENT_CODE = re.compile(r'<input[^>]*name="client_code"[^>]*>')
VALUE = re.compile(r'value="([^"]*)"')
# A queue row: the entry's key, the content hash the sign form carries back, the trainee's name.
QUEUE_ROW = re.compile(
    r'name="selected" value="([a-z]+:\d+)"[^>]*>'
    r'<input type="hidden" name="hash:[^"]+" value="([^"]*)"></td>'
    r"\s*<td>[^<]*</td>\s*<td>([^<]*)</td>"
)
SESSION_PATH = re.compile(r"/supervision/sessions/(\d+)$")
REFLECTION = (
    "Preparation covered intentions and consent; during dosing I tracked vital signs and offered "
    "grounding when anxiety rose; integration linked the imagery to the treatment goals."
)
_addresses = itertools.count(2)


@events.quitting.add_listener
def write_statistics(environment, **_kwargs) -> None:
    """Write every request's statistics, those made while users finished their task included."""
    stats = environment.stats

    def summary(entry) -> dict:
        return {
            "method": entry.method,
            "name": entry.name,
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "p50": entry.get_response_time_percentile(0.5),
            "p95": entry.get_response_time_percentile(0.95),
            "p99": entry.get_response_time_percentile(0.99),
        }

    total = stats.total
    Path(os.environ["LOAD_STATS"]).write_text(
        json.dumps(
            {
                "entries": [summary(e) for e in stats.entries.values()],
                "total": summary(total),
                "seconds": max((total.last_request_timestamp or 0) - total.start_time, 0.001),
                "errors": [
                    {
                        "method": e.method,
                        "name": e.name,
                        "error": str(e.error),
                        "count": e.occurrences,
                    }
                    for e in stats.errors.values()
                ],
            }
        )
    )


def record(entry: dict) -> None:
    """Append one acknowledged write (or conflict) to the ledger."""
    LEDGER.write(json.dumps(entry) + "\n")


def flashes(text: str) -> list[tuple[str, str]]:
    """The (category, message) pairs of a page's flashed messages."""
    return [(c, html.unescape(m).strip()) for c, m in FLASH.findall(text)]


def token(text: str) -> str | None:
    """The CSRF token of the first form on the page."""
    match = CSRF.search(text)
    return match.group(1) if match else None


def path_of(location: str) -> str:
    """The path of a Location header (relative or absolute)."""
    return re.sub(r"^https?://[^/]+", "", location or "")


# A unique marker of letters only: digits in a note could read as a record number, which the
# de-identification check refuses (as it should).
_LETTERS = str.maketrans("0123456789", "ghijklmnop")


def _marker() -> str:
    return f"load-{uuid.uuid4().hex.translate(_LETTERS)}"


class Person(HttpUser):
    """A signed-in person with a cookie jar of their own, connecting from their own loopback
    address so that the per-address rate limits apply per person, as in production."""

    abstract = True
    accounts: list = []

    def __init__(self, *args, **kwargs) -> None:
        n = next(_addresses)
        address = f"127.0.{n // 250}.{n % 250 + 1}" if n >= 250 else f"127.0.0.{n}"
        self.pool_manager = PoolManager(source_address=(address, 0), maxsize=1)
        super().__init__(*args, **kwargs)

    def claim(self) -> str:
        """Take the next account of this kind; each person is a distinct account."""
        if not type(self).accounts:
            raise StopUser("no account left for this person")
        return type(self).accounts.pop(0)

    def sign_in(self, email: str) -> None:
        with self.client.get(
            "/account/login", name="GET /account/login", catch_response=True
        ) as page:
            csrf = token(page.text)
            if page.status_code != 200 or not csrf:
                page.failure(f"sign-in page: {page.status_code}")
                raise StopUser()
        with self.client.post(
            "/account/login",
            data={"email": email, "password": PLAN["password"], "csrf_token": csrf, "next": ""},
            name="POST /account/login",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code != 302 or "/account/login" in answer.headers.get("Location", ""):
                answer.failure(f"sign-in of {email} refused: {answer.status_code}")
                raise StopUser()

    def page(self, path: str, name: str, expect_text: str | None = None) -> str | None:
        """GET a page that must answer 200 (no redirect to sign-in); return its text."""
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code} {r.headers.get('Location', '')}".strip())
                return None
            if expect_text and expect_text not in r.text:
                r.failure(f"page lacks {expect_text!r}")
                return None
            return r.text

    def post(self, path: str, data, name: str, expect_location: re.Pattern | str):
        """POST a form that must answer with a redirect to `expect_location`; return the
        redirect's path, or None after marking the request failed."""
        with self.client.post(
            path, data=data, name=name, allow_redirects=False, catch_response=True
        ) as r:
            location = path_of(r.headers.get("Location", ""))
            if r.status_code != 302:
                problems = [m for c, m in flashes(r.text) if c == "danger"]
                errors = re.findall(r'class="invalid-feedback[^"]*"[^>]*>(.*?)<', r.text)
                r.failure(f"{r.status_code}: {' '.join(problems + errors)[:200]}")
                return None
            wanted = (
                expect_location.search(location)
                if isinstance(expect_location, re.Pattern)
                else location == expect_location
            )
            if not wanted:
                r.failure(f"redirected to {location}")
                return None
            return location


class Trainee(Person):
    """Signs in, views the home page, logs didactic hours and records and submits sessions."""

    weight = 3
    wait_time = between(0.5, 2.0)
    accounts = list(PLAN["trainees"])

    def on_start(self) -> None:
        self.account = self.claim()
        self.logged: dict[date, Decimal] = defaultdict(Decimal)
        self.sign_in(self.account["email"])

    def _day(self, hours: Decimal) -> date:
        span = (LAST_DAY - FIRST_DAY).days
        for _ in range(50):
            day = FIRST_DAY + timedelta(days=random.randint(0, span))  # noqa: S311
            if self.logged[day] + hours <= DAY_CAP:
                return day
        raise StopUser("no day with room left under the daily cap")

    @task(3)
    def home(self) -> None:
        self.page("/dashboard/trainee", "GET /dashboard/trainee", self.account["name"])

    @task(1)
    def hours_page(self) -> None:
        self.page("/training/", "GET /training/")

    @task(3)
    def log_didactic(self) -> None:
        text = self.page("/training/didactic/new", "GET /training/didactic/new")
        if text is None:
            return
        topics = OPTION.findall(TOPICS.search(text).group(1))
        hours = random.choice((Decimal("0.25"), Decimal("0.5"), Decimal("0.75"), Decimal(1)))  # noqa: S311
        day = self._day(hours)
        marker = _marker()
        data = {
            "csrf_token": token(text),
            "on": day.isoformat(),
            "topic_code": random.choice(topics),  # noqa: S311
            "hours": str(hours),
            # A provider of its own: two entries with the same day, hours and provider are what
            # the form asks the trainee to confirm as a possible duplicate.
            "provider": f"Load-run course {marker}",
            "note": marker,
        }
        if self.post("/training/didactic/new", data, "POST /training/didactic/new", "/training/"):
            self.logged[day] += hours  # counted once the server took it
            after = self.page("/training/", "GET /training/")
            if after is not None:
                self._acknowledged(
                    after, "Didactic hours logged", {"kind": "didactic", "marker": marker}
                )

    def _acknowledged(self, text: str, message: str, entry: dict) -> bool:
        if any(c == "success" and message in m for c, m in flashes(text)):
            record(entry)
            return True
        self.environment.events.request.fire(
            request_type="CHECK",
            name=f"success message: {message}",
            response_time=0,
            response_length=0,
            exception=AssertionError(f"no success message after the write: {flashes(text)}"),
            context={},
        )
        return False

    @task(2)
    def record_and_submit_session(self) -> None:
        text = self.page("/supervision/sessions/new", "GET /supervision/sessions/new")
        if text is None:
            return
        code_input = CLIENT_CODE.search(text)
        marker = _marker()
        data = {
            "csrf_token": token(text),
            "on": self._day(Decimal(0)).isoformat(),
            "client_code": VALUE.search(code_input.group(0)).group(1),
            "setting": random.choice(("clinic", "private_practice", "research")),  # noqa: S311
            "route": random.choice(("im", "sublingual", "intranasal")),  # noqa: S311
            "trainee_role": random.choice(("observer", "co_therapist", "lead")),  # noqa: S311
            "supervision_mode": random.choice(("live", "video_review")),  # noqa: S311
            "covers_preparation": "y",
            "covers_dosing": "y",
            "duration_minutes": str(random.choice((60, 90, 120))),  # noqa: S311
            "reflection": f"{REFLECTION} {marker}",
        }
        where = self.post(
            "/supervision/sessions/new", data, "POST /supervision/sessions/new", SESSION_PATH
        )
        if where is None:
            return
        session_id = int(SESSION_PATH.search(where).group(1))
        text = self.page(where, "GET /supervision/sessions/[id]")
        if text is None or not self._acknowledged(
            text,
            "Session saved as a draft",
            {"kind": "session", "marker": marker, "id": session_id},
        ):
            return
        submitted = self.post(
            f"{where}/submit",
            {"csrf_token": token(text)},
            "POST /supervision/sessions/[id]/submit",
            where,
        )
        if submitted:
            text = self.page(where, "GET /supervision/sessions/[id]")
            if text is not None:
                self._acknowledged(
                    text, "Session submitted for sign-off", {"kind": "submit", "id": session_id}
                )


class Supervisor(Person):
    """Views the queue and signs waiting entries with the password; now and then an entry of a
    trainee they back up, which the primary may be signing at the same moment."""

    fixed_count = PLAN["counts"]["supervisor"]
    wait_time = between(1.0, 3.0)
    accounts = list(PLAN["supervisors"])

    def on_start(self) -> None:
        self.account = self.claim()
        self.last_signed = 0.0
        self.sign_in(self.account["email"])

    def _queue(self) -> tuple[str | None, list[tuple[str, str]]]:
        text = self.page("/signoffs/", "GET /signoffs/")
        if text is None:
            return None, []
        rows = QUEUE_ROW.findall(text)
        self.hashes = {key: html.unescape(digest) for key, digest, _name in rows}
        return text, [(key, html.unescape(name)) for key, _digest, name in rows]

    @task(2)
    def view_queue(self) -> None:
        self._queue()

    @task(1)
    def view_entry(self) -> None:
        _text, rows = self._queue()
        if rows:
            entry_type, entry_id = random.choice(rows)[0].split(":")  # noqa: S311
            self.page(f"/signoffs/{entry_type}/{entry_id}", "GET /signoffs/[type]/[id]")

    @task(3)
    def sign(self) -> None:
        text, rows = self._queue()
        if not rows:
            return
        mine = set(self.account["primary_of"])
        keys = [key for key, name in rows if name in mine][:8]
        others = [key for key, name in rows if name not in mine]
        if others and random.random() < 0.15:  # noqa: S311
            keys += random.sample(others, min(2, len(others)))
        if not keys:
            return
        wait = self.last_signed + SIGN_GAP_S - time.monotonic()
        if wait > 0:
            time.sleep(wait)  # cooperative: locust runs users as greenlets
        self.last_signed = time.monotonic()
        data = {
            "csrf_token": token(text),
            "back": "signoffs.queue",
            "selected": keys,
            # The content hash the page showed of each entry: a signature binds to what was seen.
            **{f"hash:{key}": self.hashes[key] for key in keys},
            "password": PLAN["password"],
        }
        if not self.post("/signoffs/sign", data, "POST /signoffs/sign", "/signoffs/"):
            return
        after = self.page("/signoffs/", "GET /signoffs/")
        if after is None:
            return
        messages = flashes(after)
        success = [m for c, m in messages if c == "success" and m.startswith("Signed ")]
        danger = [m for c, m in messages if c == "danger"]
        if success and success[0] == f"Signed {len(keys)} entr{'y' if len(keys) == 1 else 'ies'}.":
            record({"kind": "sign", "keys": keys})
        elif danger and (
            (
                danger[0].startswith("Nothing was signed")
                and all("not waiting for sign-off" in m for m in danger[1:])
            )
            or all("a moment ago" in m or "already carries a signature" in m for m in danger)
        ):
            record({"kind": "conflict", "keys": keys})
        else:
            self.environment.events.request.fire(
                request_type="CHECK",
                name="success message: Signed",
                response_time=0,
                response_length=0,
                exception=AssertionError(f"unexpected answer to signing: {messages}"),
                context={},
            )


class Staff(Person):
    """Reads the cohort page and its CSV, and verifies certificates on the public page."""

    fixed_count = PLAN["counts"]["staff"]
    wait_time = between(0.5, 2.0)
    accounts = list(PLAN["staff"])

    def on_start(self) -> None:
        self.sign_in(self.claim())

    @task(3)
    def cohort(self) -> None:
        self.page("/dashboard/cohort", "GET /dashboard/cohort")

    @task(2)
    def cohort_csv(self) -> None:
        with self.client.get(
            "/dashboard/cohort.csv",
            name="GET /dashboard/cohort.csv",
            allow_redirects=False,
            catch_response=True,
        ) as r:
            if r.status_code != 200 or not r.headers.get("Content-Type", "").startswith("text/csv"):
                r.failure(f"{r.status_code} {r.headers.get('Content-Type')}")
                return
            # Streamed: a body cut short still answers 200, so every trainee's row must be there.
            missing = [t["name"] for t in PLAN["trainees"] if f",{t['name']}," not in r.text]
            if missing or not r.text.endswith("\r\n"):
                r.failure(f"incomplete CSV: {len(r.text)} characters, {len(missing)} rows missing")

    @task(2)
    def verify_certificate(self) -> None:
        if PLAN["certificates"]:
            code = random.choice(PLAN["certificates"])  # noqa: S311
            self.page(f"/verify/{code}", "GET /verify/[code]", "Certificate verification")
