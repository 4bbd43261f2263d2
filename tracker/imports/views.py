"""Staff pages for importing didactic attendance: upload, map the columns (once per layout),
preview, commit, and undo a batch."""

from __future__ import annotations

import json

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_login import current_user
from sqlalchemy import select

from tracker.core import navigation
from tracker.core.errors import Refused
from tracker.core.flow import or_404
from tracker.core.flow import save
from tracker.core.transaction import refuse
from tracker.documents.storage import count_upload
from tracker.documents.storage import megabytes
from tracker.documents.storage import sniff
from tracker.extensions import db
from tracker.imports import services
from tracker.imports.forms import CommitForm
from tracker.imports.forms import CourseMapForm
from tracker.imports.forms import MappingForm
from tracker.imports.forms import UndoForm
from tracker.imports.forms import UploadForm
from tracker.imports.layouts import FIELD_LABELS
from tracker.imports.layouts import SOURCE_LABELS
from tracker.imports.layouts import LayoutError
from tracker.imports.layouts import custom_layout
from tracker.imports.layouts import detect
from tracker.imports.layouts import read_csv
from tracker.imports.layouts import to_rows
from tracker.imports.models import ImportBatch
from tracker.imports.models import ImportDraft
from tracker.programs.models import Program
from tracker.security.access import Staff
from tracker.security.access import allow

bp = Blueprint("imports", __name__, url_prefix="/imports")
navigation.register("Import hours", "imports.index", Staff, order=85)
UNMAPPED = "unmapped"


@bp.context_processor
def _helpers() -> dict[str, object]:
    return {"source_labels": SOURCE_LABELS, "field_labels": FIELD_LABELS}


def _program(program_id: int) -> Program:
    return or_404(db.session.get(Program, program_id))


def _draft(draft_id: int) -> ImportDraft:
    return or_404(db.session.get(ImportDraft, draft_id))


@bp.route("/")
@allow(Staff)
def index():
    """The programs to import into."""
    programs = db.session.scalars(select(Program).order_by(Program.name)).all()
    return render_template("imports/index.html", programs=programs)


def _read_upload(form: UploadForm) -> bytes:
    """The uploaded file's bytes, within the app's upload limits; refused otherwise."""
    upload = form.file.data
    if upload is None or not getattr(upload, "filename", ""):
        raise Refused("Choose the CSV file to import.", "file")
    count_upload()
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise Refused(f"The file is larger than {megabytes(limit)}.", "file")
    if not data:
        raise Refused("The file is empty.", "file")
    if sniff(data[:16]) is not None:
        raise Refused("Upload the export as a CSV file (this is a PDF or an image).", "file")
    return data


@bp.route("/programs/<int:program_id>", methods=["GET", "POST"])
@allow(Staff)
def program(program_id: int):
    """Upload an export for the program; its batches so far."""
    found = _program(program_id)
    form = UploadForm()

    def upload() -> ImportDraft:
        data = _read_upload(form)
        filename = form.file.data.filename or ""
        try:
            header, records = read_csv(data)
        except LayoutError as error:
            raise Refused(str(error), "file") from None
        saved = services.layout_of(found)
        layout = detect(header, saved.column_map if saved is not None else None)
        if layout is None:
            content = {"header": header, "records": records}
            return services.keep_draft(found, content, 0, UNMAPPED, filename, current_user)  # type: ignore[arg-type]
        rows, skipped = to_rows(layout, header, records)
        return services.keep_draft(found, rows, skipped, layout.code, filename, current_user)

    def next_page(draft: ImportDraft) -> str:
        if draft.source == UNMAPPED:
            return url_for("imports.mapping", draft_id=draft.id)
        return url_for("imports.preview", draft_id=draft.id)

    done = save(form, upload, lambda d: _uploaded(d), next_page)
    if done is not None:
        return done
    return render_template(
        "imports/program.html",
        program=found,
        form=form,
        batches=services.batches(found),
        layout=services.layout_of(found),
    )


def _uploaded(draft: ImportDraft) -> str:
    if draft.source == UNMAPPED:
        return "The file's layout is not one the tracker knows: choose which column holds what."
    return f"Read as a {SOURCE_LABELS[draft.source]}. Check the preview, then import."


