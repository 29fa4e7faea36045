"""FastAPI dependencies: the per-request session/transaction and the caller's identity."""

from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session, sessionmaker

from app.core.auth import PRINCIPALS, ApiKeyStore, Principal, hash_api_key
from app.core.errors import Forbidden, Unauthorized
from app.core.ids import utcnow
from app.core.ratelimit import STATE_KEY as RATE_LIMIT_STATE
from app.core.ratelimit import RateLimiter, TooManyRequests


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request, committed before the response is sent."""
    factory = request.app.state.sessionmaker
    with factory() as session, session.begin():
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


async def get_session_factory(request: Request) -> sessionmaker[Session]:
    """The sessionmaker, for a route that runs several short transactions of its own."""
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    return factory


SessionFactoryDep = Annotated[sessionmaker[Session], Depends(get_session_factory)]

# The dependencies below are `async`: FastAPI runs a plain `def` dependency in the thread
# pool, a hand-off that costs more than their work when the key is cached. What blocks (a
# key lookup on a cache miss, a shared rate-limit store) goes to the thread pool itself.


async def get_principal(request: Request) -> Principal:
    """Resolve the bearer API key to its organisation and scopes (401 when absent/invalid).

    Keys live with organisations, a layer above this one: `create_app()` hands the key store
    in as `app.state.api_keys`. Valid keys are cached for a few seconds (by hash, see
    `PRINCIPALS`), so most requests need no query for them; a miss looks the key up (and
    notes its use) in a short transaction of its own, never in the request's.
    """
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Send an API key as 'Authorization: Bearer <key>'.")
    key_hash = hash_api_key(token.strip())
    principal = PRINCIPALS.get(key_hash)
    if principal is None:
        principal = await run_in_threadpool(_look_up_key, request, token.strip())
        if principal is not None:
            PRINCIPALS.put(key_hash, principal)
    if principal is None:
        raise Unauthorized("The API key is not valid or has been revoked.")
    request.state.org_id = principal.org_id
    if principal.api_key_id is not None:
        limiter: RateLimiter | None = getattr(request.app.state, "rate_limiter", None)
        if limiter is not None and limiter.shared:
            await run_in_threadpool(limit_api_key, request, principal.api_key_id)
        else:
            limit_api_key(request, principal.api_key_id)  # in memory: no I/O
    return principal


def _look_up_key(request: Request, key: str) -> Principal | None:
    api_keys: ApiKeyStore = request.app.state.api_keys
    with request.app.state.sessionmaker() as session, session.begin():
        principal = api_keys.authenticate_api_key(session, key=key)
        if principal is not None and principal.api_key_id is not None:
            api_keys.note_api_key_use(session, key_id=principal.api_key_id)
    return principal


def enforce_rate_limit(request: Request, limit: str, kind: str, key: str, who: str) -> None:
    """Count the request against `limit` for (kind, key): 429 when spent; headers follow."""
    limiter: RateLimiter | None = getattr(request.app.state, "rate_limiter", None)
    if limiter is None:
        return
    state = limiter.hit(limit, kind, key)
    request.scope.setdefault("state", {})[RATE_LIMIT_STATE] = state
    if not state.allowed:
        raise TooManyRequests(
            f"{who} made more than {state.limit} requests in the current window; "
            f"retry in {state.reset_seconds} s.",
            retry_after=state.reset_seconds,
        )


def limit_api_key(request: Request, key_id: str) -> None:
    """Count the request against its key's rate limit (429 when spent); headers follow."""
    limit = request.app.state.settings.rate_limit_api_key
    enforce_rate_limit(request, limit, "api-key", key_id, "This API key")


def require(scope: str) -> Callable[[Principal], Awaitable[Principal]]:
    async def _check(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
        if not principal.has(scope):
            raise Forbidden(f"This API key lacks the '{scope}' scope.")
        return principal

    return _check


ReadPrincipal = Annotated[Principal, Depends(require("read"))]
WritePrincipal = Annotated[Principal, Depends(require("events:write"))]
AdminPrincipal = Annotated[Principal, Depends(require("admin"))]


def as_of_param(
    as_of: Annotated[
        datetime | None,
        Query(
            description="Compute as of this instant (RFC 3339 with offset, between 2000-01-01 "
            "and now + 5 years); default now."
        ),
    ] = None,
) -> datetime:
    from app.core.timestamps import require_as_of

    if as_of is None:
        return utcnow()
    return require_as_of(as_of)


AsOf = Annotated[datetime, Depends(as_of_param)]
