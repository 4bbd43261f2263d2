"""KAP Certification Tracker: the application factory (wiring only)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask
from flask import request_tearing_down
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Config
from config import ProductionConfig
from config import base_url_problem
from config import config_from_env
from tracker.core.requests import TrackerRequest
from tracker.extensions import bootstrap
from tracker.extensions import csrf
from tracker.extensions import db
from tracker.extensions import limiter
from tracker.extensions import login_manager
from tracker.extensions import migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: type[Config] | None = None, overrides: dict | None = None) -> Flask:
    """Build the app from a configuration class (TRACKER_ENV's when None) plus overrides."""
    overrides = dict(overrides or {})
    instance_path = (
        overrides.pop("INSTANCE_PATH", None)
        or os.environ.get("INSTANCE_PATH")
        or str(PROJECT_ROOT / "instance")
    )
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=instance_path,
    )
    app.request_class = TrackerRequest
    config_class = config or config_from_env()
    app.config.from_object(config_class)
    app.config.update(overrides)
    if issubclass(config_class, ProductionConfig):
        _check_production(app)
    _check_audit_keys(app, production=issubclass(config_class, ProductionConfig))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            f"sqlite:///{Path(app.instance_path) / 'tracker.db'}"
        )
    if not app.config.get("UPLOAD_FOLDER"):
        app.config["UPLOAD_FOLDER"] = str(Path(app.instance_path) / "uploads")
    _configure_logging(app)
    _trust_proxies(app)
    from tracker.accounts.passwords import configure as configure_passwords
    from tracker.api.auth import session_user
    from tracker.api.auth import token_user

    configure_passwords(app.config.get("ARGON2_TIME_COST"), app.config.get("ARGON2_MEMORY_KIB"))

    from tracker.database import configure_engine_events

    _import_all(MODEL_MODULES)
    _import_all(FACT_MODULES)
    _import_all(TRAIL_MODULES)
    _import_all(JOB_MODULES)
    from tracker.standing.snapshots import install as keep_snapshots_current
    from tracker.standing.snapshots import recompute_marked

    keep_snapshots_current()
    from tracker.documents.storage import install as keep_files_with_their_records

    keep_files_with_their_records()
    db.init_app(app)
    # After every teardown function (whichever commits the request's work), a write request
    # recomputes the few snapshots it marked stale.
    request_tearing_down.connect(recompute_marked, app)
    with app.app_context():
        configure_engine_events(db.engine)
    migrate.init_app(
        app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True, compare_type=True
    )
    csrf.init_app(app)
    bootstrap.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app, add_context_processor=False)  # core's keeps current_user lazy
    login_manager.user_loader(session_user)  # never under /api/: tokens only there
    login_manager.request_loader(token_user)

    from tracker.core.web import register_core

    register_core(app)
    _register_blueprints(app)
    _register_commands(app)
    return app


MODEL_MODULES = (
    "tracker.accounts.models",
    "tracker.audit.models",
    "tracker.programs.models",
    "tracker.enrollments.models",
    "tracker.documents.models",
    "tracker.eligibility.models",
    "tracker.applications.models",
    "tracker.training.models",
    "tracker.supervision.models",
    "tracker.finance.models",
    "tracker.assessment.models",
    "tracker.signoffs.models",
    "tracker.certificates.models",
    "tracker.jobs.models",
    "tracker.lifecycle.models",
    "tracker.feeds.models",
    "tracker.webhooks.models",
    "tracker.imports.models",
    "tracker.records.models",
    "tracker.api.models",
    "tracker.notifications.models",
)


# What each domain gives the progress engine: importing a module registers its contributor with
# `tracker.standing.contributors`. Applications come before eligibility: an application's own
# documents are listed before the licence and insurance documents.
FACT_MODULES = (
    "tracker.applications.facts",
    "tracker.eligibility.facts",
    "tracker.training.facts",
    "tracker.supervision.facts",
    "tracker.finance.facts",
    "tracker.assessment.facts",
    "tracker.certificates.facts",
    "tracker.lifecycle.facts",
)

# What `flask audit verify` checks the live state against: importing a module registers its
# replay of the domain's audit events with `tracker.audit.reconcile`.
TRAIL_MODULES = (
    "tracker.enrollments.trail",
    "tracker.finance.trail",
    "tracker.signoffs.trail",
    "tracker.certificates.trail",
    "tracker.lifecycle.trail",
)


