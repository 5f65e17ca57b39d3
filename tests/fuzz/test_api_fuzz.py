"""A bounded fuzzing pass over the API (schemathesis): every operation of /api/schema/ gets
generated requests, signed in as the demo's county officer and as a village director, and
each answer must be no server error (5xx) and conform to the schema (a documented status
code, the documented content type, a body that matches the documented schema).

Run with `make test-fuzz` (marker `fuzz`, left out of the default run). Bounded and
reproducible: Hypothesis is derandomised (a fixed seed), keeps no example database, and
tries at most FUZZ_EXAMPLES cases per operation and persona (default below).

Left out: the token endpoint. Fuzzing it would post thousands of wrong passwords, which
the lockout counts and the throttle refuses: it would lock the demo accounts (and every
later test's) without telling anything new; its answers are covered by
tests/test_openapi.py and the lockout tests.
"""

import os
import secrets

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

# Cases per operation and persona: ~85 operations × 2 personas stay within 3 minutes.
MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
SEED = 341623
# The operations not fuzzed (see the module's docstring).
EXCLUDED_PATHS = ["/api/v1/auth/token/"]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# The demo's accounts (demo/seed.py DEMO_LOGINS) the pass signs in as.
PERSONAS = ["county", "director"]


def _published_schema() -> dict:
    """The schema /api/schema/ publishes, built the same way without a request, so the
    operations are known when pytest collects (schemathesis's lazy, fixture-loaded schema
    does not run under this pytest); see test_the_fuzzed_schema_has_the_published_…"""
    return SchemaGenerator().get_schema(request=None, public=True)


# Bounded: the examples the schema gives and MAX_EXAMPLES generated cases (valid and
# invalid) per operation; no coverage phase (it tries every combination the schema allows,
# unbounded) and no stateful phase. Reproducible: a fixed seed, no example database.
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
            "database": "none",
        },
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    }
)
schema = schemathesis.openapi.from_dict(_published_schema(), config=CONFIG).exclude(
    path=EXCLUDED_PATHS
)
schema.app = WSGIHandler()


def _signed_in(username: str) -> dict:
    """A session of the demo account and a CSRF pair: the cookies and header of a client
    signed in to the pages (the API takes the session like a token)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    csrf = secrets.token_hex(16)  # 32 characters: Django's unmasked secret
    return {
        "cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": csrf},
        # Schemathesis calls the WSGI app directly and does not undo a compressed body, which
        # GZipMiddleware sends to a client that accepts gzip (as its default headers say).
        "headers": {"X-CSRFToken": csrf, "Accept-Encoding": "identity"},
    }


@pytest.fixture(params=PERSONAS)
def signed_in(request, db):
    return _signed_in(request.param)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,  # the fixed seed: the same cases every run
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_as_its_schema_says(case, signed_in):
    case.call_and_validate(checks=CHECKS, **signed_in)


def _answers(published: dict) -> dict:
    """Each operation of a schema with its parameters and the statuses it declares."""
    return {
        (method, path): (
            sorted((p["in"], p["name"]) for p in operation.get("parameters", [])),
            sorted(operation["responses"]),
        )
        for path, operations in published["paths"].items()
        for method, operation in operations.items()
    }


@pytest.mark.parametrize("username", PERSONAS)
def test_the_fuzzed_schema_has_the_published_operations_and_answers(client, username):
    """The pass fuzzes the schema built without a request (known when pytest collects);
    /api/schema/ as each persona gets it has the same operations, parameters and statuses
    (it adds, for officers, the reporter's fields of a report of concern)."""
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username=username))
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert _answers(response.json()) == _answers(_published_schema())
