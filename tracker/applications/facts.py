"""An application's documents, references and scenario answers as the progress engine reads them."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Select
from sqlalchemy import func
from sqlalchemy import select

from tracker.applications.models import ApplicationDocument
from tracker.applications.models import Reference
from tracker.applications.models import ScenarioAnswer
from tracker.progress import facts as f
from tracker.standing.contributors import Contribution
from tracker.standing.contributors import Rows
from tracker.standing.contributors import Selection
from tracker.standing.contributors import contributor


def _documents(selection: Selection) -> Select:
    return selection.rows(
        ApplicationDocument,
        "kind",
        "status",
        "submitted_at",
        "id",
        where=(ApplicationDocument.superseded_at.is_(None),),
    )


def _references(selection: Selection) -> Select:
    return (
        select(Reference.enrollment_id, func.count())
        .where(Reference.enrollment_id.in_(selection.ids))
        .group_by(Reference.enrollment_id)
    )


def _scenarios(selection: Selection) -> Select:
    return selection.rows(ScenarioAnswer, "scenario_code")


@contributor(_documents, _references, _scenarios)
def application_facts(
    selection: Selection, document_rows: Rows, reference_rows: Rows, scenario_rows: Rows
) -> Contribution:
    """`documents`, `references_received` and `answered_scenarios`, one statement each."""
    found: dict[int, dict[str, Any]] = defaultdict(dict)
    documents: dict[int, list[f.ApplicationDocument]] = defaultdict(list)
    for doc in document_rows:
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
    for enrollment_id, count in reference_rows:
        found[enrollment_id]["references_received"] = count
    scenarios: dict[int, set[str]] = defaultdict(set)
    for enrollment_id, code in scenario_rows:
        scenarios[enrollment_id].add(code)
    for enrollment_id, codes in scenarios.items():
        found[enrollment_id]["answered_scenarios"] = frozenset(codes)
    return dict(found)
