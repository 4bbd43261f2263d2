"""Certificates as Open Badges 3.0 credentials: the OpenBadgeCredential (VC Data Model 2.0, OB
3.0.3 context) built and signed once when a certificate is issued, and the check of a credential
someone received: its proof, whether the key is ours, its status bits, and whether it is the
credential on our record. Services flush; the caller commits."""

from __future__ import annotations

import copy
import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from tracker.audit.services import audited
from tracker.audit.services import record
from tracker.certificates.issuer import current_key
from tracker.certificates.issuer import is_ours
from tracker.certificates.issuer import issuer_email
from tracker.certificates.issuer import resolve
from tracker.certificates.models import Certificate
from tracker.certificates.models import CertificateCredential
from tracker.certificates.models import StatusList
from tracker.certificates.status_lists import assign_entries
from tracker.credentials import integrity
from tracker.credentials import status_list as bitstring
from tracker.credentials.jsonld import OB_V3P0
from tracker.credentials.jsonld import VC_V2
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.standing import assess_one

MAX_BYTES = 256 * 1024
ISSUED = "certificate.credential_issued"


def identity_hash(email: str, salt: str) -> str:
    """The IdentityObject hash of an e-mail address: 'sha256$' and the hex SHA-256 of the
    address (trimmed, lower case) followed by the salt."""
    digest = hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()
    return f"sha256${digest}"


def _hours(value: Any) -> str:
    text = f"{value:f}" if hasattr(value, "is_finite") else str(value)
    return text.rstrip("0").rstrip(".") if "." in text else text


def criteria_narrative(cert: Certificate) -> str:
    """What the holder did, in the engine's words: the nine steps and the hours and sessions
    the holder's requirement set asked for."""
    loaded = assess_one(cert.enrollment_id)
    if loaded is None or loaded.spec is None or loaded.progress is None:
        return f"Completed the certification requirements of {cert.program_name}."
    spec = loaded.spec
    steps = "; ".join(f"{i}. {step.title}" for i, step in enumerate(loaded.progress.steps, 1))
    return (
        f"Completed the nine steps of the {cert.program_name} certification ({steps}), "
        f"including {_hours(spec.didactic_total_hours)} hours of didactic training, "
        f"{_hours(spec.experiential_total_hours)} hours of experiential learning and "
        f"{spec.supervised_sessions_required} supervised KAP sessions signed off by a "
        "supervisor, and passed the final assessment."
    )


def _status_entry(url: str, purpose: str, index: int) -> dict[str, str]:
    return {
        "id": f"{url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": url,
    }


def _valid_until(cert: Certificate) -> str | None:
    """The end of the expiry day in the program's time zone, when the certificate expires."""
    if cert.expires_on is None:
        return None
    zone = ZoneInfo(cert.enrollment.program.timezone)
    end = datetime.combine(cert.expires_on, time(23, 59, 59), tzinfo=zone)
    return integrity.xsd_datetime(end.astimezone(UTC))


def badge_image_url(base_url: str, cert: Certificate) -> str:
    """The address of the badge image the app serves for the certificate's program."""
    return f"{base_url}/credentials/programs/{cert.enrollment.program_id}/badge.svg"


