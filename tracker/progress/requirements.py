"""The content of a requirement set: plain, validated, immutable data.

A requirement set version stores one of these as a document. Every number a rule uses comes
from here, never from a constant in code. The same validation serves the staff pages, the TOML
import and the database loader, so a bad value is refused the same way everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal
from decimal import InvalidOperation
from typing import Any

LICENCE_TYPES = ("MD", "DO", "PhD", "PsyD", "LCSW", "LMFT", "LPCC", "LPC", "APRN", "PA")
EXPERIENTIAL_KINDS = ("observation", "role_play", "monitoring", "integration", "personal_session")
EXPERIENTIAL_LABELS = {
    "observation": "Observation of a live KAP session",
    "role_play": "Role-play",
    "monitoring": "Monitoring practice",
    "integration": "Integration practice",
    "personal_session": "Personal ketamine session (attestation)",
}
PERSONAL_SESSION_POLICIES = ("required", "optional", "none")
DOCUMENT_KINDS = ("cv", "personal_statement", "licence", "insurance")
DOCUMENT_LABELS = {
    "cv": "Curriculum vitae",
    "personal_statement": "Personal statement",
    "licence": "Licence document",
    "insurance": "Insurance certificate",
}
COMPETENCY_DOMAINS = (
    "screening",
    "consent",
    "preparation",
    "dosing_support",
    "monitoring",
    "integration",
    "ethics",
    "documentation",
)
_CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
MAX_HOURS = Decimal(2000)
QUARTER = Decimal("0.25")


class RequirementError(ValueError):
    """A requirement value is invalid; `field` names it the way a person reads it."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


@dataclass(frozen=True)
class Topic:
    """A didactic curriculum topic with its minimum hours."""

    code: str
    name: str
    min_hours: Decimal


@dataclass(frozen=True)
class Scenario:
    """An ethical scenario an applicant answers in the application."""

    code: str
    prompt: str


