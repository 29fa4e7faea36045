"""Deliver due outbox messages: claim, POST (outside any transaction), record, retry.

One call of `deliver_due` runs three steps:

1. **Claim** (one short transaction): due `pending` messages of enabled subscriptions are
   locked with `FOR UPDATE SKIP LOCKED` on PostgreSQL (SQLite serialises write transactions,
   so a plain select-and-update is already exclusive) and leased: `next_attempt_at` moves a
   lease ahead and `attempts` counts up. A worker that dies after claiming loses nothing:
   the message falls due again when the lease ends (delivery is at least once; receivers
   dedupe on the `webhook-id`, which is the message id and never changes).
2. **Send**, with no transaction open: the URL is checked again by the SSRF guard and the
   request goes to the checked address; signed with the `standardwebhooks` package.
3. **Record** (one transaction per message): the attempt goes into the delivery log; a 2xx
   marks the message delivered, anything else schedules a retry with exponential backoff and
   jitter, until the retry window (three days) is spent: then the message fails and, when the
   endpoint has not succeeded since the message was made, the endpoint is disabled.
"""

import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker
from standardwebhooks.webhooks import Webhook

from app.core.ids import new_id, utcnow
from app.core.logging import get_logger
from app.core.settings import Settings, get_settings
from app.webhooks import ssrf
from app.webhooks.models import WebhookAttempt, WebhookMessage, WebhookSubscription
from app.webhooks.service import unseal_secret

log = get_logger("followthrough.webhooks")

BASE_DELAY = timedelta(seconds=10)
MAX_DELAY = timedelta(hours=12)
USER_AGENT = "Followthrough-Webhooks/1"
EXCERPT_BYTES = 1000


@dataclass(frozen=True)
class Claim:
    """A leased message and what is needed to send it."""

    message_id: str
    org_id: str
    subscription_id: str
    url: str
    secret_sealed: str
    payload: str
    attempt: int
    token: str


@dataclass(frozen=True)
class Outcome:
    succeeded: bool
    status_code: int | None
    error: str | None
    excerpt: str | None
    duration_ms: int


@dataclass
class DeliveryReport:
    """What one `deliver_due` call did."""

    claimed: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    disabled: list[str] = field(default_factory=list)


def lease_for(settings: Settings) -> timedelta:
    """How long a claim holds a message: well past the HTTP timeout."""
    return timedelta(seconds=settings.webhooks_timeout_seconds * 3 + 30)


def backoff_delay(attempt: int, rng: random.Random) -> timedelta:
    """Delay after failed attempt number `attempt` (1-based): doubling, capped, jittered."""
    ceiling: timedelta = min(BASE_DELAY * (2 ** min(attempt - 1, 20)), MAX_DELAY)
    half = ceiling / 2
    return half + half * rng.random()


def deliver_due(
    session_factory: sessionmaker[Session],
    *,
    now: datetime | None = None,
    http_client: httpx.Client,
    settings: Settings | None = None,
    limit: int = 50,
    rng: random.Random | None = None,
) -> DeliveryReport:
    """Claim the messages due at `now`, send each, and record the outcomes."""
    settings = settings or get_settings()
    now = now or utcnow()
    rng = rng or random.Random()
    claims = claim_due(session_factory, now=now, lease=lease_for(settings), limit=limit)
    report = DeliveryReport(claimed=len(claims))
    for claim in claims:
        outcome = send(claim, http_client=http_client, settings=settings)
        record_outcome(
            session_factory,
            claim=claim,
            outcome=outcome,
            now=now,
            settings=settings,
            rng=rng,
            report=report,
        )
    return report


def claim_due(
    session_factory: sessionmaker[Session], *, now: datetime, lease: timedelta, limit: int
) -> list[Claim]:
    """Lease up to `limit` due messages (safe with many workers) and return them."""
    with session_factory() as session, session.begin():
        stmt = (
            select(WebhookMessage, WebhookSubscription)
            .join(WebhookSubscription, WebhookSubscription.id == WebhookMessage.subscription_id)
            .where(
                WebhookMessage.status == "pending",
                WebhookMessage.next_attempt_at <= now,
                WebhookSubscription.enabled.is_(True),
            )
            .order_by(WebhookMessage.next_attempt_at, WebhookMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=WebhookMessage)
        )
        claims = []
        for message, subscription in session.execute(stmt).all():
            message.claim_token = new_id()
            message.attempts += 1
            message.next_attempt_at = now + lease
            claims.append(
                Claim(
                    message_id=message.id,
                    org_id=message.org_id,
                    subscription_id=subscription.id,
                    url=subscription.url,
                    secret_sealed=subscription.secret_sealed,
                    payload=message.payload,
                    attempt=message.attempts,
                    token=message.claim_token,
                )
            )
    return claims


