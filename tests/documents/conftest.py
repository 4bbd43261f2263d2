"""Fixtures for the document store's tests: an admitted trainee signed in, and a look at the
upload folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.training.factories import make_enrollment


@pytest.fixture
def trainee(create_user):
    """A trainee account."""
    return create_user("trainee", name="Tara Trainee", email="tara@example.org")


@pytest.fixture
def enrollment(trainee):
    """The trainee's admitted enrollment (continuing education is open to them)."""
    return make_enrollment(trainee)


@pytest.fixture
def signed_in(client, auth, trainee, enrollment):
    """The client, signed in as the admitted trainee."""
    auth.login(trainee)
    return client


@pytest.fixture
def folder(app) -> Path:
    """The upload folder."""
    return Path(app.config["UPLOAD_FOLDER"])


def on_disk(folder: Path, suffix: str = ".bin") -> set[str]:
    """The names in the upload folder ending with `suffix` (stored files by default)."""
    if not folder.exists():
        return set()
    return {p.name for p in folder.iterdir() if p.name.endswith(suffix)}
