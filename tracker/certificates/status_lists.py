"""The Bitstring Status Lists behind the credentials: a certificate gets a random, never reused
index in an open revocation list and in an open suspension list when its credential is issued;
its revocation bit follows revoke/reinstate and its suspension bit follows the engine's lapse
(set when the certificate lapses, cleared when it is valid again). A list is signed as a
BitstringStatusListCredential when it is opened and again, in the same transaction, whenever one
of its bits changes. Services flush; the caller commits."""

from __future__ import annotations

import json
import secrets
from typing import Any

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tracker.audit.services import record
from tracker.certificates.issuer import current_key
from tracker.certificates.models import StatusEntry
from tracker.certificates.models import StatusList
from tracker.credentials import integrity
from tracker.credentials import status_list as bitstring
from tracker.credentials.jsonld import VC_V2
from tracker.extensions import db
from tracker.extensions import utcnow

PURPOSES = ("revocation", "suspension")
# A list takes new entries until half its indexes are used: random picks stay quick, and an
# index tells an observer little about when its certificate was issued.
FILL_LIMIT = 2


def list_url(base_url: str, status_list: StatusList) -> str:
    """The stable address of a status list credential: the `id` it was first signed with."""
    if status_list.document:
        return str(json.loads(status_list.document)["id"])
    return f"{base_url}/credentials/status/{status_list.id}"


def _open_list(purpose: str, base_url: str) -> StatusList:
    """The newest list of `purpose` still taking entries; a new one, signed, when none is."""
    newest = db.session.scalar(
        select(StatusList)
        .where(StatusList.purpose == purpose)
        .order_by(StatusList.id.desc())
        .limit(1)
    )
    if newest is not None:
        used = db.session.scalar(
            select(func.count()).where(StatusEntry.status_list_id == newest.id)
        )
        if used < newest.size // FILL_LIMIT:
            if signer_of(newest) != current_key().verification_method:
                sign_list(newest, base_url)  # the key was rotated: the new key signs it now
            return newest
    fresh = StatusList(purpose=purpose, size=bitstring.MIN_ENTRIES, created_at=utcnow())
    db.session.add(fresh)
    db.session.flush()
    sign_list(fresh, base_url)
    return fresh


def signer_of(status_list: StatusList) -> str | None:
    """The verification method that last signed the list."""
    if not status_list.document:
        return None
    return json.loads(status_list.document).get("proof", {}).get("verificationMethod")


def sign_all_with_current_key(base_url: str) -> int:
    """Sign again, with the current key, every list another key signed last (after a
    rotation); how many were signed."""
    method = current_key().verification_method
    signed = 0
    for status_list in db.session.scalars(select(StatusList).order_by(StatusList.id)):
        if signer_of(status_list) != method:
            sign_list(status_list, base_url)
            signed += 1
    return signed


def _free_index(status_list: StatusList) -> int:
    """A random index of the list that no certificate has had."""
    while True:
        index = secrets.randbelow(status_list.size)
        taken = db.session.scalar(
            select(StatusEntry.id).where(
                StatusEntry.status_list_id == status_list.id, StatusEntry.list_index == index
            )
        )
        if taken is None:
            return index


def assign_entries(certificate_id: int, base_url: str) -> dict[str, tuple[StatusList, int]]:
    """Give the certificate a random index in an open list of each purpose (bits clear, so no
    list changes); {purpose: (list, index)}."""
    entries = {}
    for purpose in PURPOSES:
        status_list = _open_list(purpose, base_url)
        while True:
            entry = StatusEntry(
                status_list_id=status_list.id,
                list_index=_free_index(status_list),
                certificate_id=certificate_id,
                set=False,
            )
            try:
                with db.session.begin_nested():
                    db.session.add(entry)
                    db.session.flush()
            except IntegrityError:
                continue  # another request took this index a moment ago: pick again
            break
        entries[purpose] = (status_list, entry.list_index)
    return entries


def status_list_credential(
    url: str, purpose: str, set_indexes: list[int], size: int, issuer: str, valid_from: str
) -> dict[str, Any]:
    """The unsigned BitstringStatusListCredential of a list."""
    return {
        "@context": [VC_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": valid_from,
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": bitstring.encode(set_indexes, size),
        },
    }


def sign_list(status_list: StatusList, base_url: str) -> None:
    """Sign the list's current bits with the current key and keep the credential (flushes)."""
    url = list_url(base_url, status_list)
    set_indexes = list(
        db.session.scalars(
            select(StatusEntry.list_index).where(
                StatusEntry.status_list_id == status_list.id, StatusEntry.set.is_(True)
            )
        )
    )
    key = current_key()
    now = utcnow()
    unsigned = status_list_credential(
        url,
        status_list.purpose,
        set_indexes,
        status_list.size,
        key.did,
        integrity.xsd_datetime(now),
    )
    status_list.document = json.dumps(integrity.sign(unsigned, key, now), indent=2)
    status_list.signed_at = now
    db.session.flush()


def set_bit(certificate_id: int, purpose: str, value: bool, base_url: str) -> bool:
    """Set (or clear) the certificate's bit in its list of `purpose` and sign the list again;
    False when the bit already had that value or the certificate has no entry (issued before
    credentials)."""
    entry = db.session.scalar(
        select(StatusEntry)
        .join(StatusList, StatusList.id == StatusEntry.status_list_id)
        .where(StatusEntry.certificate_id == certificate_id, StatusList.purpose == purpose)
    )
    if entry is None or entry.set == value:
        return False
    # Lock the list (PostgreSQL) so that two requests changing bits of the same list sign one
    # after the other, each with the other's bit; SQLite serializes writers anyway.
    status_list = db.session.scalar(
        select(StatusList)
        .where(StatusList.id == entry.status_list_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    entry.set = value
    db.session.flush()
    sign_list(status_list, base_url)
    record(
        "credential.status_bit_changed",
        entry,
        after={
            "purpose": purpose,
            "list_id": status_list.id,
            "index": entry.list_index,
            "set": value,
        },
    )
    return True


def follow_status(certificate_id: int, status: str, revoked: bool, base_url: str) -> None:
    """Make the certificate's bits follow a change of its status: the revocation bit is set
    while it is revoked; the suspension bit is set when it lapses and cleared when it is valid
    again (a revocation or an expiry leaves it as it was)."""
    set_bit(certificate_id, "revocation", revoked, base_url)
    if status == "lapsed":
        set_bit(certificate_id, "suspension", True, base_url)
    elif status == "valid":
        set_bit(certificate_id, "suspension", False, base_url)


def bits_of(certificate_id: int) -> dict[str, tuple[StatusList, StatusEntry]]:
    """The certificate's entries by purpose (empty for a certificate issued before
    credentials)."""
    rows = db.session.execute(
        select(StatusList, StatusEntry)
        .join(StatusEntry, StatusEntry.status_list_id == StatusList.id)
        .where(StatusEntry.certificate_id == certificate_id)
    ).all()
    return {status_list.purpose: (status_list, entry) for status_list, entry in rows}
