"""The application tests' builders: tracker.factories, committed for use between requests."""

from __future__ import annotations

from tracker.factories import applications
from tracker.factories import committing
from tracker.factories import documents
from tracker.factories import eligibility
from tracker.factories.applications import ANSWER  # noqa: F401 - re-exported for the tests

stored_file = documents.stored_file  # flushed only: the tests use it inside other builders
add_document = committing(applications.add_document)
add_reference = committing(applications.add_reference)
answer = committing(applications.answer)
complete_eligibility = committing(eligibility.complete_eligibility)
complete_application = committing(applications.complete_application)
