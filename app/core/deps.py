"""FastAPI dependencies: the per-request session/transaction and the caller's identity."""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.orm import Session, sessionmaker

from app.core.auth import PRINCIPALS, Principal, hash_api_key
from app.core.errors import Forbidden, Unauthorized, UnprocessableContent, field_error
from app.core.ids import utcnow


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request, committed before the response is sent."""
    factory = request.app.state.sessionmaker
    with factory() as session, session.begin():
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def get_session_factory(request: Request) -> sessionmaker[Session]:
    """The sessionmaker, for a route that runs several short transactions of its own."""
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    return factory


SessionFactoryDep = Annotated[sessionmaker[Session], Depends(get_session_factory)]


def get_principal(request: Request) -> Principal:
    """Resolve the bearer API key to its organisation and scopes (401 when absent/invalid).

    Valid keys are cached for a few seconds (by hash), so a request usually needs no query
    for it; a miss looks the key up in its own short transaction.
    """
    from app.orgs import service as orgs_service

    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Send an API key as 'Authorization: Bearer <key>'.")
    key_hash = hash_api_key(token.strip())
    principal = PRINCIPALS.get(key_hash)
    if principal is None:
        with request.app.state.sessionmaker() as session, session.begin():
            principal = orgs_service.authenticate_api_key(session, key=token.strip())
        if principal is not None:
            PRINCIPALS.put(key_hash, principal)
    if principal is None:
        raise Unauthorized("The API key is not valid or has been revoked.")
    request.state.org_id = principal.org_id
    return principal


def require(scope: str) -> Callable[[Principal], Principal]:
    def _check(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
        if not principal.has(scope):
            raise Forbidden(f"This API key lacks the '{scope}' scope.")
        return principal

    return _check


ReadPrincipal = Annotated[Principal, Depends(require("read"))]
WritePrincipal = Annotated[Principal, Depends(require("events:write"))]
AdminPrincipal = Annotated[Principal, Depends(require("admin"))]


AS_OF_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
AS_OF_MAX_AHEAD = timedelta(days=5 * 365 + 1)


def as_of_param(
    as_of: Annotated[
        datetime | None,
        Query(description="Compute as of this instant (RFC 3339 with offset); default now."),
    ] = None,
) -> datetime:
    from app.core.timestamps import require_aware

    if as_of is None:
        return utcnow()
    value = require_aware(as_of, field="as_of")
    now = utcnow()
    if not AS_OF_EARLIEST <= value <= now + AS_OF_MAX_AHEAD:
        raise UnprocessableContent(
            "as_of must lie between 2000-01-01 and five years from now.",
            errors=[field_error("query.as_of", "out of range")],
        )
    return value


AsOf = Annotated[datetime, Depends(as_of_param)]
