"""The one flow of a form that changes records: find the record (404 when it is not the
person's), validate, call a service, say what happened and go back; a refusal is shown on the
form and keeps nothing. The request commits (tracker.core.transaction)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from typing import Generic
from typing import TypeVar

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response

from tracker.core.errors import Refused
from tracker.core.transaction import discard
from tracker.core.transaction import refuse
from tracker.extensions import db
from tracker.security.access import Rule
from tracker.security.access import allow

T = TypeVar("T")
R = TypeVar("R")
Page = Response | str | tuple[Any, ...]


def owned_or_404(
    model: type[T],
    record_id: int,
    *,
    trainee_id: int | None = None,
    enrollment_id: int | None = None,
) -> T:
    """The `model` row `record_id` when it is the trainee's (their own, or through one of their
    enrollments) and, when given, the enrollment's; a 404 otherwise, so that another person's
    record looks like no record at all."""
    stmt = select(model).where(model.id == record_id)  # type: ignore[attr-defined]
    if enrollment_id is not None:
        stmt = stmt.where(model.enrollment_id == enrollment_id)  # type: ignore[attr-defined]
    if trainee_id is not None:
        if hasattr(model, "trainee_id"):
            stmt = stmt.where(model.trainee_id == trainee_id)
        else:
            stmt = stmt.where(model.enrollment.has(trainee_id=trainee_id))  # type: ignore[attr-defined]
    found = db.session.scalar(stmt)
    if found is None:
        abort(404)
    return found


def or_404(found: T | None) -> T:
    """`found`, or a 404 when the lookup found nothing."""
    if found is None:
        abort(404)
    return found


def save(
    form: FlaskForm,
    action: Callable[[], T],
    done: str | Callable[[T], str],
    back: str | Callable[[T], str],
    on_refused: Callable[[Refused], Page | None] | None = None,
    refused_back: str | None = None,
) -> Page | None:
    """Validate `form` and run `action`; on success say `done` and redirect to `back` (either
    may be a function of what `action` returned). None means: show the form (again), with a
    refusal beside its field or at the top of the page; a refusal of no field goes to
    `refused_back` instead when given. `on_refused` may answer a refusal with a page of its
    own."""
    if not form.validate_on_submit():
        return None
    try:
        result = action()
    except Refused as error:
        page = _own_page(error, on_refused)
        if page is not None:
            return page
        if not refuse(error, form) and refused_back is not None:
            return redirect(refused_back)
        return None
    flash(done(result) if callable(done) else done, "success")
    return redirect(back(result) if callable(back) else back)


def confirmed(
    form: FlaskForm,
    action: Callable[[], object],
    done: str,
    back: str,
    on_refused: Callable[[Refused], Page | None] | None = None,
) -> Page:
    """A button that acts at once (delete, say): a missing or stale confirmation token is a
    400; the result, or the refusal, is said on the page at `back`."""
    if not form.validate_on_submit():
        abort(400)
    try:
        action()
    except Refused as error:
        page = _own_page(error, on_refused)
        if page is not None:
            return page
        refuse(error)
    else:
        flash(done, "success")
    return redirect(back)


def delete_page(
    title: str,
    details: list[tuple[str, str]],
    back: str,
    button: str = "Delete",
) -> str:
    """The page that asks before deleting (GET): what will be deleted, a button that posts the
    deletion back to this address (with its CSRF token), and a way back. Nothing changes."""
    return render_template(
        "core/confirm_delete.html",
        title=title,
        details=details,
        back=back,
        button=button,
        form=FlaskForm(),
    )


def _own_page(error: Refused, on_refused: Callable[[Refused], Page | None] | None) -> Page | None:
    page = on_refused(error) if on_refused is not None else None
    if page is not None:
        discard()
    return page


def _nothing(_owner: Any, _record: Any) -> None:
    return None


@dataclass(frozen=True)
class RecordFlow(Generic[R]):
    """Adding, changing and deleting one kind of record a person owns, written once and
    configured per record type. `owner` is what the record belongs to (an enrollment, a
    person): given None it is the signed-in person's own, given a record that record's."""

    owner: Callable[[R | None], Any]
    find: Callable[[int], R]
    form: Callable[[Any, R | None], FlaskForm]
    add: Callable[[Any, FlaskForm], object]
    change: Callable[[R, FlaskForm], object]
    remove: Callable[[R], object]
    page: Callable[[FlaskForm, Any, R | None], Page]
    back: str
    # What the person is told; a function of the added record when it depends on it.
    added: str | Callable[[Any], str]
    changed: str
    removed: str
    # A page shown instead of the form (logging is closed, the record is verified), or None.
    blocked: Callable[[Any, R | None], Page | None] = _nothing
    # A page that answers a refusal of its own kind for this owner, or None.
    refused_page: Callable[[Any], Callable[[Refused], Page | None]] | None = None
    # What the page that asks before deleting shows of the record: (label, value) rows.
    details: Callable[[R], list[tuple[str, str]]] = lambda _record: []

    def new(self) -> Page:
        """The page that adds a record (GET shows the form, POST saves it)."""
        owner = self.owner(None)
        return self.blocked(owner, None) or self._submit(
            owner, None, lambda form: self.add(owner, form), self.added
        )

    def edit(self, record_id: int) -> Page:
        """The page that changes the record `record_id` (404 when it is not the person's)."""
        record = self.find(record_id)
        owner = self.owner(record)
        return self.blocked(owner, record) or self._submit(
            owner, record, lambda form: self.change(record, form), self.changed
        )

    def delete(self, record_id: int) -> Page:
        """Ask before deleting the record `record_id` (GET), delete it (POST); 404 when it is
        not the person's."""
        record = self.find(record_id)
        if request.method == "GET":
            blocked = self.blocked(self.owner(record), record)
            if blocked is not None:
                return blocked
            title = self.removed.removesuffix(" deleted.")
            return delete_page(
                f"Delete this {title[:1].lower()}{title[1:]}?",
                self.details(record),
                url_for(self.back),
            )
        return confirmed(
            FlaskForm(),
            lambda: self.remove(record),
            self.removed,
            url_for(self.back),
            self._refused(self.owner(record)),
        )

    def routes(
        self,
        bp: Blueprint,
        rule: Rule,
        url: str,
        key: str,
        names: tuple[str, str, str],
        docs: tuple[str, str, str],
    ) -> None:
        """Add the three pages to `bp`, each open to `rule`: `url`/new, `url`/<key>/edit and
        `url`/<key>/delete (GET asks first, POST deletes), named `names` and described by
        `docs`."""

        def new() -> Page:
            return self.new()

        def edit(**values: int) -> Page:
            return self.edit(values[key])

        def delete(**values: int) -> Page:
            return self.delete(values[key])

        pages = (
            (new, f"{url}/new", ["GET", "POST"]),
            (edit, f"{url}/<int:{key}>/edit", ["GET", "POST"]),
            (delete, f"{url}/<int:{key}>/delete", ["GET", "POST"]),
        )
        for (view, path, methods), name, doc in zip(pages, names, docs, strict=True):
            view.__name__ = view.__qualname__ = name
            view.__doc__ = doc
            bp.add_url_rule(path, name, allow(rule)(view), methods=methods)

    def _submit(
        self,
        owner: Any,
        record: R | None,
        act: Callable[[FlaskForm], object],
        done: str | Callable[[Any], str],
    ):
        form = self.form(owner, record)
        return save(
            form, lambda: act(form), done, url_for(self.back), self._refused(owner)
        ) or self.page(form, owner, record)

    def _refused(self, owner: Any) -> Callable[[Refused], Page | None] | None:
        return self.refused_page(owner) if self.refused_page is not None else None
