"""Certificates: staff issue and revoke them, trainees see their own with its renewal cycle and
PDF, and anyone can verify one by its code (the QR code) or by number and last name."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from urllib.parse import urlencode

from flask import Blueprint
from flask import abort
from flask import jsonify
from flask import render_template
from flask import request
from flask import send_file
from flask import url_for
from flask_login import current_user

from tracker.accounts import second_factor
from tracker.certificates import badges
from tracker.certificates import queries
from tracker.certificates import services
from tracker.certificates.forms import CredentialCheckForm
from tracker.certificates.forms import IssueForm
from tracker.certificates.forms import LookupForm
from tracker.certificates.forms import ReinstateForm
from tracker.certificates.forms import RevokeForm
from tracker.certificates.forms import SearchForm
from tracker.certificates.issuer import did_document
from tracker.certificates.models import Certificate
from tracker.certificates.models import StatusList
from tracker.certificates.pdf import render_certificate
from tracker.core import navigation
from tracker.core.flow import or_404
from tracker.core.flow import save
from tracker.core.limits import counts
from tracker.enrollments.models import Enrollment
from tracker.enrollments.queries import loaded_enrollment
from tracker.extensions import db
from tracker.extensions import limiter
from tracker.programs.models import Program
from tracker.security.access import AnyOf
from tracker.security.access import Anyone
from tracker.security.access import Staff
from tracker.security.access import Trainee
from tracker.security.access import allow

bp = Blueprint("certificates", __name__)
navigation.register("Certificate", "certificates.mine", Trainee, order=55)
navigation.register("Certificates", "certificates.index", Staff, order=70)


# -- public verification ------------------------------------------------------------------------


def _public(body, status: int = 200):
    """A public answer: never indexed by search engines, never cached; it varies with Accept."""
    headers = {"X-Robots-Tag": "noindex, nofollow", "Cache-Control": "no-store", "Vary": "Accept"}
    return body, status, headers


def _wants_json() -> bool:
    """True when the request's Accept header prefers JSON to HTML."""
    best = request.accept_mimetypes.best_match(("text/html", "application/json"))
    return best == "application/json"


def _verified(cert: Certificate, as_json: bool = False):
    """The one answer of a verification: what was certified, to whom, by whom, when, and its
    status today (see queries.PublicRecord), as a page or as JSON."""
    record = queries.public_record(cert)
    if as_json:
        return _public(jsonify(record.as_json()))
    return _public(render_template("certificates/verify.html", record=record))


@bp.get("/verify/<code>")
@allow(Anyone)
@counts("look-ups")
@limiter.limit("60 per minute")
def verify(code: str):
    """The public verification page reached from the QR code (no account needed); JSON with
    the same facts when the request asks for application/json."""
    as_json = _wants_json()
    cert = queries.by_code(code)
    if cert is None:
        if as_json:
            return _public(jsonify(error="No such certificate"), 404)
        return _public(render_template("certificates/verify_missing.html"), 404)
    return _verified(cert, as_json)


@bp.route("/verify", methods=["GET", "POST"])
@allow(Anyone)
@counts("look-ups")
@limiter.limit("10 per minute", methods=["POST"])
def lookup():
    """Find a certificate by its number and the holder's last name (both must match)."""
    form = LookupForm()
    missed = False
    if form.validate_on_submit():
        cert = services.look_up(form.number.data, form.last_name.data)
        if cert is not None:
            return _verified(cert)
        missed = True
    return _public(render_template("certificates/lookup.html", form=form, missed=missed))


# -- Open Badges credentials --------------------------------------------------------------------


def _json_document(text: str, status: int = 200, cache: str = "no-cache"):
    """A stored JSON-LD document as served: as it was signed, byte for byte."""
    return text, status, {"Content-Type": "application/json", "Cache-Control": cache}


@bp.get("/verify/<code>/credential.json")
@allow(Anyone)
@limiter.limit("60 per minute")
def credential_json(code: str):
    """The certificate's signed Open Badges credential, to anyone with its code."""
    cert = queries.by_code(code)
    stored = badges.credential_of(cert.id) if cert is not None else None
    if stored is None:
        return _public(jsonify(error="No such credential"), 404)
    text, status, headers = _json_document(stored.document, cache="no-store")
    headers["X-Robots-Tag"] = "noindex, nofollow"
    headers["Content-Disposition"] = f'inline; filename="credential-{cert.number}.json"'
    return text, status, headers


@bp.get("/credentials/status/<int:list_id>")
@allow(Anyone)
@limiter.limit("120 per minute")
def status_list(list_id: int):
    """A signed BitstringStatusListCredential, at the address credentials point to."""
    found = db.session.get(StatusList, list_id)
    if found is None or not found.document:
        abort(404)
    return _json_document(found.document)