@bp.route("/drafts/<int:draft_id>/map", methods=["GET", "POST"])
@allow(Staff)
def mapping(draft_id: int):
    """Choose which column holds each field; saved for the program's next files."""
    draft = _draft(draft_id)
    if draft.source != UNMAPPED or draft.batch_id is not None:
        return redirect(url_for("imports.preview", draft_id=draft.id))
    content = json.loads(draft.content)
    header, records = content["header"], [tuple(r) for r in content["records"]]
    saved = services.layout_of(draft.program)
    form = MappingForm()
    # The saved choices fill a new form; a posted one keeps what was chosen.
    form.offer(header, saved.column_map if saved is not None and not form.is_submitted() else {})

    def apply() -> ImportDraft:
        columns = form.columns()
        services.save_layout(draft.program, columns, None, current_user)
        rows, skipped = to_rows(custom_layout(columns), header, records)
        draft.source = "custom"
        draft.skipped = skipped
        draft.content = json.dumps(rows, separators=(",", ":"))
        db.session.flush()
        return draft

    done = save(
        form,
        apply,
        "Column layout saved for this program; files with these columns are read with it "
        "from now on.",
        lambda d: url_for("imports.preview", draft_id=d.id),
    )
    if done is not None:
        return done
    return render_template(
        "imports/mapping.html", draft=draft, form=form, header=header, sample=records[:3]
    )


@bp.route("/drafts/<int:draft_id>")
@allow(Staff)
def preview(draft_id: int):
    """What importing the uploaded file would do, row by row (nothing is written)."""
    draft = _draft(draft_id)
    if draft.source == UNMAPPED:
        return redirect(url_for("imports.mapping", draft_id=draft.id))
    outcome = services.preview(draft.program, draft.rows)
    form = CommitForm(digest=outcome.digest)
    return render_template("imports/preview.html", draft=draft, preview=outcome, form=form)


@bp.route("/drafts/<int:draft_id>/commit", methods=["POST"])
@allow(Staff)
def commit(draft_id: int):
    """Import every row of the preview, or nothing."""
    draft = _draft(draft_id)
    form = CommitForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        batch = services.commit_draft(draft, current_user, form.digest.data or "")
    except Refused as error:
        refuse(error)
        if draft.batch_id is not None:
            return redirect(url_for("imports.batch", batch_id=draft.batch_id))
        return redirect(url_for("imports.preview", draft_id=draft.id))
    flash(
        f"Imported {batch.row_count} entries ({batch.hours} hours), verified by the program.",
        "success",
    )
    return redirect(url_for("imports.batch", batch_id=batch.id))


@bp.route("/batches/<int:batch_id>", methods=["GET", "POST"])
@allow(Staff)
def batch(batch_id: int):
    """An import batch; undo it (POST, with a reason) while none of its entries changed."""
    found = or_404(db.session.get(ImportBatch, batch_id))
    form = UndoForm()
    done = save(
        form,
        lambda: services.undo(found, current_user, form.reason.data),
        "The import was undone: its entries are removed.",
        url_for("imports.batch", batch_id=found.id),
    )
    if done is not None:
        return done
    problems = [] if found.is_undone else services.changed_since(found)
    return render_template(
        "imports/batch.html",
        batch=found,
        form=form,
        problems=problems,
        entries=services.entries_left(found),
    )


@bp.route("/programs/<int:program_id>/course-map", methods=["GET", "POST"])
@allow(Staff)
def course_map(program_id: int):
    """The program's course map: which topic and hours each LMS course counts as."""
    found = _program(program_id)
    saved = services.layout_of(found)
    form = CourseMapForm(data={"course_map": saved.course_map if saved else ""})
    done = save(
        form,
        lambda: services.save_layout(found, None, form.course_map.data or "", current_user),
        "Course map saved.",
        url_for("imports.program", program_id=found.id),
    )
    if done is not None:
        return done
    spec = services.program_spec(found)
    return render_template(
        "imports/course_map.html",
        program=found,
        form=form,
        topics=spec.didactic_topics if spec else (),
    )
