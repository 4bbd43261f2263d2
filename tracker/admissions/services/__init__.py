"""Staff decisions that turn an applicant into an admitted trainee: document review, licence and
insurance verification, health-screening clearance, the eligibility pathway, admission or
decline, waivers, the requirement-set version and supervisor assignments.

Services flush, never commit; each change is audited here, once. A refused change raises
Refused before anything is written. Once-only changes are conditional UPDATEs whose row
count is checked, so two staff members acting at the same moment cannot both win.
"""

from __future__ import annotations

from tracker.admissions.services.admitted import assign_supervisors
from tracker.admissions.services.admitted import end_waiver
from tracker.admissions.services.admitted import grant_waiver
from tracker.admissions.services.admitted import in_force
from tracker.admissions.services.admitted import move_to_newest_requirements
from tracker.admissions.services.admitted import requirements_move_target
from tracker.admissions.services.admitted import revoke_waiver
from tracker.admissions.services.admitted import target_label
from tracker.admissions.services.admitted import waiver_targets
from tracker.admissions.services.common import ALTERNATIVE_BASES
from tracker.admissions.services.common import ASSIGNMENT_KINDS
from tracker.admissions.services.common import CLEARANCE_DECISIONS
from tracker.admissions.services.common import DOCUMENT_DECISIONS
from tracker.admissions.services.common import INSURANCE_METHODS
from tracker.admissions.services.common import LICENCE_METHODS
from tracker.admissions.services.common import NOTE_MAX
from tracker.admissions.services.common import OPEN_STATUSES
from tracker.admissions.services.common import PATHWAY_DECISIONS
from tracker.admissions.services.common import PATHWAY_LABELS
from tracker.admissions.services.common import REASON_MAX
from tracker.admissions.services.common import REASON_MIN
from tracker.admissions.services.common import VERIFICATION_METHODS
from tracker.admissions.services.common import newest_requirements
from tracker.admissions.services.decisions import admit
from tracker.admissions.services.decisions import decide_pathway
from tracker.admissions.services.decisions import decline
from tracker.admissions.services.decisions import missing_reviews
from tracker.admissions.services.decisions import reverse_decision
from tracker.admissions.services.decisions import training_signed
from tracker.admissions.services.verification import methods_for
from tracker.admissions.services.verification import review_document
from tracker.admissions.services.verification import set_health_clearance
from tracker.admissions.services.verification import unverify_credential
from tracker.admissions.services.verification import verify_credential

__all__ = [
    "ALTERNATIVE_BASES",
    "ASSIGNMENT_KINDS",
    "CLEARANCE_DECISIONS",
    "DOCUMENT_DECISIONS",
    "INSURANCE_METHODS",
    "LICENCE_METHODS",
    "NOTE_MAX",
    "OPEN_STATUSES",
    "PATHWAY_DECISIONS",
    "PATHWAY_LABELS",
    "REASON_MAX",
    "REASON_MIN",
    "VERIFICATION_METHODS",
    "admit",
    "assign_supervisors",
    "decide_pathway",
    "decline",
    "end_waiver",
    "grant_waiver",
    "in_force",
    "methods_for",
    "missing_reviews",
    "move_to_newest_requirements",
    "newest_requirements",
    "requirements_move_target",
    "reverse_decision",
    "review_document",
    "revoke_waiver",
    "set_health_clearance",
    "target_label",
    "training_signed",
    "unverify_credential",
    "verify_credential",
    "waiver_targets",
]