@bp.get("/.well-known/did.json")
@allow(Anyone)
def did_json():
    """The issuer's did:web DID document, listing every key it signs or signed with (404 when
    the issuer is a did:key)."""
    document = did_document()
    if document is None:
        abort(404)
    return _json_document(json.dumps(document, indent=2))


@bp.get("/credentials/programs/<int:program_id>/badge.svg")
@allow(Anyone)
def badge_image(program_id: int):
    """The program's badge image, named in its credentials' achievements."""
    program = db.session.get(Program, program_id)
    if program is None:
        abort(404)
    svg = render_template("certificates/badge.svg", program=program)
    return svg, 200, {"Content-Type": "image/svg+xml", "Cache-Control": "max-age=86400"}


@bp.route("/verify/credential", methods=["GET", "POST"])
@allow(Anyone)
@limiter.limit("10 per minute", methods=["POST"])
def check_credential():
    """Check a credential someone received (pasted or uploaded): its proof, whether the key is
    ours, its status bits and whether it matches our record, each with a reason."""
    form = CredentialCheckForm()
    report = None
    if form.validate_on_submit():
        text = form.credential_text()
        if text is not None:
            try:
                document = json.loads(text)
            except ValueError:
                form.pasted.errors.append("This is not JSON: paste the whole credential.")
            else:
                report = badges.check_credential(document)
    if report is not None and _wants_json():
        return _public(jsonify(report.as_json()))
    record = queries.public_record(report.certificate) if report and report.certificate else None
    page = render_template(
        "certificates/check_credential.html", form=form, report=report, record=record
    )
    return _public(page, 200 if report is not None or not form.errors else 422)


def linkedin_url(cert: Certificate, verification_url: str) -> str:
    """LinkedIn's add-to-profile address for the certification: name, organisation, issue
    month, certificate number and verification address filled in."""
    query = {
        "startTask": "CERTIFICATION_NAME",
        "name": cert.credential,
        "organizationName": cert.program_name,
        "issueYear": cert.issued_on.year,
        "issueMonth": cert.issued_on.month,
        "certUrl": verification_url,
        "certId": cert.number,
    }
    if cert.expires_on is not None:
        query["expirationYear"] = cert.expires_on.year
        query["expirationMonth"] = cert.expires_on.month
    return "https://www.linkedin.com/profile/add?" + urlencode(query)


# -- the trainee's own certificate --------------------------------------------------------------


def _trainee_page(cert: Certificate, others: list[Certificate]):
    address = queries.address_of(cert)
    return render_template(
        "certificates/mine.html",
        labels=queries.STATUS_LABELS,
        cert=cert,
        standing=queries.standing(cert),
        others=[c for c in others if c.id != cert.id],
        verification_url=address,
        has_credential=badges.credential_of(cert.id) is not None,
        linkedin_url=linkedin_url(cert, address),
    )


@bp.get("/certificates/mine")
@allow(Trainee)
def mine():
    """The trainee's certificate: status, current renewal cycle, and the PDF."""
    certificates = queries.trainee_certificates(current_user.id)
    if not certificates:
        return render_template("certificates/none_yet.html")
    return _trainee_page(certificates[0], certificates)


@bp.get("/certificates/<int:certificate_id>")
@allow(Trainee)
def show(certificate_id: int):
    """One of the trainee's own certificates; anyone else's answers 404."""
    cert = queries.certificate(certificate_id)
    if cert is None or cert.enrollment.trainee_id != current_user.id:
        abort(404)
    return _trainee_page(cert, queries.trainee_certificates(current_user.id))


