"""The progress engine: an enrollment's records and requirement set into the nine step statuses
and its outstanding items. Plain Python over plain data; the caller passes `today`."""

from tracker.progress.engine import compute
from tracker.progress.engine import compute_many
from tracker.progress.facts import ApplicationDocument
from tracker.progress.facts import CasePresentation
from tracker.progress.facts import CeEntry
from tracker.progress.facts import Certificate
from tracker.progress.facts import CompetencyEvaluation
from tracker.progress.facts import DidacticEntry
from tracker.progress.facts import EnrollmentFacts
from tracker.progress.facts import ExamAttempt
from tracker.progress.facts import ExperientialEntry
from tracker.progress.facts import Instalment
from tracker.progress.facts import Insurance
from tracker.progress.facts import Ledger
from tracker.progress.facts import Licence
from tracker.progress.facts import SupervisedSession
from tracker.progress.facts import Track
from tracker.progress.items import ITEM_CODES
from tracker.progress.items import Actor
from tracker.progress.items import CertificateStatus
from tracker.progress.items import ItemCode
from tracker.progress.items import OutstandingItem
from tracker.progress.items import Severity
from tracker.progress.items import Step
from tracker.progress.items import StepStatus
from tracker.progress.results import Progress
from tracker.progress.results import StepResult

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
