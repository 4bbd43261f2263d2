"""An application's documents, references and scenario answers as the progress engine reads them."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func
from sqlalchemy import select

from tracker.applications.models import ApplicationDocument
from tracker.applications.models import Reference
from tracker.applications.models import ScenarioAnswer
from tracker.extensions import db
from tracker.progress import facts as f
from tracker.standing.contributors import Contribution
from tracker.standing.contributors import Selection
from tracker.standing.contributors import contributor


@contributor
def application_facts(selection: Selection) -> Contribution:
    """`documents`, `references_received` and `answered_scenarios`, one query each."""
    ids = selection.ids
    found: dict[int, dict[str, Any]] = defaultdict(dict)
    documents: dict[int, list[f.ApplicationDocument]] = defaultdict(list)
    for doc in selection.rows(
        ApplicationDocument,
        "kind",
        "status",
        "submitted_at",
        "id",
        where=(ApplicationDocument.superseded_at.is_(None),),
    ):
        documents[doc.enrollment_id].append(
            f.ApplicationDocument(
                kind=doc.kind,
                status=doc.status,
                submitted_on=selection.local_date(doc.enrollment_id, doc.submitted_at),
                id=doc.id,
            )
        )
    for enrollment_id, found_documents in documents.items():
        found[enrollment_id]["documents"] = tuple(found_documents)
    for enrollment_id, count in db.session.execute(
        select(Reference.enrollment_id, func.count())
        .where(Reference.enrollment_id.in_(ids))
        .group_by(Reference.enrollment_id)
    ):
        found[enrollment_id]["references_received"] = count
    scenarios: dict[int, set[str]] = defaultdict(set)
    for enrollment_id, code in selection.rows(ScenarioAnswer, "scenario_code"):
        scenarios[enrollment_id].add(code)
    for enrollment_id, codes in scenarios.items():
        found[enrollment_id]["answered_scenarios"] = frozenset(codes)
    return dict(found)
