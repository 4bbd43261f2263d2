"""Builders of certificates and of enrollments ready for one."""

from __future__ import annotations

from datetime import date
from datetime import datetime

from sqlalchemy import select

from tracker.accounts.models import User
from tracker.audit.services import changed
from tracker.certificates.badges import issue_credential
from tracker.certificates.history import add_change
from tracker.certificates.issuer import public_base
from tracker.certificates.models import Certificate
from tracker.certificates.models import CertificateStatusChange
from tracker.certificates.queries import verification_url
from tracker.certificates.services import format_number
from tracker.certificates.services import new_verification_code
from tracker.certificates.services import record_issue
from tracker.certificates.services import sign_change
from tracker.certificates.services import start_history
from tracker.core.clock import local_time
from tracker.enrollments.models import Enrollment
from tracker.extensions import db
from tracker.factories import added
from tracker.factories import at
from tracker.factories import day
from tracker.factories.assessment import pass_final_assessment
from tracker.factories.enrollments import make_enrollment
from tracker.factories.enrollments import waive_steps
from tracker.progress.requirements import RequirementSpec

TIMEZONE = "America/Los_Angeles"
STEPS_BEFORE_ASSESSMENT = (1, 2, 3, 4, 5, 6, 7)


def admitted_long_ago(trainee: User, program_name: str = "Pacific KAP Institute") -> Enrollment:
    """An admitted enrollment in a cohort that started 300 days ago, under the default online
    requirements."""
    return make_enrollment(
        trainee,
        timezone=TIMEZONE,
        cohort_started_days_ago=300,
        cohort_ends_in_days=60,
        program_name=program_name,
        cohort_name="Cohort A",
        decided_days_ago=310,
    )


def ready_enrollment(trainee: User, program_name: str = "Pacific KAP Institute") -> Enrollment:
    """An admitted enrollment with nothing left before the certificate."""
    enrollment = admitted_long_ago(trainee, program_name)
    waive_steps(enrollment, *STEPS_BEFORE_ASSESSMENT)
    domains = RequirementSpec.default("online").competency_domains
    pass_final_assessment(enrollment, day(-3, TIMEZONE), domains)
    return enrollment


def backdate(cert: Certificate, issued_on: date) -> Certificate:
    """Move a certificate's issue date into the past (as if issued then), and the first row of
    its status history with it (valid since that day)."""
    cert.issued_on = issued_on
    first = db.session.scalar(
        select(CertificateStatusChange)
        .where(CertificateStatusChange.certificate_id == cert.id)
        .order_by(CertificateStatusChange.id)
        .limit(1)
    )
    if first is not None and first.kind == "issued":
        first.since = issued_on
    db.session.flush()
    return cert


def issued_on_day(
    enrollment: Enrollment, printed_name: str, program_name: str, issued_on: date, staff: User
) -> Certificate:
    """A certificate issued by `staff` on a past day (the service issues today only), with the
    event issuing records."""
    code = new_verification_code()
    cert = added(
        Certificate(
            enrollment_id=enrollment.id,
            number=f"pending-{code[:24]}",
            verification_code=code,
            printed_name=printed_name,
            program_name=program_name,
            credential_name=enrollment.track.credential_title if enrollment.track else "",
            verification_url=verification_url(code),
            issued_on=issued_on,
            issued_by_id=staff.id,
            created_at=at(issued_on),
        )
    )
    cert.number = format_number(issued_on.year, cert.id)
    db.session.flush()
    record_issue(cert, staff.id, enrollment.trainee_id)
    sign_change(cert, start_history(cert, staff.id), staff, "issued")
    issue_credential(cert, public_base())
    return cert


def _local_day(cert: Certificate, moment: datetime) -> date:
    return local_time(moment, cert.enrollment.program.timezone).date()


def revoked_at(cert: Certificate, staff: User, moment: datetime, reason: str) -> Certificate:
    """The certificate revoked by `staff` at a past `moment`, with the event revoking records,
    its history's "revoked" row and the staff member's signature."""
    values = {"revoked_at": moment, "revoked_by_id": staff.id, "revocation_reason": reason}
    trainee_id = cert.enrollment.trainee_id
    changed("certificate.revoked", cert, values, actor_id=staff.id, subject_user_id=trainee_id)
    change = add_change(cert, "revoked", _local_day(cert, moment), "revoked", reason, staff.id)
    sign_change(cert, change, staff, "revoked")
    return cert


def reinstated_at(cert: Certificate, staff: User, moment: datetime, reason: str) -> Certificate:
    """The revoked certificate reinstated by `staff` at a past `moment` (the same number and
    code), with the event, its history's "valid" row and the staff member's signature."""
    values = {"revoked_at": None, "revoked_by_id": None, "revocation_reason": None}
    trainee_id = cert.enrollment.trainee_id
    changed("certificate.reinstated", cert, values, actor_id=staff.id, subject_user_id=trainee_id)
    change = add_change(cert, "valid", _local_day(cert, moment), "reinstated", reason, staff.id)
    sign_change(cert, change, staff, "reinstated")
    return cert
