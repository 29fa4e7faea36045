"""Schemathesis against the app's own OpenAPI document, in process, on the test database.

Every operation gets generated requests, valid and invalid, with a real API key, and every
response is checked with schemathesis' checks: no 5xx, the status code is documented, content
type, headers and body conform to the schema, no route answers without its key. Left out:
`positive_data_acceptance` (bounds such as "2000-01-01 … now + 2 years" or an opaque cursor
are beyond JSON Schema, so schema-valid data may rightly be a 422/400) and
`negative_data_rejection` (unknown query parameters are ignored, not refused). Examples are
derandomised and bounded (`FUZZ_EXAMPLES` per operation and mode, default 20), so a run
takes about a minute per database and fails the same way twice. (Schemathesis' own pytest
plugin does not run on pytest 9, so operations are parametrised here and driven by hypothesis.)
"""

import os
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import negative_data_rejection, positive_data_acceptance
from schemathesis.generation import GenerationMode
from sqlalchemy import Engine

from app.core.settings import Settings
from app.main import create_app
from tests.factories import make_org

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
EXCLUDED_CHECKS = [positive_data_acceptance, negative_data_rejection]


def _operations() -> list[tuple[str, str]]:
    document = create_app(Settings(environment="test")).openapi()
    return [
        (method.upper(), path)
        for path, methods in document["paths"].items()
        for method in methods
        if method in {"get", "post", "put", "patch", "delete"}
    ]


@pytest.fixture(scope="module")
def fuzz_headers(engine: Engine) -> dict[str, str]:
    """An organisation of its own, with a key carrying every scope."""
    return make_org(engine, name="Fuzz Org").headers


@pytest.fixture(scope="module")
def fuzz_schema(app: FastAPI, fuzz_headers: dict[str, str]) -> Any:
    """The app's OpenAPI document, with the key as the bearer credentials it declares."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)

    @schema.auth()
    class ApiKey:
        def get(self, case: Any, context: Any) -> str:
            return fuzz_headers["Authorization"]

        def set(self, case: Any, data: str, context: Any) -> None:
            case.headers = {**(case.headers or {}), "Authorization": data}

    return schema


@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda m: m.value)
@pytest.mark.parametrize(("method", "path"), _operations())
def test_operation_conforms_to_its_openapi(
    fuzz_schema: Any, method: str, path: str, mode: GenerationMode
) -> None:
    operation = fuzz_schema[path][method]

    @FUZZ_SETTINGS
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        case.call_and_validate(excluded_checks=EXCLUDED_CHECKS)

    try:
        run()
    except Unsatisfiable:
        pytest.skip("the operation has no input that could be made invalid")


def test_stateful_workflows(fuzz_schema: Any) -> None:
    """Chains of calls along the links schemathesis infers: create, then read, list, delete…"""
    calls: list[tuple[str, int]] = []

    class Workflow(fuzz_schema.as_state_machine()):  # type: ignore[misc]
        def after_call(self, response: Any, case: Any) -> None:
            calls.append((f"{case.method} {case.path}", response.status_code))

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            case.validate_response(response, excluded_checks=EXCLUDED_CHECKS)

    Workflow.run(
        settings=settings(
            max_examples=int(os.environ.get("FUZZ_STATEFUL_EXAMPLES", "40")),
            stateful_step_count=6,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )
    # The links were followed: objects created were then read back successfully.
    followed = {call for call, status in calls if status < 300 and "{" in call}
    assert followed, sorted(set(calls))
