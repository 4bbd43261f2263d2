"""Staff decisions that turn an applicant into an admitted trainee: document review, licence and
insurance verification, health-screening clearance, the eligibility pathway, admission or
decline, waivers, the requirement-set version and supervisor assignments.

Services flush, never commit; each change is audited here, once. A refused change raises
Refused before anything is written. Once-only changes are conditional UPDATEs whose row
count is checked, so two staff members acting at the same moment cannot both win.
"""

from __future__ import annotations

from tracker.admissions.services.admitted import (
    assign_supervisors,
    grant_waiver,
    move_to_newest_requirements,
    requirements_move_target,
    revoke_waiver,
    target_label,
    waiver_targets,
)
from tracker.admissions.services.common import (
    ALTERNATIVE_BASES,
    ASSIGNMENT_KINDS,
    CLEARANCE_DECISIONS,
    DOCUMENT_DECISIONS,
    INSURANCE_METHODS,
    LICENCE_METHODS,
    NOTE_MAX,
    OPEN_STATUSES,
    PATHWAY_DECISIONS,
    PATHWAY_LABELS,
    REASON_MAX,
    REASON_MIN,
    VERIFICATION_METHODS,
    newest_requirements,
)
from tracker.admissions.services.decisions import admit, decide_pathway, decline, send_decision_mail
from tracker.admissions.services.verification import (
    methods_for,
    review_document,
    set_health_clearance,
    unverify_credential,
    verify_credential,
)

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
    "grant_waiver",
    "methods_for",
    "move_to_newest_requirements",
    "newest_requirements",
    "requirements_move_target",
    "review_document",
    "revoke_waiver",
    "send_decision_mail",
    "set_health_clearance",
    "target_label",
    "unverify_credential",
    "verify_credential",
    "waiver_targets",
]