@bp.get("/certificates/<int:certificate_id>/certificate.pdf")
@allow(AnyOf((Trainee, Staff)))
def pdf(certificate_id: int):
    """The certificate as a PDF attachment, for staff and for the certificate's own trainee
    (who no longer gets it once it is revoked)."""
    cert = queries.certificate(certificate_id)
    if cert is None:
        abort(404)
    own = cert.enrollment.trainee_id == current_user.id
    if not (current_user.is_staff or (own and not cert.revoked)):
        abort(404)
    content = render_certificate(cert, queries.public_record(cert))
    response = send_file(
        io.BytesIO(content),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"certificate-{cert.number}.pdf",
        max_age=0,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


# -- staff --------------------------------------------------------------------------------------


@bp.get("/certificates")
@allow(Staff)
def index():
    """Every certificate (number, name, status, issue date), searchable by number or name, and
    the enrollments ready for one."""
    form = SearchForm(request.args)
    term = form.q.data if form.validate() else ""
    at_risk = request.args.get("at_risk") == "1"
    certificates = queries.search(term or "", at_risk=at_risk)
    return render_template(
        "certificates/index.html",
        form=form,
        term=term,
        at_risk=at_risk,
        at_risk_count=queries.at_risk_count(),
        certificates=certificates,
        rows=queries.row_standings(certificates),
        labels=queries.STATUS_LABELS,
        limit=queries.MAX_LISTED,
        ready=queries.ready_for_certificate() if not (term or at_risk) else [],
        other_addresses=queries.other_base_addresses(),
        base_url=queries.base_url(),
    )


def _enrollment_or_404(enrollment_id: int) -> Enrollment:
    return or_404(loaded_enrollment(enrollment_id))


def _staff_page(enrollment: Enrollment):
    cert = queries.for_enrollment(enrollment.id)
    return render_template(
        "certificates/enrollment.html",
        enrollment=enrollment,
        cert=cert,
        standing=queries.standing(cert) if cert is not None else None,
        blocking=services.blocking_messages(enrollment.id) if cert is None else [],
        verification_url=queries.address_of(cert) if cert else None,
        own=enrollment.trainee_id == current_user.id,
        labels=queries.STATUS_LABELS,
    )


@bp.get("/certificates/enrollments/<int:enrollment_id>")
@allow(Staff)
def enrollment(enrollment_id: int):
    """An enrollment's certificate with its status history, or its readiness and the way to
    issue one."""
    return _staff_page(_enrollment_or_404(enrollment_id))


def _confirm_page(act: str, form, enrollment: Enrollment, cert: Certificate | None):
    """The confirmation page of a staff act on a certificate (issue, revoke, reinstate): what
    it does, the form with the password that signs it."""
    return render_template(
        "certificates/confirm.html",
        act=act,
        form=form,
        enrollment=enrollment,
        cert=cert,
        standing=queries.standing(cert) if cert is not None else None,
        blocking=services.blocking_messages(enrollment.id) if cert is None else [],
        own=enrollment.trainee_id == current_user.id,
        labels=queries.STATUS_LABELS,
    )


@bp.route("/certificates/enrollments/<int:enrollment_id>/issue", methods=["GET", "POST"])
@allow(Staff)
def issue(enrollment_id: int):
    """Confirm and issue the certificate with the password (refused while anything blocks,
    once one exists, and for one's own enrollment)."""
    enrollment = _enrollment_or_404(enrollment_id)
    if not second_factor.fresh(current_user._get_current_object()):
        return second_factor.ask_again(request.path, "issue a certificate")
    form = IssueForm()
    return save(
        form,
        lambda: services.issue_certificate(
            enrollment.id, current_user, form.expires_on.data, password=form.password.data
        ),
        lambda cert: f"Certificate {cert.number} issued.",
        url_for("certificates.enrollment", enrollment_id=enrollment.id),
    ) or _confirm_page("issue", form, enrollment, None)


def _certificate_or_404(certificate_id: int) -> Certificate:
    return or_404(queries.certificate(certificate_id))


def _reason_act(
    certificate_id: int,
    act: str,
    form_class: type[RevokeForm | ReinstateForm],
    change: Callable[..., Certificate],
):
    """Confirm, then `act` on the certificate (revoke, reinstate) with the form's written reason
    and the password; back to the enrollment's certificate page."""
    cert = _certificate_or_404(certificate_id)
    if not second_factor.fresh(current_user._get_current_object()):
        return second_factor.ask_again(request.path, f"{act} a certificate")
    form = form_class()
    return save(
        form,
        lambda: change(cert.id, current_user, form.reason.data, password=form.password.data),
        f"Certificate {cert.number} {act}d.",
        url_for("certificates.enrollment", enrollment_id=cert.enrollment_id),
    ) or _confirm_page(act, form, cert.enrollment, cert)


@bp.route("/certificates/<int:certificate_id>/revoke", methods=["GET", "POST"])
@allow(Staff)
def revoke(certificate_id: int):
    """Confirm and revoke a certificate with a written reason and the password (once)."""
    return _reason_act(certificate_id, "revoke", RevokeForm, services.revoke_certificate)


@bp.route("/certificates/<int:certificate_id>/reinstate", methods=["GET", "POST"])
@allow(Staff)
def reinstate(certificate_id: int):
    """Confirm and reinstate a revoked certificate with a written reason and the password: the
    same number and verification code."""
    return _reason_act(certificate_id, "reinstate", ReinstateForm, services.reinstate_certificate)
