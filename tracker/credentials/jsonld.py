"""The JSON-LD contexts the app knows, loaded from files shipped with the package, and the
canonical form (RDFC-1.0 N-Quads) of a document. The document loader never fetches from the
network: a context that is not one of ours is refused, so canonicalizing cannot be made to reach
out or to pick up a context an attacker serves."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from pyld import jsonld

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3P0 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
BITSTRING_STATUS_LIST_V1 = "https://www.w3.org/ns/credentials/status/v1"
DID_V1 = "https://www.w3.org/ns/did/v1"

# Each context URL and the file (in tracker/credentials/contexts) holding its published text.
CONTEXT_FILES = {
    VC_V2: "credentials-v2.jsonld",
    OB_V3P0: "ob-v3p0-context-3.0.3.jsonld",
    DATA_INTEGRITY_V2: "data-integrity-v2.jsonld",
    MULTIKEY_V1: "multikey-v1.jsonld",
    BITSTRING_STATUS_LIST_V1: "bitstring-status-list-v1.jsonld",
    DID_V1: "did-v1.jsonld",
}


class UnknownContext(ValueError):
    """A document refers to a JSON-LD context the app does not ship."""


@cache
def _context_text(url: str) -> str:
    name = CONTEXT_FILES[url]
    return resources.files("tracker.credentials").joinpath("contexts", name).read_text("utf-8")


def known_context(url: str) -> dict[str, Any]:
    """The parsed context document published at `url` (a fresh copy); UnknownContext if the app
    does not ship it."""
    if url not in CONTEXT_FILES:
        raise UnknownContext(url)
    return json.loads(_context_text(url))


def document_loader(extra: Mapping[str, dict[str, Any]] | None = None):
    """A pyld document loader over the shipped contexts (and `extra`, e.g. a test's examples
    context) that refuses every other URL without touching the network."""
    extra = dict(extra or {})

    def load(url: str, options: dict | None = None) -> dict[str, Any]:
        if url in extra:
            document = copy.deepcopy(extra[url])
        elif url in CONTEXT_FILES:
            document = known_context(url)
        else:
            raise UnknownContext(url)
        return {
            "contextUrl": None,
            "documentUrl": url,
            "document": document,
            "contentType": "application/ld+json",
        }

    return load


def canonical_nquads(
    document: dict[str, Any], extra: Mapping[str, dict[str, Any]] | None = None
) -> str:
    """The document's RDF dataset canonicalized with RDFC-1.0 (pyld), as N-Quads.

    Raises UnknownContext when the document uses a context the app does not ship, and
    jsonld.JsonLdError when it is not valid JSON-LD."""
    try:
        return jsonld.normalize(
            copy.deepcopy(document),
            {
                "algorithm": "URDNA2015",
                "format": "application/n-quads",
                "documentLoader": document_loader(extra),
                # No base IRI, as in the reference implementations: pyld would otherwise make
                # relative IRIs absolute against http://example.org/base/.
                "base": None,
            },
        )
    except jsonld.JsonLdError as error:
        unknown = _unknown_in(error)
        if unknown is not None:
            raise unknown from None
        raise


class UnsafeDocument(ValueError):
    """A document that JSON-LD "safe mode" verifiers refuse: something in it would be dropped
    or left relative by expansion (a term no context defines, a type that is no IRI)."""


def _leaves(value: Any) -> int:
    """How many scalar values a compacted document holds (its @context aside)."""
    if isinstance(value, dict):
        return sum(_leaves(v) for k, v in value.items() if k != "@context")
    if isinstance(value, list):
        return sum(_leaves(v) for v in value)
    return 0 if value is None else 1


def _expanded_leaves(value: Any, problems: list[str]) -> int:
    """How many values an expanded document holds, noting any relative @id or @type."""
    if isinstance(value, list):
        return sum(_expanded_leaves(v, problems) for v in value)
    if not isinstance(value, dict):
        return 0
    if "@value" in value:
        return 1
    count = 0
    for key, item in value.items():
        if key == "@id":
            if ":" not in str(item):
                problems.append(f"relative @id {item!r}")
            count += 1
        elif key == "@type":
            for kind in item if isinstance(item, list) else [item]:
                if ":" not in str(kind):
                    problems.append(f"relative @type {kind!r}")
                count += 1
        else:
            count += _expanded_leaves(item, problems)
    return count


def check_safe(document: dict[str, Any], extra: Mapping[str, dict[str, Any]] | None = None) -> None:
    """Raise UnsafeDocument unless every value of the document survives JSON-LD expansion as
    an absolute IRI or a literal: what the reference verifiers' "safe mode" demands (pyld has
    no safe mode). A value that expansion dropped could be changed without breaking a proof."""
    problems: list[str] = []
    try:
        expanded = jsonld.expand(
            copy.deepcopy(document), {"documentLoader": document_loader(extra), "base": None}
        )
    except jsonld.JsonLdError as error:
        unknown = _unknown_in(error)
        if unknown is not None:
            raise unknown from None
        raise
    kept = _expanded_leaves(expanded, problems)
    if problems:
        raise UnsafeDocument(problems[0])
    if kept != _leaves(document):
        raise UnsafeDocument("a property or value that no context defines")


def _unknown_in(error: BaseException | None) -> UnknownContext | None:
    """The UnknownContext pyld wrapped in its error chain, if any."""
    seen = 0
    while error is not None and seen < 20:
        if isinstance(error, UnknownContext):
            return error
        cause = getattr(error, "cause", None) or error.__cause__ or error.__context__
        error = cause
        seen += 1
    return None
