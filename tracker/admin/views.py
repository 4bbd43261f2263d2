"""Staff invite people; administrators find accounts, change roles and deactivate."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user

from tracker.accounts import emails
from tracker.accounts import services
from tracker.accounts.forms import ConfirmForm
from tracker.accounts.forms import InviteForm
from tracker.accounts.forms import JobTitleForm
from tracker.accounts.forms import RolesForm
from tracker.accounts.models import User
from tracker.core import navigation
from tracker.core.errors import Refused
from tracker.core.flow import save
from tracker.core.transaction import refuse
from tracker.extensions import db
from tracker.security.access import Admin
from tracker.security.access import AnyOf
from tracker.security.access import Staff
from tracker.security.access import allow

bp = Blueprint("admin", __name__, url_prefix="/admin")
StaffOrAdmin = AnyOf((Staff, Admin))
navigation.register("Accounts", "admin.users", Admin, order=90)


@bp.get("/users")
@allow(Admin)
def users():
    """Find accounts by name or e-mail and role."""
    text = request.args.get("q", "")[:100]
    role = request.args.get("role", "")
    page = request.args.get("page", 1, type=int) or 1
    pagination = services.search_users(text, role, page=max(page, 1))
    return render_template(
        "admin/users.html", pagination=pagination, q=text, role=role, roles=services.ROLE_NAMES
    )


@bp.route("/invite", methods=["GET", "POST"])
@allow(StaffOrAdmin)
def invite():
    """Invite a trainee, supervisor or staff member by e-mail."""
    form = InviteForm()
    if not current_user.is_admin:
        form.roles.choices = [c for c in form.roles.choices if c.value != "admin"]
    if form.validate_on_submit():
        try:
            user = services.invite(
                form.email.data, form.full_name.data, set(form.roles.data), current_user
            )
        except Refused as error:
            refuse(error, form)
        else:
            emails.queue_invitation(user, current_user)
            flash(f"Invitation sent to {user.email}.", "success")
            return redirect(url_for("admin.invite"))
    return render_template("admin/invite.html", form=form)


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@allow(Admin)
def user_detail(user_id: int):
    """One account: change its roles."""
    user = _user_or_404(user_id)
    form = RolesForm(data={"roles": user.roles} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.change_roles(user, set(form.roles.data or []), current_user)
        except Refused as error:
            refuse(Refused(error.message, "roles"), form)
        else:
            flash("Roles updated.", "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
    return _user_page(user, form)


def _user_page(user: User, form: RolesForm, title_form: JobTitleForm | None = None):
    return render_template(
        "admin/user.html",
        user=user,
        form=form,
        title_form=title_form or JobTitleForm(formdata=None, data={"job_title": user.job_title}),
        confirm=ConfirmForm(),
    )


@bp.post("/users/<int:user_id>/title")
@allow(Admin)
def set_job_title(user_id: int):
    """Set the job title printed under a staff member's name on the certificates they issue."""
    user = _user_or_404(user_id)
    form = JobTitleForm()
    return save(
        form,
        lambda: services.set_job_title(user, form.job_title.data, current_user),
        "Job title saved.",
        url_for("admin.user_detail", user_id=user.id),
    ) or _user_page(user, RolesForm(formdata=None, data={"roles": user.roles}), title_form=form)


@bp.post("/users/<int:user_id>/active")
@allow(Admin)
def set_active(user_id: int):
    """Deactivate or reactivate an account (the form says which)."""
    user = _user_or_404(user_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    wanted = request.form.get("active") == "1"
    try:
        services.set_active(user, wanted, current_user)
    except Refused as error:
        refuse(error)
    else:
        flash("Account reactivated." if wanted else "Account deactivated.", "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))
