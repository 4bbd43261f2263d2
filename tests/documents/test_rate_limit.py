"""Uploads are rate limited per signed-in person (UPLOAD_RATE_LIMIT, 30 an hour by default):
beyond it the form says so and keeps nothing; a form sent without a file is not counted, and
another person is not held back."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from config import Config
from tests.conftest import csrf_token
from tests.conftest import login
from tests.documents.conftest import on_disk
from tests.training.factories import iso
from tests.training.factories import make_enrollment
from tests.training.factories import yesterday
from tracker.factories import count
from tracker.factories.documents import PDF
from tracker.training.models import ContinuingEducation

URL = "/training/ce/new"


def ce_form(client, certificate: bool = True) -> dict:
    """A CE record, with its certificate unless told."""
    data = {
        "csrf_token": csrf_token(client),
        "kind": "ce",
        "on": iso(yesterday()),
        "title": "Ketamine pharmacology update",
        "provider": "Society for Psychedelic Medicine",
        "amount": "1",
    }
    if certificate:
        data["certificate"] = (io.BytesIO(PDF), "certificate.pdf")
    return data


@pytest.fixture
def enrollment(trainee):
    """The trainee's admitted enrollment, under a requirement set that leaves CE evidence
    optional: the same form without a file is then saved."""
    return make_enrollment(trainee, ce_evidence_required=False)


def test_the_default_is_30_uploads_an_hour():
    assert Config.UPLOAD_RATE_LIMIT == "30 per hour"


def test_the_31st_upload_in_an_hour_is_refused_and_nothing_is_kept(
    make_app, trainee, enrollment, create_user
):
    other = create_user("trainee")
    make_enrollment(other)
    app = make_app(RATELIMIT_ENABLED=True)
    client = app.test_client()
    login(client, trainee)
    codes = [client.post(URL, data=ce_form(client)).status_code for _ in range(30)]
    assert codes == [302] * 30
    folder = Path(app.config["UPLOAD_FOLDER"])
    stored = on_disk(folder)

    response = client.post(URL, data=ce_form(client))

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "You have reached the limit of 30 uploads per hour. Try again in 60 minutes." in page
    assert records(app) == 30
    assert on_disk(folder) == stored
    # The same form without a file is not an upload: it is saved.
    assert client.post(URL, data=ce_form(client, certificate=False)).status_code == 302
    # Another person uploads as before.
    other_client = app.test_client()
    login(other_client, other)
    assert other_client.post(URL, data=ce_form(other_client)).status_code == 302
    assert records(app) == 32


def records(app) -> int:
    """The CE records saved, as the app under test sees them."""
    with app.app_context():
        return count(ContinuingEducation)