@dataclass(frozen=True)
class RequirementSpec:
    """Every number and list the nine steps are judged against."""

    didactic_topics: tuple[Topic, ...]
    didactic_total_hours: Decimal
    experiential_total_hours: Decimal
    experiential_min_counts: dict[str, int]
    program_total_hours: Decimal
    personal_session_policy: str
    personal_sessions_min: int
    personal_sessions_max: int
    health_screening_required: bool
    supervised_sessions_required: int
    case_presentations_required: int
    references_required: int
    documents_required: tuple[str, ...]
    accepted_licence_types: tuple[str, ...]
    ethical_scenarios: tuple[Scenario, ...]
    exam_pass_mark: int
    exam_max_attempts: int
    competency_domains: tuple[str, ...]
    competency_min_rating: int
    ce_credits_per_cycle: Decimal
    consultation_hours_per_cycle: Decimal
    ce_cycle_months: int
    expiry_warning_days: int
    signoff_wait_days: int
    inactivity_days: int
    ce_warning_days: int
    ce_grace_days: int
    ce_evidence_required: bool
    ce_audit_percent: int
    # The most didactic plus experiential hours a trainee may log for one day (retreat formats
    # with long days may raise it, up to 24).
    max_day_hours: Decimal
    extra: dict[str, Any] = field(default_factory=dict)

    # -- conversion -------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON- and TOML-ready dict (Decimals as strings, tuples as lists)."""
        raw = asdict(self)
        raw.pop("extra", None)
        return plain(raw)

    @classmethod
    def from_dict(cls, data: Any) -> RequirementSpec:
        """Validate `data` and build a spec; raise RequirementError naming the first bad field."""
        if not isinstance(data, dict):
            raise RequirementError("requirements", "must be a table of fields")
        known = {f for f in cls.__dataclass_fields__ if f != "extra"}
        # Fields added after versions were first stored: an older version reads as it always did.
        data = {**LATER_FIELDS, **data}
        unknown = sorted(set(data) - known)
        if unknown:
            raise RequirementError(unknown[0], "is not a known requirement field")
        missing = sorted(known - set(data))
        if missing:
            raise RequirementError(missing[0], "is missing")
        topics = _topics(data["didactic_topics"])
        didactic_total = _hours(data, "didactic_total_hours", minimum=Decimal(0))
        topic_sum = sum((t.min_hours for t in topics), Decimal(0))
        if topic_sum > didactic_total:
            raise RequirementError(
                "didactic_total_hours",
                f"is {didactic_total} but the topic minimums add up to {topic_sum}",
            )
        experiential_total = _hours(data, "experiential_total_hours", minimum=Decimal(0))
        counts = data["experiential_min_counts"]
        if not isinstance(counts, dict):
            raise RequirementError("experiential_min_counts", "must be a table of activity counts")
        clean_counts: dict[str, int] = {}
        for kind, value in counts.items():
            if kind not in EXPERIENTIAL_KINDS or kind == "personal_session":
                raise RequirementError(
                    f"experiential_min_counts.{kind}",
                    "is not an activity type with a minimum count "
                    "(personal sessions follow the personal-session policy)",
                )
            clean_counts[kind] = _int_value(f"experiential_min_counts.{kind}", value, 0, 100)
        program_total = _hours(data, "program_total_hours", minimum=Decimal(0))
        policy = data["personal_session_policy"]
        if policy not in PERSONAL_SESSION_POLICIES:
            raise RequirementError(
                "personal_session_policy", f"must be one of {', '.join(PERSONAL_SESSION_POLICIES)}"
            )
        ps_min = _int(data, "personal_sessions_min", 0, 10)
        ps_max = _int(data, "personal_sessions_max", 0, 10)
        if ps_min > ps_max:
            raise RequirementError("personal_sessions_min", "must not exceed personal_sessions_max")
        if policy == "required" and ps_min < 1:
            raise RequirementError("personal_sessions_min", "must be at least 1 when required")
        documents = _choices(data, "documents_required", DOCUMENT_KINDS)
        licences = _choices(data, "accepted_licence_types", LICENCE_TYPES, allow_empty=False)
        scenarios = _scenarios(data["ethical_scenarios"])
        domains = _choices(data, "competency_domains", COMPETENCY_DOMAINS)
        spec = cls(
            didactic_topics=topics,
            didactic_total_hours=didactic_total,
            experiential_total_hours=experiential_total,
            experiential_min_counts=clean_counts,
            program_total_hours=program_total,
            personal_session_policy=policy,
            personal_sessions_min=ps_min,
            personal_sessions_max=ps_max,
            health_screening_required=_bool(data, "health_screening_required"),
            supervised_sessions_required=_int(data, "supervised_sessions_required", 2, 6),
            case_presentations_required=_int(data, "case_presentations_required", 0, 10),
            references_required=_int(data, "references_required", 0, 10),
            documents_required=documents,
            accepted_licence_types=licences,
            ethical_scenarios=scenarios,
            exam_pass_mark=_int(data, "exam_pass_mark", 1, 100),
            exam_max_attempts=_int(data, "exam_max_attempts", 1, 10),
            competency_domains=domains,
            competency_min_rating=_int(data, "competency_min_rating", 1, 4),
            ce_credits_per_cycle=_hours(data, "ce_credits_per_cycle", minimum=Decimal(0)),
            consultation_hours_per_cycle=_hours(
                data, "consultation_hours_per_cycle", minimum=Decimal(0)
            ),
            ce_cycle_months=_int(data, "ce_cycle_months", 1, 120),
            expiry_warning_days=_int(data, "expiry_warning_days", 0, 365),
            signoff_wait_days=_int(data, "signoff_wait_days", 1, 90),
            inactivity_days=_int(data, "inactivity_days", 1, 365),
            ce_warning_days=_int(data, "ce_warning_days", 0, 365),
            ce_grace_days=_int(data, "ce_grace_days", 0, 365),
            ce_evidence_required=_bool(data, "ce_evidence_required"),
            ce_audit_percent=_int(data, "ce_audit_percent", 0, 100),
            max_day_hours=_day_hours(data),
        )
        if spec.program_total_hours < max(spec.didactic_total_hours, spec.experiential_total_hours):
            raise RequirementError(
                "program_total_hours", "must be at least the didactic and the experiential totals"
            )
        return spec

    @classmethod
    def default(cls, track_format: str = "online") -> RequirementSpec:
        """The defaults from the field's guide; retreats weigh experiential learning more."""
        data = default_dict()
        if track_format == "retreat":
            data["didactic_total_hours"] = "90"
            data["experiential_total_hours"] = "50"
            data["experiential_min_counts"] = {
                "observation": 3,
                "role_play": 4,
                "monitoring": 2,
                "integration": 2,
            }
        elif track_format == "hybrid":
            data["didactic_total_hours"] = "105"
            data["experiential_total_hours"] = "35"
        return cls.from_dict(data)

    # -- helpers for the engine ---------------------------------------------------------------

    def topic(self, code: str) -> Topic | None:
        """Return the topic with `code`, or None."""
        return next((t for t in self.didactic_topics if t.code == code), None)


