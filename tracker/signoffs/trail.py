"""Signatures as the audit trail records them: `signature.signed` with everything the signature
binds, `signature.voided` when staff reopen the entry. For `flask audit verify` to check the
live signatures against (see `tracker.audit.reconcile`), and each live signature against its
entry's current content."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

from sqlalchemy import and_
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.audit.reconcile import Discrepancy
from tracker.audit.reconcile import Replay
from tracker.audit.reconcile import TrailEvent
from tracker.audit.reconcile import moment
from tracker.audit.reconcile import replays
from tracker.audit.reconcile import stream
from tracker.signoffs.binding import SIGNED_RECORDS
from tracker.signoffs.binding import verify_binding
from tracker.signoffs.binding import verify_record_binding
from tracker.signoffs.entries import ENTRY_MODELS
from tracker.signoffs.models import Signature

# What a signature binds (its audited fields through the hash; not the key id nor the voiding),
# compared between the row and its `signature.signed` event.
BOUND = Signature.__audited__[: Signature.__audited__.index("content_hash") + 1]
SIGNED = "signature.signed"


def _bound(values: dict[str, Any]) -> tuple[Any, ...]:
    """The bound fields in `BOUND` order; the repeated texts interned (memory per signature)."""
    return tuple(_value(name, values.get(name)) for name in BOUND)


def _value(name: str, value: Any) -> Any:
    if name == "signed_at":
        return moment(value)
    if isinstance(value, str) and name != "content_hash":
        return sys.intern(value)
    return value


def _voided(after: Any) -> bool | None:
    """Whether an event's after leaves the signature voided (None when it says nothing)."""
    if not isinstance(after, dict):
        return None
    fields = after.get("signature") if "voided_at" not in after else after
    if not isinstance(fields, dict) or "voided_at" not in fields:
        return None
    return fields["voided_at"] is not None


def _shown(name: str, value: Any) -> str:
    if name == "content_hash" and isinstance(value, str):
        return f"{name} {value[:12]}…"
    return f"{name} {value}"


def _describe(signature: Signature) -> str:
    return (
        f"a signature by user {signature.signer_id} on {signature.entry_type} {signature.entry_id}"
    )


@replays
class SignatureTrail(Replay):
    """Every live signature has its `signature.signed` event, binding the same fields; whether
    it is voided is what the last event said; and it still matches its entry's content."""

    object_types = ("signatures",)

    def __init__(self) -> None:
        self.signed: dict[str, tuple[Any, ...]] = {}
        self.voided: dict[str, bool] = {}

    def replay(self, event: TrailEvent) -> None:
        """Keep what a signing bound, and whether the signature was last left voided."""
        key = event.object_id
        if key is None:
            return
        if event.removed:
            self.signed.pop(key, None)
            self.voided.pop(key, None)
            return
        if event.action == SIGNED and isinstance(event.after, dict):
            self.signed[key] = _bound(event.after)
        voided = _voided(event.after)
        if voided is not None:
            self.voided[key] = voided

    def differences(self, session: Session) -> Iterator[Discrepancy]:
        """Signatures changed, added, voided, reinstated or removed without an event, and live
        signatures whose entry changed or disappeared since it was signed."""
        signed_records = {kind: read(session) for kind, read in SIGNED_RECORDS.items()}
        for signature, *entries in stream(session, self._rows()):
            key = str(signature.id)
            recorded = self.signed.pop(key, None)
            voided = self.voided.pop(key, False)
            if recorded is None:
                yield Discrepancy(
                    "signatures",
                    key,
                    _describe(signature),
                    "no such signature",
                    f"written behind the application: no {SIGNED} event records it",
                )
            else:
                yield from self._compare(key, signature, recorded)
                yield from self._voiding(key, signature, voided)
            if signature.voided_at is None and signature.entry_type in SIGNED_RECORDS:
                content = signed_records[signature.entry_type].get(signature.entry_id)
                yield from self._record_binding(key, signature, content)
            elif signature.voided_at is None:
                entry = next((e for e in entries if e is not None), None)
                yield from self._binding(key, signature, entry)
        for key in self.signed:
            yield Discrepancy(
                "signatures",
                key,
                "no such signature",
                "a signature",
                f"deleted behind the application: a {SIGNED} event records it and no event "
                "removed it",
            )

    @staticmethod
    def _rows():
        """Every signature, with its entry when it is live (one of the three types)."""
        stmt = select(Signature, *ENTRY_MODELS.values())
        for entry_type, model in ENTRY_MODELS.items():
            stmt = stmt.outerjoin(
                model,
                and_(
                    Signature.voided_at.is_(None),
                    Signature.entry_type == entry_type,
                    model.id == Signature.entry_id,
                ),
            )
        return stmt.order_by(Signature.id)

    @staticmethod
    def _compare(
        key: str, signature: Signature, recorded: tuple[Any, ...]
    ) -> Iterator[Discrepancy]:
        stored = _bound({name: getattr(signature, name) for name in BOUND})
        differ = [n for n, now in enumerate(stored) if now != recorded[n]]
        if differ:
            yield Discrepancy(
                "signatures",
                key,
                ", ".join(_shown(BOUND[n], stored[n]) for n in differ),
                ", ".join(_shown(BOUND[n], recorded[n]) for n in differ),
                f"changed without an event: it differs from its {SIGNED} event",
            )

    @staticmethod
    def _voiding(key: str, signature: Signature, voided: bool) -> Iterator[Discrepancy]:
        live = signature.voided_at is None
        if live == voided:
            yield Discrepancy(
                "signatures",
                key,
                "live" if live else "voided",
                "voided" if voided else "live",
                ("reinstated" if live else "voided") + " without an event",
            )

    @staticmethod
    def _record_binding(
        key: str, signature: Signature, content: dict[str, Any] | None
    ) -> Iterator[Discrepancy]:
        """A signed record of a registered type (a certificate's act) still as signed."""
        if content is None:
            yield Discrepancy(
                "signatures",
                key,
                f"no {signature.entry_type} {signature.entry_id}",
                f"{signature.entry_type} {signature.entry_id} as signed",
                "the signed record no longer exists",
            )
        elif not verify_record_binding(signature, content):
            yield Discrepancy(
                "signatures",
                key,
                f"{signature.entry_type} {signature.entry_id} with other content",
                f"{signature.entry_type} {signature.entry_id} as signed",
                "the record's content changed after it was signed: the signature no longer "
                "matches it",
            )

    @staticmethod
    def _binding(key: str, signature: Signature, entry: Any) -> Iterator[Discrepancy]:
        if entry is None:
            yield Discrepancy(
                "signatures",
                key,
                f"no {signature.entry_type} {signature.entry_id}",
                f"{signature.entry_type} {signature.entry_id} as signed",
                "the signed entry no longer exists",
            )
        elif not verify_binding(signature, entry):
            yield Discrepancy(
                "signatures",
                key,
                f"{signature.entry_type} {signature.entry_id} with other content",
                f"{signature.entry_type} {signature.entry_id} as signed",
                "the entry's content changed after it was signed: the signature no longer "
                "matches it",
            )
