"""schemathesis against the OpenAPI document, in-process (WSGI): for every operation, generated
requests — as a candidate with a token, anonymously and, on the work list, as an assessor —
never cause a server error, and every response matches the schema documented for its status."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from api import tokens
from api.models import Scope
from config.wsgi import application as wsgi_application

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_application)


@pytest.fixture
def _keep_test_connection():
    """The WSGI handler closes the database connection after each request, which would end the
    test's transaction; Django's own test client avoids it in the same way."""
    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    yield
    for signal in signals:
        signal.connect(close_old_connections)


@pytest.fixture
def candidate_token(_keep_test_connection, candidate, submitted, issued):
    """A token of the candidate who has a submitted case and an issued credential."""
    _row, text = tokens.create_token(user=candidate, name="schemathesis", scopes=Scope.values)
    return f"Bearer {text}"


@pytest.fixture
def assessor_token(_keep_test_connection, assessor, submitted):
    """A token of an assessor in the pool of the submitted case, with its task to take."""
    _row, text = tokens.create_token(user=assessor, name="schemathesis", scopes=Scope.values)
    return f"Bearer {text}"


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_it_keeps_every_operation_to_its_schema(case, candidate_token, assessor_token):
    case.call_and_validate(headers={"Authorization": candidate_token}, checks=CHECKS)
    case.call_and_validate(checks=CHECKS)
    if case.path.startswith("/api/v1/tasks"):
        case.call_and_validate(headers={"Authorization": assessor_token}, checks=CHECKS)
