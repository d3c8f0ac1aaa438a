"""Property-based fuzzing of every operation in the OpenAPI schema (schemathesis + Hypothesis).

Schemathesis generates requests from /openapi.json, both valid per the schema and invalid,
sends them to the app and runs all its checks on each answer: never a server error, a
documented status code, content type and headers, a body that conforms to the documented
schema, invalid requests refused with a 4xx, unsupported methods answered 405. Bounded to
``MAX_EXAMPLES`` examples per operation and mode to keep the suite fast.

``positive_data_acceptance`` (every schema-valid request is answered 2xx) is left out on
purpose: the schema cannot say "a string holding a base64 image of a digit", so most valid
strings are, correctly, refused with 400/413/422, each documented.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from app.core.config import Settings
from app.main import create_app

MAX_EXAMPLES = 50
pytestmark = pytest.mark.slow

# The schema is static (it does not depend on the loaded models), so it is read from an app
# built at import; the requests go over real HTTP to the conftest's live uvicorn server.
schema = schemathesis.openapi.from_dict(create_app(Settings()).openapi())


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
    derandomize=True,
)
def test_every_operation_conforms_to_the_schema(case: Any, live_url: str) -> None:
    case.call_and_validate(base_url=live_url, excluded_checks=[positive_data_acceptance])