DEFAULT_TOPICS = (
    ("pharmacology", "Pharmacology and mechanisms", "12"),
    ("safety", "Safety, screening and monitoring", "12"),
    ("protocols", "Protocols: preparation, dosing, integration", "16"),
    ("routes", "Administration routes (IV, IM, sublingual, intranasal)", "8"),
    ("frameworks", "Therapeutic frameworks for non-ordinary states", "12"),
    ("ethics", "Ethics, consent and documentation", "10"),
    ("trauma", "Trauma-informed care", "8"),
    ("legal", "Legal and business", "4"),
    ("culture", "Cultural humility", "4"),
)

DEFAULT_SCENARIOS = (
    (
        "boundaries",
        "A client asks to continue the session at your home after dosing. How do you respond, "
        "and what do you document?",
    ),
    (
        "consent",
        "A client wants to change the dosing plan once the medicine is taking effect. "
        "How do you handle consent?",
    ),
    (
        "disclosure",
        "During integration a client discloses a risk of harm to a third party. What do you do?",
    ),
)


# Fields a stored version may lack, with the value that keeps its meaning unchanged: no grace
# period after a renewal cycle ends (versions stored before the field existed lapsed at once).
# CE review is the exception: versions stored before it existed counted CE unseen, which is the
# flaw review answers, so they get the reviewed defaults (evidence required, every entry reviewed).
# A version stored before the daily cap was a field gets the program's default cap of 12 hours
# (the former fixed 24 let two full 12-hour entries land on one day).
LATER_FIELDS: dict[str, Any] = {
    "ce_grace_days": 0,
    "ce_evidence_required": True,
    "ce_audit_percent": 100,
    "max_day_hours": "12",
}


def default_dict() -> dict[str, Any]:
    """The default requirement document as plain data (the seed's numbers)."""
    return {
        "didactic_topics": [{"code": c, "name": n, "min_hours": h} for c, n, h in DEFAULT_TOPICS],
        "didactic_total_hours": "110",
        "experiential_total_hours": "30",
        "experiential_min_counts": {
            "observation": 2,
            "role_play": 2,
            "monitoring": 1,
            "integration": 1,
        },
        "program_total_hours": "140",
        "personal_session_policy": "optional",
        "personal_sessions_min": 0,
        "personal_sessions_max": 3,
        "health_screening_required": True,
        "supervised_sessions_required": 4,
        "case_presentations_required": 1,
        "references_required": 2,
        "documents_required": list(DOCUMENT_KINDS),
        "accepted_licence_types": list(LICENCE_TYPES),
        "ethical_scenarios": [{"code": c, "prompt": p} for c, p in DEFAULT_SCENARIOS],
        "exam_pass_mark": 80,
        "exam_max_attempts": 3,
        "competency_domains": list(COMPETENCY_DOMAINS),
        "competency_min_rating": 3,
        "ce_credits_per_cycle": "12",
        "consultation_hours_per_cycle": "6",
        "ce_cycle_months": 24,
        "expiry_warning_days": 60,
        "signoff_wait_days": 7,
        "inactivity_days": 21,
        "ce_warning_days": 90,
        "ce_grace_days": 60,
        "ce_evidence_required": True,
        "ce_audit_percent": 100,
        "max_day_hours": "12",
    }


# -- validation helpers ---------------------------------------------------------------------


def plain(value: Any, hours: Callable[[Decimal], Any] | None = None) -> Any:
    """`value` with its dicts, lists and tuples copied and every Decimal (hours) passed through
    `hours` (default: its text, "7.5")."""
    if isinstance(value, Decimal):
        return (hours or _hours_text)(value)
    if isinstance(value, dict):
        return {k: plain(v, hours) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v, hours) for v in value]
    return value


def _hours_text(value: Decimal) -> str:
    return format(value.normalize(), "f")


