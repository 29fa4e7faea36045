"""Application errors, rendered as RFC 9457 problem details.

AppError                      500 (base; never raised directly)
├── BadRequest                400  malformed JSON, bad cursor, invalid document
├── Unauthorized              401  missing or invalid API key / session
├── Forbidden                 403  key lacks the scope
├── NotFound                  404  absent, or another organisation's
├── Conflict                  409  idempotency key reused with different content
├── PayloadTooLarge           413  body over the configured limit
├── UnprocessableContent      422  well-formed but invalid input (with `errors`)
└── ServiceUnavailable        503  database down, busy or out of connections (`Retry-After`)

`database_problem()` maps SQLAlchemy's exceptions onto these: connection failures, pool
timeouts and lock timeouts are 503 (the client retries), a value the database refuses is 422.
"""

from typing import Any

from sqlalchemy import exc as sa_exc

PROBLEM_BASE = "https://followthrough.dev/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"


class AppError(Exception):
    status: int = 500
    slug: str = "internal-error"
    title: str = "Internal Server Error"

    def __init__(self, detail: str | None = None, *, errors: list[dict[str, Any]] | None = None):
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors

    @property
    def type(self) -> str:
        return PROBLEM_BASE + self.slug

    def to_problem(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": self.type,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        if self.errors is not None:
            body["errors"] = self.errors
        return body


class BadRequest(AppError):
    status, slug, title = 400, "bad-request", "Bad Request"


class Unauthorized(AppError):
    status, slug, title = 401, "unauthorized", "Unauthorized"


class Forbidden(AppError):
    status, slug, title = 403, "forbidden", "Forbidden"


class NotFound(AppError):
    status, slug, title = 404, "not-found", "Not Found"


class Conflict(AppError):
    status, slug, title = 409, "conflict", "Conflict"


class PayloadTooLarge(AppError):
    status, slug, title = 413, "payload-too-large", "Payload Too Large"


class UnprocessableContent(AppError):
    status, slug, title = 422, "validation-error", "Unprocessable Content"


class ServiceUnavailable(AppError):
    status, slug, title = 503, "unavailable", "Service Unavailable"
    retry_after_seconds = 1


def database_problem(exc: Exception) -> AppError | None:
    """The problem for a database exception, or None if it is not one we can explain."""
    if isinstance(exc, sa_exc.TimeoutError):
        return ServiceUnavailable("All database connections are busy; retry the request.")
    if isinstance(exc, sa_exc.DataError):
        return UnprocessableContent(
            "A value in the request cannot be stored.",
            errors=[field_error("body", "a value is out of range or not storable")],
        )
    if isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError):
        return ServiceUnavailable("The database is busy or unavailable; retry the request.")
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return ServiceUnavailable("The database connection was lost; retry the request.")
    return None


def field_error(field: str, message: str) -> dict[str, str]:
    return {"field": field, "message": message}


# Every route documents these (contract §1): a fuzzer or client meets any of them anywhere.
API_PROBLEM_STATUSES = (400, 401, 403, 404, 409, 413, 422, 429, 503)


def document_problems(openapi: dict[str, Any], *, public_paths: set[str]) -> None:
    """Declare the shared problem responses on every operation of an OpenAPI document.

    Routes keep what they declare themselves; FastAPI's default 422 (`HTTPValidationError`,
    plain JSON) is replaced by the problem it really is. Operations under `public_paths`
    take no API key (`security: []`).
    """
    shared = problem_responses(*API_PROBLEM_STATUSES)
    for path, operations in openapi.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "put", "post", "delete", "patch"}:
                continue
            responses = operation.setdefault("responses", {})
            for status, response in shared.items():
                declared = responses.get(str(status))
                if declared is None or PROBLEM_MEDIA_TYPE not in declared.get("content", {}):
                    responses[str(status)] = response
            if path in public_paths:
                operation.setdefault("security", [])


def problem_responses(
    *statuses: int, extra: dict[int | str, dict[str, Any]] | None = None
) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries for the problems a route can return (plus `extra`)."""
    descriptions = {
        400: "Malformed request",
        401: "Missing or invalid credentials",
        403: "Missing scope",
        404: "Not found (or another organisation's)",
        409: "Conflict",
        413: "Body too large",
        422: "Invalid input",
        429: "Too many requests",
        503: "Database unavailable or busy; retry after `Retry-After` seconds",
    }
    responses: dict[int | str, dict[str, Any]] = dict(extra or {})
    for status in statuses:
        responses[status] = {
            "description": descriptions.get(status, "Problem"),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
    return responses