def build_credential(
    cert: Certificate, base_url: str, issuer_did: str, status: dict[str, tuple[str, int]]
) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential of a certificate; `status` maps each purpose to its
    list's address and the certificate's index."""
    salt = secrets.token_hex(16)
    track = cert.enrollment.track
    achievement_key = f"{base_url}/tracks/{track.id if track else 'program'}/{cert.credential}"
    issued_at = cert.created_at or utcnow()
    profile = {
        "id": issuer_did,
        "type": ["Profile"],
        "name": cert.program_name,
        "url": base_url,
    }
    email = issuer_email()
    if email:
        profile["email"] = email
    document: dict[str, Any] = {
        "@context": [VC_V2, OB_V3P0],
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": cert.credential,
        "description": (
            f"{cert.credential}, awarded by {cert.program_name} to the holder of certificate "
            f"{cert.number} on {cert.issued_on.isoformat()}."
        ),
        "issuer": profile,
        "validFrom": integrity.xsd_datetime(issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": identity_hash(cert.enrollment.trainee.email, salt),
                    "identityType": "emailAddress",
                    "hashed": True,
                    "salt": salt,
                }
            ],
            "licenseNumber": cert.number,
            "achievement": {
                "id": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, achievement_key)}",
                "type": ["Achievement"],
                "achievementType": "Certification",
                "name": cert.credential,
                "description": (
                    f"{cert.credential}: the certification in ketamine-assisted psychotherapy "
                    f"of {cert.program_name}."
                ),
                "criteria": {"narrative": criteria_narrative(cert)},
                "image": {
                    "id": badge_image_url(base_url, cert),
                    "type": "Image",
                    "caption": f"{cert.credential} badge",
                },
            },
        },
        "credentialStatus": [
            _status_entry(url, purpose, index) for purpose, (url, index) in status.items()
        ],
    }
    valid_until = _valid_until(cert)
    if valid_until:
        document["validUntil"] = valid_until
    return document


def issue_credential(cert: Certificate, base_url: str) -> CertificateCredential:
    """Sign and keep the certificate's credential, with its places in the status lists (KeyProblem
    when no signing key is configured). Once per certificate."""
    from tracker.certificates.status_lists import list_url

    key = current_key()
    entries = assign_entries(cert.id, base_url)
    status = {
        purpose: (list_url(base_url, status_list), index)
        for purpose, (status_list, index) in entries.items()
    }
    unsigned = build_credential(cert, base_url, key.did, status)
    # Open Badges 3.0 defines `proof` as an array (its JSON schema refuses a single object).
    signed = integrity.sign(unsigned, key, utcnow(), as_set=True)
    row = CertificateCredential(
        certificate_id=cert.id,
        credential_id=signed["id"],
        document=json.dumps(signed, indent=2, ensure_ascii=False),
        verification_method=key.verification_method,
        signed_at=utcnow(),
    )
    db.session.add(row)
    db.session.flush()
    record(ISSUED, row, after=audited(row), subject_user_id=cert.enrollment.trainee_id)
    return row


def credential_of(certificate_id: int) -> CertificateCredential | None:
    """The certificate's signed credential, or None (certificates issued before credentials)."""
    return db.session.scalar(
        select(CertificateCredential).where(CertificateCredential.certificate_id == certificate_id)
    )


# -- checking a credential someone received ----------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One answer of a credential check: what was checked, whether it passed, and why."""

    label: str
    ok: bool
    reason: str


@dataclass
class CredentialReport:
    """The answers about a submitted credential, in order: proof, issuer key, each status bit,
    match with our record. `certificate` is the matching certificate, when there is one."""

    findings: list[Finding] = field(default_factory=list)
    certificate: Certificate | None = None

    @property
    def ok(self) -> bool:
        """True when every answer passed."""
        return bool(self.findings) and all(f.ok for f in self.findings)

    def as_json(self) -> dict[str, Any]:
        """The report as JSON-ready values."""
        return {
            "verified": self.ok,
            "checks": [{"check": f.label, "ok": f.ok, "reason": f.reason} for f in self.findings],
        }


def _list_by_url(url: str) -> StatusList | None:
    """Our status list published at `url` (matched by the id it was signed with)."""
    prefix = url.rstrip("/").rsplit("/", 1)
    if len(prefix) != 2 or not prefix[1].isdigit():
        return None
    status_list = db.session.get(StatusList, int(prefix[1]))
    if status_list is None or not status_list.document:
        return None
    return status_list if json.loads(status_list.document).get("id") == url else None


