"""Property-based: requests generated from /api/v1/openapi.json, sent with a token of each role
(and none), get no 5xx and no response that breaks the document. A bounded number of examples
per operation keeps the suite fast."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from schemathesis.checks import content_type_conformance
from schemathesis.checks import not_a_server_error
from schemathesis.checks import response_schema_conformance
from schemathesis.checks import status_code_conformance

from tests.certificates.factories import ready_enrollment
from tests.conftest import PASSWORD
from tests.training.factories import add_ce
from tests.training.factories import add_didactic
from tests.training.factories import add_experiential
from tests.training.factories import add_session
from tests.training.factories import assign
from tests.training.factories import make_enrollment
from tracker.api.scopes import allowed_scopes
from tracker.api.services import create_token
from tracker.certificates import services as certificate_services
from tracker.extensions import db

EXAMPLES = 3
CHECKS = (
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
)


@pytest.fixture
def role_tokens(app, create_user):
    """A token per role (every scope the role allows) over a little data: a trainee with
    entries of every kind, their supervisor, staff, and a certificate."""
    trainee = create_user("trainee")
    supervisor = create_user("supervisor")
    staff = create_user("staff", "admin")
    enrollment = make_enrollment(trainee)
    assign(enrollment, supervisor)
    add_didactic(enrollment)
    add_experiential(enrollment)
    add_ce(enrollment)
    add_session(enrollment, status="submitted", supervisor_id=supervisor.id)
    graduate = create_user("trainee", name="Jordan Avery")
    certificate_services.issue_certificate(
        ready_enrollment(graduate).id, staff, None, password=PASSWORD
    )
    tokens = {"anonymous": None}
    for role, user in (
        ("trainee", trainee),
        ("supervisor", supervisor),
        ("staff", staff),
        ("graduate", graduate),
    ):
        tokens[role] = create_token(user, "schemathesis", allowed_scopes(user)).secret
    db.session.commit()
    return tokens


def test_the_api_keeps_to_its_document(app, role_tokens):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def keeps_to_the_document(case):
            for token in role_tokens.values():
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                case.call_and_validate(headers=headers, checks=CHECKS)

        keeps_to_the_document()
