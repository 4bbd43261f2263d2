"""The progress engine: an enrollment's records and requirement set into the nine step statuses
and its outstanding items. Plain Python over plain data; the caller passes `today`."""

from tracker.progress.engine import compute, compute_many
from tracker.progress.facts import (
    ApplicationDocument,
    CasePresentation,
    CeEntry,
    Certificate,
    CompetencyEvaluation,
    DidacticEntry,
    EnrollmentFacts,
    ExamAttempt,
    ExperientialEntry,
    Instalment,
    Insurance,
    Ledger,
    Licence,
    SupervisedSession,
    Track,
)
from tracker.progress.items import (
    ITEM_CODES,
    Actor,
    CertificateStatus,
    ItemCode,
    OutstandingItem,
    Severity,
    Step,
    StepStatus,
)
from tracker.progress.results import Progress, StepResult

__all__ = [
    "ITEM_CODES",
    "Actor",
    "ApplicationDocument",
    "CasePresentation",
    "CeEntry",
    "Certificate",
    "CertificateStatus",
    "CompetencyEvaluation",
    "DidacticEntry",
    "EnrollmentFacts",
    "ExamAttempt",
    "ExperientialEntry",
    "Instalment",
    "Insurance",
    "ItemCode",
    "Ledger",
    "Licence",
    "OutstandingItem",
    "Progress",
    "Severity",
    "Step",
    "StepResult",
    "StepStatus",
    "SupervisedSession",
    "Track",
    "compute",
    "compute_many",
]