def send(claim: Claim, *, http_client: httpx.Client, settings: Settings) -> Outcome:
    """POST one signed message to its (re-checked) endpoint; never raises for the network."""
    started = time.perf_counter()

    def _elapsed() -> int:
        return int((time.perf_counter() - started) * 1000)

    try:
        target = ssrf.check_url(
            claim.url,
            allow_private=settings.webhooks_allow_private,
            allow_http=settings.webhooks_allow_http,
        )
    except ssrf.UnsafeUrl as exc:
        return Outcome(False, None, f"refused: {exc.reason}", None, _elapsed())
    secret = unseal_secret(claim.secret_sealed, settings=settings)
    if secret is None:
        reason = "refused: the signing secret cannot be read (SECRET_KEY changed); recreate it"
        return Outcome(False, None, reason, None, _elapsed())
    timestamp = utcnow().replace(microsecond=0)
    signature = Webhook(secret).sign(claim.message_id, timestamp, claim.payload)
    headers = {
        "Host": target.host_header,
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": claim.message_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": signature,
    }
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    timeout = httpx.Timeout(settings.webhooks_timeout_seconds, connect=5.0)
    try:
        with http_client.stream(
            "POST",
            target.url,
            content=claim.payload.encode(),
            headers=headers,
            extensions=extensions,
            timeout=timeout,
            follow_redirects=False,
        ) as response:
            excerpt = _read_excerpt(response)
            status = response.status_code
    except Exception as exc:  # whatever one endpoint does is logged as its failed attempt
        return Outcome(False, None, f"{type(exc).__name__}: {exc}"[:500], None, _elapsed())
    succeeded = 200 <= status < 300
    error = None if succeeded else f"HTTP {status}"
    return Outcome(succeeded, status, error, excerpt, _elapsed())


def _read_excerpt(response: httpx.Response) -> str:
    chunks = b""
    for chunk in response.iter_bytes():
        chunks += chunk
        if len(chunks) >= EXCERPT_BYTES:
            break
    return chunks[:EXCERPT_BYTES].decode("utf-8", errors="replace")


def record_outcome(
    session_factory: sessionmaker[Session],
    *,
    claim: Claim,
    outcome: Outcome,
    now: datetime,
    settings: Settings,
    rng: random.Random,
    report: DeliveryReport,
) -> None:
    """Log the attempt and move the message on: delivered, retried later, or failed."""
    with session_factory() as session, session.begin():
        message = session.get(WebhookMessage, claim.message_id, with_for_update=True)
        if message is None:
            return  # erased (candidate or subscription deleted) while it was in flight
        subscription = session.get(WebhookSubscription, claim.subscription_id)
        session.add(
            WebhookAttempt(
                org_id=claim.org_id,
                subscription_id=claim.subscription_id,
                message_id=claim.message_id,
                attempt=claim.attempt,
                attempted_at=now,
                succeeded=outcome.succeeded,
                status_code=outcome.status_code,
                error=outcome.error,
                response_excerpt=outcome.excerpt,
                duration_ms=outcome.duration_ms,
            )
        )
        if outcome.succeeded:
            report.delivered += 1
            if message.status != "delivered":
                message.status = "delivered"
                message.delivered_at = now
                message.last_error = None
            message.claim_token = None
            if subscription is not None:
                subscription.last_success_at = now
            return
        message.last_error = outcome.error
        if message.status != "pending" or message.claim_token != claim.token:
            return  # another worker re-claimed it after our lease ran out; it decides
        message.claim_token = None
        retry_at = now + backoff_delay(claim.attempt, rng)
        deadline = message.created_at + timedelta(hours=settings.webhooks_retry_hours)
        if retry_at <= deadline:
            message.next_attempt_at = retry_at
            report.retrying += 1
            return
        message.status = "failed"
        message.failed_at = now
        report.failed += 1
        if (
            subscription is not None
            and subscription.enabled
            and (
                subscription.last_success_at is None
                or subscription.last_success_at < message.created_at
            )
        ):
            days = settings.webhooks_retry_hours / 24
            _disable(
                session,
                subscription,
                now=now,
                reason=(
                    f"Deliveries failed for {days:g} days (since "
                    f"{message.created_at:%Y-%m-%d %H:%M} UTC); last error: {outcome.error}."
                ),
            )
            report.disabled.append(subscription.id)
            log.warning("webhook_endpoint_disabled", subscription_id=subscription.id)


def prune_log(session_factory: sessionmaker[Session], *, now: datetime, keep: timedelta) -> int:
    """Delete delivered and failed messages older than `keep` (their attempts go with them)."""
    with session_factory() as session, session.begin():
        result = session.execute(
            delete(WebhookMessage).where(
                WebhookMessage.status.in_(("delivered", "failed")),
                WebhookMessage.created_at < now - keep,
            )
        )
    return int(getattr(result, "rowcount", 0) or 0)


def _disable(
    session: Session, subscription: WebhookSubscription, *, now: datetime, reason: str
) -> None:
    subscription.enabled = False
    subscription.disabled_at = now
    subscription.disabled_reason = reason
    session.execute(
        update(WebhookMessage)
        .where(
            WebhookMessage.subscription_id == subscription.id,
            WebhookMessage.status == "pending",
        )
        .values(status="failed", failed_at=now, last_error="endpoint disabled")
    )
