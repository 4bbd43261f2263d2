"""Every id in a URL is a whole number from 1 to 2**31 - 1: beyond what the database's integer
holds (2**31 on PostgreSQL, 2**63 on SQLite), zero or negative, it is a 404 on every route,
never a 500. The routes come from the URL map, so a new route is covered without a change."""

from __future__ import annotations

import re

import pytest
from werkzeug.routing import IntegerConverter

from tests.conftest import csrf_token
from tracker.core.web import ID_MAX
from tracker.core.web import IdConverter

_INT = re.compile(r"<int(\([^)]*\))?:\w+>")
_OTHER = re.compile(r"<(?:\w+:)?(\w+)>")
_WORDS = {"entry_type": "session", "kind": "payment"}  # a new variable name fails loudly here
OUT_OF_RANGE = ["2147483648", "9223372036854775808", "99999999999999999999999", "0", "-1"]


def _int_rules(app):
    """Every rule with at least one `int` variable, and the method to try it with."""
    for rule in app.url_map.iter_rules():
        if any(isinstance(c, IntegerConverter) for c in rule._converters.values()):
            methods = rule.methods - {"HEAD", "OPTIONS"}
            yield rule, "GET" if "GET" in methods else sorted(methods)[0]


def _path(rule, number: str) -> str:
    """The rule's path with `number` for every int variable and a valid word for the others."""
    path = _INT.sub(number, rule.rule)
    return _OTHER.sub(lambda match: _WORDS[match.group(1)], path)


@pytest.fixture
def everyone(client, auth, create_user):
    """The client, signed in as a person holding every role (so every view is reachable)."""
    auth.login(create_user("trainee", "supervisor", "staff", "admin"))
    return client


def test_every_int_variable_uses_the_bounded_converter(app):
    rules = list(_int_rules(app))
    assert len(rules) > 40
    for rule, _method in rules:
        for converter in rule._converters.values():
            if isinstance(converter, IntegerConverter):
                assert isinstance(converter, IdConverter), rule.rule
                assert (converter.min, converter.max) == (1, ID_MAX)


@pytest.mark.parametrize("number", OUT_OF_RANGE)
def test_an_out_of_range_id_is_404_on_every_route(app, everyone, number):
    token = csrf_token(everyone)
    answers = {}
    for rule, method in _int_rules(app):
        path = _path(rule, number)
        response = everyone.open(
            path, method=method, data={"csrf_token": token}, headers={"X-CSRFToken": token}
        )
        answers[f"{method} {path}"] = response.status_code
    assert {path: code for path, code in answers.items() if code != 404} == {}


def test_the_largest_id_reaches_the_view_and_finds_nothing(app, everyone):
    failures = {}
    for rule, method in _int_rules(app):
        if method != "GET":
            continue
        path = _path(rule, str(ID_MAX))
        status = everyone.get(path).status_code
        if status >= 500:
            failures[path] = status
    assert failures == {}