def parse_hours(field_name: str, value: Any, minimum: Decimal = Decimal(0)) -> Decimal:
    """Parse a quarter-hour amount from text or a number, refusing floats' surprises."""
    if isinstance(value, bool) or value is None:
        raise RequirementError(field_name, "must be a number of hours")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise RequirementError(field_name, "must be a number of hours") from None
    if not amount.is_finite():
        raise RequirementError(field_name, "must be a number of hours")
    if amount < minimum:
        raise RequirementError(field_name, f"must be at least {minimum}")
    if amount > MAX_HOURS:
        raise RequirementError(field_name, f"must be at most {MAX_HOURS}")
    if amount % QUARTER != 0:
        raise RequirementError(field_name, "must be in quarter hours (.25, .5, .75)")
    return amount


def _hours(data: dict[str, Any], name: str, minimum: Decimal) -> Decimal:
    return parse_hours(name, data[name], minimum)


def _day_hours(data: dict[str, Any]) -> Decimal:
    """The daily cap: 1 to 24 quarter hours."""
    amount = parse_hours("max_day_hours", data["max_day_hours"], Decimal(1))
    if amount > 24:
        raise RequirementError("max_day_hours", "must be at most 24 (hours in a day)")
    return amount


def _int_value(name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value.strip())
        else:
            raise RequirementError(name, "must be a whole number")
    if not low <= value <= high:
        raise RequirementError(name, f"must be between {low} and {high}")
    return value


def _int(data: dict[str, Any], name: str, low: int, high: int) -> int:
    return _int_value(name, data[name], low, high)


def _bool(data: dict[str, Any], name: str) -> bool:
    value = data[name]
    if not isinstance(value, bool):
        raise RequirementError(name, "must be true or false")
    return value


def _choices(
    data: dict[str, Any], name: str, allowed: tuple[str, ...], allow_empty: bool = True
) -> tuple[str, ...]:
    value = data[name]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise RequirementError(name, "must be a list of names")
    for item in value:
        if item not in allowed:
            raise RequirementError(name, f"'{item[:40]}' is not one of {', '.join(allowed)}")
    if len(set(value)) != len(value):
        raise RequirementError(name, "lists a value twice")
    if not allow_empty and not value:
        raise RequirementError(name, "must list at least one")
    # Keep the canonical order so two equal sets compare equal.
    return tuple(a for a in allowed if a in value)


def _text(name: str, value: Any, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RequirementError(name, "must be non-empty text")
    value = value.strip()
    if len(value) > limit:
        raise RequirementError(name, f"must be at most {limit} characters")
    return value


def _code(name: str, value: Any) -> str:
    if not isinstance(value, str) or not _CODE.match(value):
        raise RequirementError(
            name, "must be a short code of lower-case letters, digits and underscores"
        )
    return value


def _topics(value: Any) -> tuple[Topic, ...]:
    if not isinstance(value, list) or not value:
        raise RequirementError("didactic_topics", "must list at least one topic")
    if len(value) > 40:
        raise RequirementError("didactic_topics", "must list at most 40 topics")
    topics: list[Topic] = []
    for index, raw in enumerate(value, start=1):
        where = f"didactic_topics[{index}]"
        if not isinstance(raw, dict) or set(raw) != {"code", "name", "min_hours"}:
            raise RequirementError(where, "must have exactly code, name and min_hours")
        topics.append(
            Topic(
                code=_code(f"{where}.code", raw["code"]),
                name=_text(f"{where}.name", raw["name"], 120),
                min_hours=parse_hours(f"{where}.min_hours", raw["min_hours"]),
            )
        )
    codes = [t.code for t in topics]
    if len(set(codes)) != len(codes):
        raise RequirementError("didactic_topics", "two topics share a code")
    return tuple(topics)


def _scenarios(value: Any) -> tuple[Scenario, ...]:
    if not isinstance(value, list):
        raise RequirementError("ethical_scenarios", "must be a list")
    if len(value) > 20:
        raise RequirementError("ethical_scenarios", "must list at most 20 scenarios")
    scenarios: list[Scenario] = []
    for index, raw in enumerate(value, start=1):
        where = f"ethical_scenarios[{index}]"
        if not isinstance(raw, dict) or set(raw) != {"code", "prompt"}:
            raise RequirementError(where, "must have exactly code and prompt")
        scenarios.append(
            Scenario(
                code=_code(f"{where}.code", raw["code"]),
                prompt=_text(f"{where}.prompt", raw["prompt"], 2000),
            )
        )
    codes = [s.code for s in scenarios]
    if len(set(codes)) != len(codes):
        raise RequirementError("ethical_scenarios", "two scenarios share a code")
    return tuple(scenarios)
