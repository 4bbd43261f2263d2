"""Templates never query: what the app adds to every template is computed without the database,
and the data a page shows is read by its view."""

from __future__ import annotations

from flask import Flask
from flask import render_template_string

from tests.conftest import login
from tracker.extensions import db

# Globals the app adds to Jinja, each pure: Bootstrap-Flask's and Flask-WTF's helpers, and the
# check that an entry still hashes to what its signature bound (no query: it hashes the entry's
# loaded fields). A global that reads the database hides queries in templates: read in the view.
PURE_GLOBALS = {
    "bootstrap",
    "bootstrap_is_hidden_field",
    "csrf_meta_tag",
    "csrf_token",
    "get_table_titles",
    "raise",
    "warn",
    "signature_intact",
    # This page's address with some query arguments changed: reads the request, not the database.
    "same_page_url",
    # An entry's address, from one address per entry type: reads the request, not the database.
    "entry_url",
    # A sign table's rows, printed from the waiting entries its view read.
    "waiting_rows",
}


def test_the_app_adds_no_global_but_the_known_pure_ones(app: Flask) -> None:
    added = set(app.jinja_env.globals) - set(Flask("listing").jinja_env.globals)
    assert added <= PURE_GLOBALS, added - PURE_GLOBALS
    assert "signoff_info" not in added and "signoff_infos" not in added


def test_context_processors_run_no_query(app, client, create_user, count_queries) -> None:
    """Every blueprint's context processor, run for a signed-in staff member, reads nothing."""
    staff = create_user("staff", "admin", "supervisor", "trainee")
    login(client, staff)
    client.get("/home")  # the session's last-seen time is written at most once a minute
    db.session.refresh(staff)  # loading the signed-in person is the user loader's query, not theirs
    with app.test_request_context("/"), count_queries() as counted:
        from flask_login import login_user

        login_user(staff)
        for blueprint in app.template_context_processors:
            for processor in app.template_context_processors[blueprint]:
                processor()
        render_template_string("{{ nav_items|length }}")
    assert counted.count == 0, counted.statements
