"""The ASGI application: `create_app()` wires settings, database, routers and handlers."""

import hmac
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app import __version__, language
from app.audit.router import router as audit_router
from app.candidates.router import router as candidates_router
from app.core.auth import ApiKeyStore
from app.core.db import create_engine_for, create_sessionmaker
from app.core.errors import (
    PROBLEM_MEDIA_TYPE,
    AppError,
    Conflict,
    ServiceUnavailable,
    Unauthorized,
    database_problem,
    document_problems,
    problem_responses,
)
from app.core.logging import configure_logging, get_logger
from app.core.middleware import (
    BodySizeLimitMiddleware,
    RequestContextMiddleware,
    SecurityHeadersMiddleware,
)
from app.core.ratelimit import TooManyRequests, limiter_for
from app.core.settings import Settings, get_settings
from app.core.validation import validation_problem
from app.events.router import router as events_router
from app.integrations.router import router as integrations_router
from app.orgs import service as orgs_service
from app.orgs.router import router as orgs_router
from app.recruiters.router import router as recruiters_router
from app.reports.router import router as reports_router
from app.scoring.router import router as scoring_router
from app.web import router as web
from app.webhooks import runner as webhooks_runner
from app.webhooks.router import router as webhooks_router
from app.worker import in_process_worker

log = get_logger("followthrough")

# Operations that take no API key (the shared problem responses are documented on all).
PUBLIC_PATHS = {"/healthz", "/readyz", "/metrics"}


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[dict[str, Any]] | None = None


def _problem_response(request: Request, error: AppError) -> JSONResponse:
    response = JSONResponse(
        error.to_problem(instance=request.url.path),
        status_code=error.status,
        media_type=PROBLEM_MEDIA_TYPE,
    )
    if isinstance(error, ServiceUnavailable):
        response.headers["Retry-After"] = str(error.retry_after_seconds)
    return response


_STATUS_ERRORS: dict[int, type[AppError]] = {}


def _install_error_handlers(app: FastAPI) -> None:
    from app.core import errors

    for cls in (
        errors.BadRequest,
        errors.Unauthorized,
        errors.Forbidden,
        errors.NotFound,
        errors.Conflict,
        errors.PayloadTooLarge,
        errors.UnprocessableContent,
    ):
        _STATUS_ERRORS[cls.status] = cls

    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> JSONResponse:
        response = _problem_response(request, exc)
        if isinstance(exc, TooManyRequests):
            response.headers["Retry-After"] = str(max(1, exc.retry_after))
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _problem_response(request, validation_problem(exc.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        cls = _STATUS_ERRORS.get(exc.status_code)
        if cls is not None:
            detail = "No such resource." if exc.status_code == 404 else str(exc.detail)
            return _problem_response(request, cls(detail))
        error = AppError(str(exc.detail))
        error.status = exc.status_code
        error.title = str(exc.detail)
        error.slug = f"http-{exc.status_code}"
        return _problem_response(request, error)

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        log.warning("integrity_error", error=str(exc.orig)[:500])
        return _problem_response(
            request, Conflict("The request conflicts with data stored meanwhile; retry it.")
        )

    @app.exception_handler(SQLAlchemyError)
    async def _database(request: Request, exc: SQLAlchemyError) -> JSONResponse:
        error = database_problem(exc)
        if error is None:
            return await _unexpected(request, exc)
        log.error("database_error", kind=type(exc).__name__, error=str(exc)[:500])
        return _problem_response(request, error)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        request_id = getattr(request.state, "request_id", None)
        log.exception("unhandled_error", request_id=request_id)
        return _problem_response(
            request,
            AppError(f"An unexpected error occurred (request id {request_id})."),
        )


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    session_factory: sessionmaker[Session] | None = None,
) -> FastAPI:
    """Build the application; tests hand in their own settings, engine and sessionmaker."""
    settings = settings or get_settings()
    configure_logging(level=settings.log_level, json_logs=settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own_engine = engine is None
        app.state.engine = engine or create_engine_for(
            settings.database_url,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            pool_timeout=settings.db_pool_timeout,
        )
        app.state.sessionmaker = session_factory or create_sessionmaker(app.state.engine)
        log.info("startup", database=app.state.engine.dialect.name, version=__version__)
        language.warm_up()  # the first message must not pay for loading the language model
        try:
            with webhooks_runner.background_delivery(app.state.sessionmaker, settings):
                if settings.runs_worker_in_process:
                    async with in_process_worker(
                        settings.database_url, app.state.engine, app.state.sessionmaker
                    ):
                        yield
                else:
                    yield
        finally:
            if own_engine:
                app.state.engine.dispose()
            log.info("shutdown")

    app = FastAPI(
        title="Followthrough",
        version=__version__,
        description=(
            "Candidate responsiveness tracking for recruiters: contact events, response "
            "latency in business time, and explainable engagement flags. API v1."
        ),
        lifespan=lifespan,
    )
    app.state.settings = settings
    api_keys: ApiKeyStore = orgs_service  # the module is the store; mypy checks it fits
    app.state.api_keys = api_keys
    app.state.rate_limiter = limiter_for(settings.redis_url)
    if engine is not None:
        app.state.engine = engine
        app.state.sessionmaker = session_factory or create_sessionmaker(engine)
    _install_error_handlers(app)
    for router in (
        recruiters_router,
        candidates_router,
        events_router,
        scoring_router,
        orgs_router,
        webhooks_router,
        integrations_router,
        audit_router,
    ):
        app.include_router(router)
    _install_ops_routes(app)
    app.include_router(reports_router)
    web.install(app)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeadersMiddleware, https=settings.https)
    app.add_middleware(RequestContextMiddleware)
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _install_ops_routes(app: FastAPI) -> None:
    @app.get("/healthz", tags=["operations"], include_in_schema=True)
    def healthz() -> dict[str, str]:
        """Liveness: the process is up."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"], responses={503: {"description": "Not ready"}})
    def readyz(request: Request) -> JSONResponse:
        """Readiness: the database answers."""
        try:
            with request.app.state.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:  # any failure means not ready
            log.warning("not_ready", error=str(exc)[:200])
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    @app.get(
        "/metrics",
        tags=["operations"],
        response_class=PlainTextResponse,
        responses=problem_responses(401),
    )
    def metrics(request: Request) -> PlainTextResponse:
        """Prometheus metrics (with `METRICS_TOKEN` set: `Authorization: Bearer <token>`)."""
        token = request.app.state.settings.metrics_token
        if token is not None:
            scheme, _, sent = request.headers.get("authorization", "").partition(" ")
            expected = token.get_secret_value().encode()
            if scheme.lower() != "bearer" or not hmac.compare_digest(
                sent.strip().encode(), expected
            ):
                raise Unauthorized("Send the metrics token as 'Authorization: Bearer <token>'.")
        return PlainTextResponse(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    components = schema.setdefault("components", {})
    components.setdefault("schemas", {})["Problem"] = Problem.model_json_schema()
    components["securitySchemes"] = {
        "bearerAuth": {"type": "http", "scheme": "bearer", "description": "API key"}
    }
    schema["security"] = [{"bearerAuth": []}]
    document_problems(schema, public_paths=PUBLIC_PATHS)
    app.openapi_schema = schema
    return schema