# The modules that register handlers for background jobs (`tracker.jobs.services.handler`): the
# worker can run a job only once its kind's module is imported. (The progress snapshots register
# their periodic refresh with the worker from `tracker.standing.snapshots`.)
JOB_MODULES = (
    "tracker.mail",
    "tracker.accounts.emails",
    "tracker.certificates.jobs",
    "tracker.training.jobs",
    "tracker.webhooks.jobs",
    "tracker.notifications.services",
    "tracker.finance.jobs",
)


def _import_all(names: tuple[str, ...]) -> None:
    """Import each named module for what importing it registers: the models' tables in the
    metadata (and so the migrations), the facts modules' contributors with standing, the trail
    modules' replays with the audit cross-check, the job handlers with the worker."""
    import importlib

    for name in names:
        importlib.import_module(name)


def _check_production(app: Flask) -> None:
    secret = app.config.get("SECRET_KEY")
    if not secret or len(secret) < 32:
        raise RuntimeError("SECRET_KEY must be set (at least 32 characters) in production")
    if app.config.get("DEBUG"):
        raise RuntimeError("FLASK_DEBUG must be off in production")
    problem = base_url_problem(
        app.config.get("PUBLIC_BASE_URL"), bool(app.config.get("ALLOW_INSECURE_BASE_URL"))
    )
    if problem:
        raise RuntimeError(problem)


def _trust_proxies(app: Flask) -> None:
    """Take the client's address, scheme and host from the headers that the trusted reverse
    proxies set (the last TRUSTED_PROXIES values of each); with none, from the connection."""
    count = int(app.config.get("TRUSTED_PROXIES") or 0)
    if count < 0:
        raise RuntimeError("TRUSTED_PROXIES must be 0 or more")
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def _check_audit_keys(app: Flask, *, production: bool) -> None:
    from tracker.audit.keys import problems

    found = problems(app.config, production=production)
    if found:
        raise RuntimeError("; ".join(found))


def _configure_logging(app: Flask) -> None:
    level = getattr(logging, str(app.config.get("LOG_LEVEL", "INFO")).upper(), logging.INFO)
    app.logger.setLevel(level)


def _register_blueprints(app: Flask) -> None:
    from tracker.accounts.views import bp as accounts_bp
    from tracker.admin.views import bp as admin_bp
    from tracker.admissions.views import bp as admissions_bp
    from tracker.api.views import bp as api_bp
    from tracker.applications.views import bp as applications_bp
    from tracker.assessment.views import bp as assessment_bp
    from tracker.audit.views import bp as audit_bp
    from tracker.certificates.views import bp as certificates_bp
    from tracker.dashboard.views import bp as dashboard_bp
    from tracker.documents.views import bp as documents_bp
    from tracker.eligibility.views import bp as eligibility_bp
    from tracker.enrollments.views import bp as enrollments_bp
    from tracker.feeds.views import bp as feeds_bp
    from tracker.finance.views import bp as finance_bp
    from tracker.imports.views import bp as imports_bp
    from tracker.lifecycle.views import bp as lifecycle_bp
    from tracker.notifications.views import bp as notifications_bp
    from tracker.programs.views import bp as programs_bp
    from tracker.records.views import bp as records_bp
    from tracker.reports.views import bp as reports_bp
    from tracker.signoffs.views import bp as signoffs_bp
    from tracker.supervision.views import bp as supervision_bp
    from tracker.training.views import bp as training_bp
    from tracker.webhooks.views import bp as webhooks_bp

    for blueprint in (
        accounts_bp,
        admin_bp,
        programs_bp,
        enrollments_bp,
        documents_bp,
        eligibility_bp,
        applications_bp,
        training_bp,
        supervision_bp,
        finance_bp,
        lifecycle_bp,
        assessment_bp,
        audit_bp,
        dashboard_bp,
        admissions_bp,
        certificates_bp,
        signoffs_bp,
        reports_bp,
        feeds_bp,
        webhooks_bp,
        imports_bp,
        records_bp,
        notifications_bp,
    ):
        app.register_blueprint(blueprint)
    from tracker.api.views import register as register_api

    register_api(app, api_bp)


def _register_commands(app: Flask) -> None:
    from tracker.api.cli import api_cli
    from tracker.audit.cli import audit_cli
    from tracker.certificates.cli import credentials_cli
    from tracker.demo.cli import demo_command
    from tracker.documents.cli import documents_cli
    from tracker.jobs.cli import worker_command
    from tracker.programs.cli import requirements_cli
    from tracker.signoffs.cli import remind_command
    from tracker.standing.cli import progress_cli

    app.cli.add_command(api_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(credentials_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(documents_cli)
    app.cli.add_command(progress_cli)
    app.cli.add_command(requirements_cli)
    app.cli.add_command(remind_command)
    app.cli.add_command(worker_command)