def _status_finding(entry: Any, credential_issuer: str | None) -> Finding:
    """Read one BitstringStatusListEntry from our own signed list (never fetched)."""
    purpose = entry.get("statusPurpose") if isinstance(entry, dict) else None
    label = f"Status ({purpose})" if purpose in ("revocation", "suspension") else "Status"
    if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
        return Finding(label, False, "The status entry is not a BitstringStatusListEntry.")
    url = entry.get("statusListCredential")
    status_list = _list_by_url(url) if isinstance(url, str) else None
    if status_list is None:
        return Finding(label, False, "It points to a status list we do not publish.")
    try:
        index = int(str(entry.get("statusListIndex")))
    except ValueError:
        return Finding(label, False, "Its statusListIndex is not a number.")
    document = json.loads(status_list.document or "{}")
    proof = integrity.verify(document, resolve)
    if not proof.ok:
        return Finding(label, False, f"The status list's own proof fails: {proof.reason}")
    if not is_ours(proof.verification_method or ""):
        return Finding(label, False, "The status list is not signed with one of our keys.")
    subject = document.get("credentialSubject") or {}
    if subject.get("statusPurpose") != purpose:
        return Finding(label, False, "The status list is for another purpose.")
    try:
        bits = bitstring.decode(subject.get("encodedList", ""))
        is_set = bitstring.bit(bits, index)
    except (ValueError, IndexError):
        return Finding(label, False, "The index is outside the status list.")
    if is_set:
        what = "revoked" if purpose == "revocation" else "suspended (lapsed)"
        return Finding(label, False, f"The bit is set: the certificate is {what}.")
    what = "not revoked" if purpose == "revocation" else "not suspended"
    return Finding(label, True, f"The bit is clear in our signed status list: {what}.")


def check_credential(document: Any) -> CredentialReport:
    """Check a credential someone received: the proof verifies; the key is one of ours; each
    status bit (revocation, suspension) read from our signed lists; and whether it is, unchanged,
    the credential we issued for one of our certificates. Reads only."""
    report = CredentialReport()
    if not isinstance(document, dict):
        report.findings.append(Finding("Proof", False, "This is not a JSON credential object."))
        return report
    proof = integrity.verify(copy.deepcopy(document), resolve)
    report.findings.append(Finding("Proof", proof.ok, proof.reason))
    method = proof.verification_method or ""
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not method:
        report.findings.append(Finding("Issuer key", False, "The proof names no key."))
    elif not is_ours(method):
        report.findings.append(
            Finding("Issuer key", False, "The key that signed it is not one of ours.")
        )
    elif method.partition("#")[0] != issuer_id:
        report.findings.append(
            Finding("Issuer key", False, "The signing key does not belong to the named issuer.")
        )
    else:
        report.findings.append(
            Finding("Issuer key", True, f"It was signed with our key {method.partition('#')[2]}.")
        )
    entries = document.get("credentialStatus")
    entries = entries if isinstance(entries, list) else [entries] if entries else []
    purposes = set()
    for entry in entries:
        report.findings.append(_status_finding(entry, issuer_id))
        if isinstance(entry, dict):
            purposes.add(entry.get("statusPurpose"))
    for purpose in ("revocation", "suspension"):
        if purpose not in purposes:
            report.findings.append(
                Finding(f"Status ({purpose})", False, f"It has no {purpose} status entry.")
            )
    report.findings.append(_record_finding(document, report))
    return report


def _record_finding(document: dict[str, Any], report: CredentialReport) -> Finding:
    credential_id = document.get("id")
    row = (
        db.session.scalar(
            select(CertificateCredential).where(
                CertificateCredential.credential_id == credential_id
            )
        )
        if isinstance(credential_id, str)
        else None
    )
    if row is None:
        return Finding("Our record", False, "We have no record of a credential with this id.")
    cert = db.session.get(Certificate, row.certificate_id)
    if json.loads(row.document) != document:
        return Finding(
            "Our record", False, "Its content differs from the credential on our record."
        )
    report.certificate = cert
    return Finding(
        "Our record",
        True,
        f"It is the credential of certificate {cert.number}, issued on "
        f"{cert.issued_on.isoformat()}, unchanged.",
    )
