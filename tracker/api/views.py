"""The JSON API, /api/v1: the same records, rules and services as the pages, for other systems.

Every route is authenticated by a personal access token (`tracker.api.auth`) and declares the
scope it needs; spectree validates each request against the models of `tracker.api.schemas` and
builds /api/v1/openapi.json from the same models. A refusal is an RFC 9457 problem naming the
field. Updates need `If-Match` with the entry's current `ETag` (412 when stale, 428 when
missing). Signing stays a person's act on the pages: nothing here signs or verifies.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint
from flask import Flask
from flask import abort
from flask import current_app
from flask import render_template
from flask import request
from flask_login import current_user
from pydantic import BaseModel
from spectree import Response
from spectree import SpecTree
from sqlalchemy import func
from sqlalchemy import select

from tracker.api import schemas
from tracker.api.auth import TokenScope
from tracker.api.auth import current_caller
from tracker.certificates import queries as certificate_queries
from tracker.certificates.models import Certificate
from tracker.core.errors import Refused
from tracker.core.flow import owned_or_404
from tracker.core.web import problem
from tracker.dashboard.cohort import CohortFilters
from tracker.dashboard.cohort import cohort_page
from tracker.enrollments.models import Enrollment
from tracker.enrollments.queries import current_enrollment
from tracker.extensions import client_address
from tracker.extensions import csrf
from tracker.extensions import db
from tracker.extensions import limiter
from tracker.imports import services as import_services
from tracker.privacy.identifiers import describe
from tracker.privacy.identifiers import find_identifiers
from tracker.programs.models import Program
from tracker.progress import ITEM_CODES
from tracker.security.access import AnyOf
from tracker.security.access import Anyone
from tracker.security.access import allow
from tracker.signoffs import queries as signoff_queries
from tracker.signoffs.services import is_assigned
from tracker.standing import assess
from tracker.standing import assess_one
from tracker.supervision import services as session_services
from tracker.supervision.models import SupervisedSession
from tracker.training import continuing_education
from tracker.training import services as training_services
from tracker.training.models import ContinuingEducation
from tracker.training.models import DidacticEntry
from tracker.training.models import ExperientialEntry

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # tokens only, never cookies: a cross-site request carries no credential here

READ_OWN = TokenScope("read_own")
WRITE_OWN = TokenScope("write_own")
READ_PROGRAM = TokenScope("read_program")
OWN_OR_PROGRAM = AnyOf((READ_OWN, READ_PROGRAM))
CERTIFICATES = AnyOf((READ_OWN, READ_PROGRAM, TokenScope("manage_certificates")))
# Refusals that say the record cannot change now (not that the input is wrong): 409.
CONFLICTS = (training_services.LoggingClosed, training_services.ReadOnly)


def _validation_problem(_req, _resp, error, _instance, _adapter) -> None:
    """Spectree's hook: a request that does not fit its model is a 422 problem naming the
    first wrong field (all of them in `errors`)."""
    if error is None:
        return
    found = error.errors(include_url=False, include_context=False, include_input=False)
    errors = [
        {"field": ".".join(str(part) for part in item["loc"]), "detail": item["msg"]}
        for item in found
    ]
    first = errors[0] if errors else {"field": "", "detail": "Invalid request."}
    abort(
        problem(
            422,
            "The request is not valid",
            f"{first['field']}: {first['detail']}",
            field=first["field"] or None,
            errors=errors,
        )
    )


spec = SpecTree(
    "flask",
    title="KAP Certification Tracker API",
    version="1",
    description=(
        "Personal access tokens (`Authorization: Bearer kap_...`) are created on the account "
        "page. Errors are RFC 9457 problem details. Updates need `If-Match`."
    ),
    mode="strict",
    path="api-reference-unused",  # spectree's own doc pages are not served (they use a CDN)
    page_templates={},
    annotations=False,
    before=_validation_problem,
    validation_error_model=schemas.Problem,
)


def _token_key() -> str:
    """Whom the API's rate limit counts: the token (its owner loaded now), else the address."""
    current_user._get_current_object()
    caller = current_caller()
    return f"token:{caller.token.id}" if caller is not None else f"ip:{client_address()}"


limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=_token_key)(bp)


# -- helpers ------------------------------------------------------------------------------------


def _refused(error: Refused):
    """A service's refusal as a problem: 409 when the record cannot change now, else 422."""
    status = 409 if isinstance(error, CONFLICTS) else 422
    title = "The record cannot be changed" if status == 409 else "The request was refused"
    return problem(status, title, error.message, field=error.field)


def _act(action: Callable[[], Any]) -> Any:
    try:
        return action()
    except Refused as error:
        abort(_refused(error))


def _paging(page: int, per_page: int, total: int) -> schemas.Paging:
    pages = max((total + per_page - 1) // per_page, 1)
    return schemas.Paging(page=page, per_page=per_page, total=total, pages=pages)


def _etag(out: BaseModel) -> str:
    return '"' + hashlib.sha256(out.model_dump_json().encode()).hexdigest()[:32] + '"'


def _check_if_match(out: BaseModel, required: bool = True) -> None:
    given = request.headers.get("If-Match")
    if given is None:
        if required:
            abort(problem(428, "If-Match is required", "Send the entry's ETag in If-Match."))
        return
    if given.strip() not in ("*", _etag(out)):
        abort(
            problem(
                412,
                "The entry changed since you read it",
                "Read it again and send its new ETag in If-Match.",
            )
        )


def _screen(text: str, confirmed: bool, field: str) -> None:
    """The pages' client-information screen of free text: refused unless confirmed."""
    findings = find_identifiers(text)
    if findings and not confirmed:
        raise Refused(
            f"The {field.replace('_', ' ')} looks like it holds a client's information "
            f"({describe(findings)}). Remove it, or send not_client_information: true.",
            field,
        )


def _me() -> Any:
    return current_user._get_current_object()


def _hours(value) -> str:
    return format(value.normalize(), "f")


def _own_enrollment() -> Enrollment | None:
    return current_enrollment(_me().id)


# -- the caller ---------------------------------------------------------------------------------


@bp.get("/me")
@allow(READ_OWN)
@spec.validate(resp=Response(HTTP_200=schemas.Me), tags=["account"])
def me():
    """The person the token speaks for, their roles and the scopes the token may use now."""
    caller = current_caller()
    user = _me()
    return schemas.Me(
        id=user.id,
        email=user.email,
        full_name=user.full_name,
        roles=user.roles,
        scopes=sorted(caller.scopes),
        token_name=caller.token.name,
        token_expires_at=caller.token.expires_at,
    )


# -- enrollments --------------------------------------------------------------------------------


def _item(item) -> schemas.OutstandingItemOut:
    amount = item.amount_missing
    return schemas.OutstandingItemOut(
        code=item.code,
        step=int(item.step),
        severity=str(item.severity),
        actor=str(item.actor),
        message=item.message,
        key=item.key,
        amount_missing=None if amount is None else format(amount, "f"),
        unit=item.unit,
        due_on=item.due_on,
        waiting_since=item.waiting_since,
    )


def _enrollment_out(standing) -> schemas.EnrollmentOut:
    row, progress = standing.row, standing.progress
    return schemas.EnrollmentOut(
        id=row.id,
        trainee_id=row.trainee_id,
        trainee_name=row.trainee_name,
        program=row.program_name,
        track=row.track_name,
        cohort=row.cohort_name,
        status=row.status,
        state=progress.state if progress is not None else None,
        today=standing.today,
        steps=[
            schemas.StepOut(
                number=step.number, title=step.title, status=str(step.status), summary=step.summary
            )
            for step in (progress.steps if progress is not None else ())
        ],
        items=[_item(i) for i in (progress.current_items if progress is not None else ())],
        upcoming=[_item(i) for i in (progress.upcoming_items if progress is not None else ())],
    )


@bp.get("/enrollments")
@allow(READ_OWN)
@spec.validate(
    query=schemas.PageQuery, resp=Response(HTTP_200=schemas.EnrollmentList), tags=["enrollments"]
)
def enrollments():
    """The caller's own enrollments, each with its nine steps and outstanding items."""
    paging = request.context.query
    mine = select(Enrollment.id).where(Enrollment.trainee_id == _me().id)
    total = db.session.scalar(select(func.count()).select_from(mine.subquery()))
    ids = (
        mine.order_by(Enrollment.id)
        .limit(paging.per_page)
        .offset((paging.page - 1) * paging.per_page)
    )
    return schemas.EnrollmentList(
        data=[_enrollment_out(s) for s in assess(ids)],
        paging=_paging(paging.page, paging.per_page, total),
    )


@bp.get("/enrollments/<int:enrollment_id>")
@allow(OWN_OR_PROGRAM)
@spec.validate(resp=Response(HTTP_200=schemas.EnrollmentOut), tags=["enrollments"])
def enrollment(enrollment_id: int):
    """One enrollment: the trainee's own, a supervisor's assigned trainee's, or (staff) any,
    with the read_program scope for the last two; 404 for anyone else."""
    standing = assess_one(enrollment_id)
    if standing is None:
        abort(404)
    user = _me()
    scopes = getattr(user, "api_scopes", frozenset())
    own = standing.row.trainee_id == user.id and "read_own" in scopes
    program = "read_program" in scopes and (user.is_staff or is_assigned(user.id, standing.row.id))
    if not (own or program):
        abort(404)
    return _enrollment_out(standing)


# -- entries: one configuration per record type --------------------------------------------------


@dataclass(frozen=True)
class EntryApi:
    """A record type the trainee logs, read and written through its services."""

    name: str
    model: type
    body: type[BaseModel]
    out: type[BaseModel]
    listing: type[BaseModel]
    out_of: Callable[[Any], BaseModel]
    add: Callable[[Enrollment | None, Any], Any]
    change: Callable[[Any, Any], Any]
    remove: Callable[[Any], None]
    order: Any

    def find(self, entry_id: int) -> Any:
        return owned_or_404(self.model, entry_id, trainee_id=_me().id)

    def routes(self) -> None:
        """GET and POST /<name>, GET, PUT and DELETE /<name>/<id>."""
        api = self
        tag = [self.name]

        @allow(READ_OWN)
        @spec.validate(query=schemas.PageQuery, resp=Response(HTTP_200=api.listing), tags=tag)
        def list_entries():
            paging = request.context.query
            mine = select(api.model).join(Enrollment, Enrollment.id == api.model.enrollment_id)
            mine = mine.where(Enrollment.trainee_id == _me().id)
            total = db.session.scalar(select(func.count()).select_from(mine.subquery()))
            rows = db.session.scalars(
                mine.order_by(*api.order)
                .limit(paging.per_page)
                .offset((paging.page - 1) * paging.per_page)
            )
            return api.listing(
                data=[api.out_of(row) for row in rows],
                paging=_paging(paging.page, paging.per_page, total),
            )

        @allow(WRITE_OWN)
        @spec.validate(json=api.body, resp=Response(HTTP_201=api.out), tags=tag)
        def create_entry():
            data = request.context.json
            entry = _act(lambda: api.add(_own_enrollment(), data))
            out = api.out_of(entry)
            return out, 201, {"ETag": _etag(out)}

        @allow(READ_OWN)
        @spec.validate(resp=Response(HTTP_200=api.out), tags=tag)
        def read_entry(entry_id: int):
            out = api.out_of(api.find(entry_id))
            return out, 200, {"ETag": _etag(out)}

        @allow(WRITE_OWN)
        @spec.validate(json=api.body, resp=Response(HTTP_200=api.out), tags=tag)
        def update_entry(entry_id: int):
            entry = api.find(entry_id)
            _check_if_match(api.out_of(entry))
            data = request.context.json
            _act(lambda: api.change(entry, data))
            out = api.out_of(entry)
            return out, 200, {"ETag": _etag(out)}

        @allow(WRITE_OWN)
        @spec.validate(resp=Response(HTTP_204=None), tags=tag)
        def delete_entry(entry_id: int):
            entry = api.find(entry_id)
            _check_if_match(api.out_of(entry), required=False)
            _act(lambda: api.remove(entry))
            return "", 204

        what = self.name.replace("_", " ")
        for view, doc in (
            (list_entries, f"The caller's {what} entries, newest first."),
            (create_entry, f"Log a {what} entry (the page's rules and messages)."),
            (read_entry, f"One of the caller's {what} entries, with its ETag."),
            (update_entry, f"Change a {what} entry while the pages allow it (If-Match needed)."),
            (delete_entry, f"Delete a {what} entry while the pages allow it."),
        ):
            view.__doc__ = doc
        base = f"/{self.name}"
        item = f"{base}/<int:entry_id>"
        bp.add_url_rule(base, f"list_{self.name}", list_entries, methods=["GET"])
        bp.add_url_rule(base, f"create_{self.name}", create_entry, methods=["POST"])
        bp.add_url_rule(item, f"read_{self.name}", read_entry, methods=["GET"])
        bp.add_url_rule(item, f"update_{self.name}", update_entry, methods=["PUT"])
        bp.add_url_rule(item, f"delete_{self.name}", delete_entry, methods=["DELETE"])


def _status(entry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "enrollment_id": entry.enrollment_id,
        "status": entry.status,
        "verified_at": getattr(entry, "verified_at", None),
    }


def _didactic_out(entry: DidacticEntry) -> schemas.DidacticOut:
    return schemas.DidacticOut(
        **_status(entry),
        on=entry.on,
        topic_code=entry.topic_code,
        hours=_hours(entry.hours),
        provider=entry.provider,
        note=entry.note,
    )


def _didactic_input(data: schemas.DidacticIn) -> training_services.DidacticInput:
    _screen(data.note, data.not_client_information, "note")
    return training_services.DidacticInput(
        on=data.on,
        topic_code=data.topic_code,
        hours=str(data.hours),
        provider=data.provider,
        note=data.note,
        confirm_duplicate=data.confirm_duplicate,
    )


def _experiential_out(entry: ExperientialEntry) -> schemas.ExperientialOut:
    return schemas.ExperientialOut(
        **_status(entry),
        kind=entry.kind,
        on=entry.on,
        hours=_hours(entry.hours),
        facilitator=entry.facilitator,
        note=entry.note,
    )


def _experiential_input(data: schemas.ExperientialIn) -> training_services.ExperientialInput:
    _screen(data.note, data.not_client_information, "note")
    return training_services.ExperientialInput(
        kind=data.kind,
        on=data.on,
        hours=str(data.hours),
        facilitator=data.facilitator,
        note=data.note,
        attested=data.attested,
        confirm_duplicate=data.confirm_duplicate,
    )


def _ce_out(item: ContinuingEducation) -> schemas.ContinuingEducationOut:
    return schemas.ContinuingEducationOut(
        **_status(item),
        kind=item.kind,
        on=item.on,
        title=item.title,
        provider=item.provider,
        amount=_hours(item.amount),
        review_basis=item.review_basis,
        has_evidence=item.file_id is not None,
    )


def _ce_input(data: schemas.ContinuingEducationIn):
    return continuing_education.ContinuingEducationInput(
        kind=data.kind,
        on=data.on,
        title=data.title,
        provider=data.provider,
        amount=str(data.amount),
    )


def _session_out(session: SupervisedSession) -> schemas.SessionOut:
    return schemas.SessionOut(
        id=session.id,
        enrollment_id=session.enrollment_id,
        status=session.status,
        on=session.on,
        client_code=session.client_code,
        setting=session.setting,
        route=session.route,
        trainee_role=session.trainee_role,
        supervision_mode=session.supervision_mode,
        covers_preparation=session.covers_preparation,
        covers_dosing=session.covers_dosing,
        covers_integration=session.covers_integration,
        duration_minutes=session.duration_minutes,
        reflection=session.reflection,
        supervisor_id=session.supervisor_id,
        submitted_at=session.submitted_at,
        signed_at=session.signed_at,
    )


def _session_input(data: schemas.SessionIn) -> session_services.SessionInput:
    _screen(data.reflection, data.not_client_information, "reflection")
    return session_services.SessionInput(
        on=data.on,
        client_code=data.client_code,
        setting=data.setting,
        route=data.route,
        trainee_role=data.trainee_role,
        supervision_mode=data.supervision_mode,
        covers_preparation=data.covers_preparation,
        covers_dosing=data.covers_dosing,
        covers_integration=data.covers_integration,
        duration_minutes=data.duration_minutes,
        reflection=data.reflection,
    )


ENTRY_APIS = (
    EntryApi(
        "didactic",
        DidacticEntry,
        schemas.DidacticIn,
        schemas.DidacticOut,
        schemas.DidacticList,
        _didactic_out,
        lambda enrollment, data: training_services.log_didactic(enrollment, _didactic_input(data)),
        lambda entry, data: training_services.update_didactic(entry, _didactic_input(data)),
        training_services.delete_didactic,
        (DidacticEntry.on.desc(), DidacticEntry.id.desc()),
    ),
    EntryApi(
        "experiential",
        ExperientialEntry,
        schemas.ExperientialIn,
        schemas.ExperientialOut,
        schemas.ExperientialList,
        _experiential_out,
        lambda enrollment, data: training_services.log_experiential(
            enrollment, _experiential_input(data)
        ),
        lambda entry, data: training_services.update_experiential(entry, _experiential_input(data)),
        training_services.delete_experiential,
        (ExperientialEntry.on.desc(), ExperientialEntry.id.desc()),
    ),
    EntryApi(
        "ce",
        ContinuingEducation,
        schemas.ContinuingEducationIn,
        schemas.ContinuingEducationOut,
        schemas.ContinuingEducationList,
        _ce_out,
        lambda enrollment, data: continuing_education.log_ce(
            enrollment, _ce_input(data), None, _me().id
        ),
        lambda item, data: continuing_education.update_ce(item, _ce_input(data), None, _me().id),
        continuing_education.delete_ce,
        (ContinuingEducation.on.desc(), ContinuingEducation.id.desc()),
    ),
    EntryApi(
        "sessions",
        SupervisedSession,
        schemas.SessionIn,
        schemas.SessionOut,
        schemas.SessionList,
        _session_out,
        lambda enrollment, data: session_services.create_session(enrollment, _session_input(data)),
        lambda session, data: session_services.update_session(session, _session_input(data)),
        session_services.delete_session,
        (SupervisedSession.on.desc(), SupervisedSession.id.desc()),
    ),
)
for _entry_api in ENTRY_APIS:
    _entry_api.routes()


# -- the supervisor's queue and the cohort ------------------------------------------------------


@bp.get("/supervisor/queue")
@allow(TokenScope("read_program", role="supervisor"))
@spec.validate(
    query=schemas.PageQuery, resp=Response(HTTP_200=schemas.QueueList), tags=["supervision"]
)
def supervisor_queue():
    """Everything waiting on the supervisor, oldest first (signing is done on the pages)."""
    paging = request.context.query
    waiting = signoff_queries.waiting_entries(signoff_queries.assigned_enrollment_ids(_me().id))
    start = (paging.page - 1) * paging.per_page
    return schemas.QueueList(
        data=[
            schemas.WaitingOut(
                entry_type=w.entry_type,
                entry_id=w.entry_id,
                enrollment_id=w.enrollment_id,
                trainee_id=w.trainee_id,
                trainee_name=w.trainee_name,
                on=w.on,
                summary=w.summary,
                waiting_since=w.waiting_since,
                days_waiting=w.days_waiting(),
            )
            for w in waiting[start : start + paging.per_page]
        ],
        paging=_paging(paging.page, paging.per_page, len(waiting)),
    )


@bp.get("/cohort")
@allow(TokenScope("read_program", role="staff"))
@spec.validate(
    query=schemas.CohortQuery, resp=Response(HTTP_200=schemas.CohortList), tags=["cohort"]
)
def cohort():
    """The cohort list with the cohort page's filters, sort and paging (from the snapshots)."""
    query = request.context.query
    if query.code is not None and query.code not in ITEM_CODES:
        abort(problem(422, "The request is not valid", "Unknown item code.", field="code"))
    filters = CohortFilters(
        program_id=query.program,
        cohort_id=query.cohort,
        status=query.status,
        state=query.state,
        supervisor_id=query.supervisor,
        step=query.step,
        step_status=query.step_status,
        item_code=query.code,
        actor=query.actor,
        sort=query.sort,
    )
    rows, total = cohort_page(filters, query.page, query.per_page)
    return schemas.CohortList(
        data=[
            schemas.CohortRowOut(
                id=row.id,
                trainee_name=row.trainee_name,
                trainee_email=row.trainee_email,
                program=row.program_name,
                track=row.track_name,
                cohort=row.cohort_name,
                status=row.status,
                state=row.state,
                steps=list(row.steps) if row.steps is not None else None,
                blocking=row.blocking,
                next_due_on=row.next_due_on,
                codes=list(row.codes),
                updating=row.updating,
            )
            for row in rows
        ],
        paging=_paging(query.page, query.per_page, total),
    )


# -- certificates -------------------------------------------------------------------------------


def _certificate_out(cert: Certificate) -> schemas.CertificateOut:
    record = certificate_queries.public_record(cert)
    return schemas.CertificateOut(
        id=cert.id,
        number=cert.number,
        enrollment_id=cert.enrollment_id,
        issued_on=cert.issued_on,
        verification_url=certificate_queries.address_of(cert),
        public=record.as_json(),
    )


def _sees_program_certificates(user) -> bool:
    scopes = getattr(user, "api_scopes", frozenset())
    return user.is_staff and bool({"read_program", "manage_certificates"} & scopes)


@bp.get("/certificates")
@allow(CERTIFICATES)
@spec.validate(
    query=schemas.CertificateQuery,
    resp=Response(HTTP_200=schemas.CertificateList),
    tags=["certificates"],
)
def certificates():
    """Staff (read_program or manage_certificates): the program's certificates, searched by
    number or name; anyone else: their own."""
    query = request.context.query
    user = _me()
    if _sees_program_certificates(user):
        found = certificate_queries.search(query.q)
    elif "read_own" in getattr(user, "api_scopes", frozenset()):
        found = certificate_queries.trainee_certificates(user.id)
    else:
        found = []
    start = (query.page - 1) * query.per_page
    shown = found[start : start + query.per_page]
    standings = certificate_queries.row_standings(shown)  # in bulk: no query per row
    return schemas.CertificateList(
        data=[
            schemas.CertificateRowOut(
                id=c.id,
                number=c.number,
                enrollment_id=c.enrollment_id,
                holder=c.printed_name,
                credential=c.credential,
                issuer=c.program_name,
                issued_on=c.issued_on,
                status=standings[c.id].status.value,
                at_risk=standings[c.id].at_risk,
                verification_url=certificate_queries.address_of(c),
            )
            for c in shown
        ],
        paging=_paging(query.page, query.per_page, len(found)),
    )


@bp.get("/certificates/<int:certificate_id>")
@allow(CERTIFICATES)
@spec.validate(resp=Response(HTTP_200=schemas.CertificateOut), tags=["certificates"])
def certificate(certificate_id: int):
    """One certificate: the holder's own, or any for staff; 404 otherwise."""
    cert = certificate_queries.certificate(certificate_id)
    user = _me()
    if cert is None:
        abort(404)
    own = cert.enrollment.trainee_id == user.id and "read_own" in getattr(
        user, "api_scopes", frozenset()
    )
    if not (own or _sees_program_certificates(user)):
        abort(404)
    return _certificate_out(cert)


@bp.get("/verify/<code>")
@allow(Anyone)
@limiter.limit("60 per minute")  # as the verification page: codes are not to be guessed
@spec.validate(resp=Response(HTTP_200=schemas.Verification), tags=["certificates"])
def verify(code: str):
    """Public verification by the code in the certificate's QR code (no token needed): the
    verification page's facts, nothing more."""
    cert = certificate_queries.by_code(code) if len(code) <= 64 else None
    if cert is None:
        abort(404)
    return schemas.Verification(**certificate_queries.public_record(cert).as_json())


# -- the document and its reference page ---------------------------------------------------------

ERROR_STATUSES = {
    "400": "The request could not be read",
    "401": "No valid token",
    "403": "The token's scopes or its owner's roles do not allow this",
    "404": "Not found (or not yours)",
    "409": "The record cannot change now",
    "422": "The request is not valid; `field` names what is wrong",
    "429": "Too many requests for this token",
}


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document spectree builds from the routes' models, with the bearer
    token scheme and the problem responses every operation may give."""
    document = copy.deepcopy(spec.spec)
    document["components"].setdefault("securitySchemes", {})["token"] = {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal access token from the account page.",
    }
    problem_ref = {"$ref": f"#/components/schemas/{spec.naming_strategy(schemas.Problem)}"}
    public = {f"{bp.url_prefix}/verify/{{code}}"}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if path not in public:
                operation["security"] = [{"token": []}]
            statuses = dict(ERROR_STATUSES)
            if method == "put":
                statuses["412"] = "The entry changed since it was read (stale If-Match)"
                statuses["428"] = "If-Match is missing"
            if method == "delete":
                statuses["412"] = "The entry changed since it was read (stale If-Match)"
            for status, description in statuses.items():
                operation["responses"][status] = {
                    "description": description,
                    "content": {"application/problem+json": {"schema": problem_ref}},
                }
            if method in ("get", "put") and "{" in path and path not in public:
                ok = operation["responses"].get("200")
                if ok is not None:
                    ok["headers"] = {"ETag": {"schema": {"type": "string"}}}
    return document


@bp.get("/openapi.json")
@allow(Anyone)
def openapi():
    """The API's OpenAPI 3.1 document."""
    return openapi_document()


@bp.get("/docs")
@allow(Anyone)
def docs():
    """The API reference, rendered on the server from the OpenAPI document."""
    return render_template("api/reference.html", document=openapi_document())


def register(app: Flask, blueprint: Blueprint) -> None:
    """Register the API blueprint and let spectree read the app's routes for the document."""
    app.register_blueprint(blueprint)
    spec.app = app


@bp.post("/imports")
@allow(TokenScope("import_hours", role="staff"))
@spec.validate(
    json=schemas.ImportIn,
    resp=Response(HTTP_200=schemas.ImportOut, HTTP_201=schemas.ImportOut),
    tags=["imports"],
)
def import_attendance():
    """Preview didactic attendance rows for a program (the CSV import's rules), or import them
    all or none with `commit` and the preview's digest; imported hours count as verified."""
    data = request.context.json
    program = db.session.get(Program, data.program_id)
    if program is None:
        abort(problem(404, "Not found", "No such program.", field="program_id"))
    rows = [{**row.model_dump(), "line": n} for n, row in enumerate(data.rows, start=1)]
    preview = import_services.preview(program, rows)
    batch = None
    if data.commit:
        if not data.digest:
            abort(
                problem(
                    422, "The request was refused", "Send the preview's digest.", field="digest"
                )
            )
        batch = _act(lambda: import_services.commit(program, rows, _me(), data.digest))
    out = schemas.ImportOut(
        rows=[
            schemas.ImportRowOut(
                line=r.line, status=r.status, reason=r.reason, external_id=r.external_id
            )
            for r in preview.rows
        ],
        creates=preview.count("create"),
        duplicates=preview.count("duplicate"),
        errors=preview.count("error"),
        digest=preview.digest,
        batch_id=batch.id if batch is not None else None,
    )
    return out, 201 if batch is not None else 200
