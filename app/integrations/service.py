"""Inbound integrations: connections, deliveries from providers, and unmatched mail.

One delivery, in one transaction:

    verify signature ──✗──▶ 401, nothing stored
        │
    parse (adapter) ──✗──▶ stored as an `error` delivery, answered 2xx
        │
    claim the delivery row ──(key already stored)──▶ 200 duplicate, nothing changes
        │
    apply the changes in a savepoint: candidates (create/update/erase), mail matching,
    then every event through the events service in one call (`_record`)
        │
    outcome on the row: processed | ignored | unmatched (202) | error

Adapters never touch the database and nothing is ever written back to a provider.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any

import phonenumbers
from prometheus_client import Counter
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from app import audit
from app.candidates import repository as candidates_repository
from app.candidates import service as candidates_service
from app.candidates.models import Candidate
from app.candidates.schemas import CandidateUpsert
from app.core.auth import Principal
from app.core.errors import (
    Conflict,
    NotFound,
    Unauthorized,
    UnprocessableContent,
    field_error,
)
from app.core.ids import new_id
from app.core.logging import get_logger
from app.core.pagination import decode_time_cursor, encode_cursor
from app.derivation import flows
from app.events import service as events_service
from app.integrations import ashby, calendly, greenhouse, lever, repository, twilio
from app.integrations import email as email_adapter
from app.integrations.base import (
    Delivery,
    EraseCandidate,
    InboundMail,
    InboundRequest,
    InvalidSignature,
    Malformed,
    Person,
    RecordEvent,
    UpsertCandidate,
    body_digest,
)
from app.integrations.email import ParsedMail, external_id_for
from app.integrations.models import IntegrationConnection, IntegrationDelivery, UnmatchedMail
from app.integrations.schemas import SECRET_REQUIRED, IntegrationCreate, UnmatchedAssign
from app.integrations.sealing import generate_secret, seal, unseal

log = get_logger("followthrough.integrations")
DELIVERIES = Counter(
    "followthrough_integration_deliveries_total",
    "Provider deliveries by outcome (unauthorized ones included)",
    ["provider", "outcome"],
)

ADAPTERS: dict[str, ModuleType] = {
    "email": email_adapter,
    "greenhouse": greenhouse,
    "lever": lever,
    "ashby": ashby,
    "calendly": calendly,
    "twilio": twilio,
}
_CANDIDATE_FIELDS = ("name", "email", "phone", "job", "stage", "status", "timezone")
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass
class DeliveryOutcome:
    """How a delivery was handled, and the HTTP status the provider gets."""

    status: str
    http_status: int
    delivery_id: str | None = None
    events: list[str] = field(default_factory=list)
    unmatched_id: str | None = None
    detail: str | None = None


@dataclass
class _Work:
    """What applying one delivery did (and the events it still has to record)."""

    items: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    changed: int = 0
    unmatched: bool = False  # kept for a person to match (mail) or no candidate found (calls)
    unmatched_id: str | None = None


# --- connections ------------------------------------------------------------------------


def webhook_url(base_url: str, connection_id: str) -> str:
    return f"{base_url.rstrip('/')}/api/v1/integrations/{connection_id}/webhook"


def create_connection(
    session: Session,
    *,
    org_id: str,
    data: IntegrationCreate,
    secret_key: str,
    actor: audit.Actor | Principal,
) -> tuple[IntegrationConnection, str]:
    """Create a connection (audited); return it with its secret (shown to the caller once)."""
    if data.secret is None and data.provider in SECRET_REQUIRED:
        raise UnprocessableContent(
            f"A {data.provider} connection needs the secret {data.provider} gave you.",
            errors=[field_error("body.secret", "required for this provider")],
        )
    secret = data.secret or generate_secret()
    connection = IntegrationConnection(
        id=new_id(),
        org_id=org_id,
        provider=data.provider,
        name=data.name.strip() or data.provider,
        secret_sealed=seal(secret, secret_key=secret_key),
    )
    session.add(connection)
    session.flush()
    _audit(session, connection, actor, "integration.created")
    return connection, secret


def _audit(
    session: Session, connection: IntegrationConnection, actor: audit.Actor | Principal, action: str
) -> None:
    audit.record(
        session,
        org_id=connection.org_id,
        actor=actor,
        action=action,
        target=f"integration:{connection.id}",
        detail={"provider": connection.provider, "name": connection.name},
    )


def get_connection(session: Session, *, org_id: str, connection_id: str) -> IntegrationConnection:
    connection = repository.get_connection(session, connection_id)
    if connection is None or connection.org_id != org_id:
        raise NotFound("No such integration.")
    return connection


def list_connections(
    session: Session, *, org_id: str, limit: int, cursor: str | None
) -> tuple[list[IntegrationConnection], str | None]:
    after = decode_time_cursor(cursor) if cursor else None
    rows = repository.list_connections(session, org_id, after=after, limit=limit + 1)
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor([last.created_at.isoformat(), last.id])
    return rows[:limit], next_cursor


def connection_stats(
    session: Session, *, org_id: str
) -> tuple[dict[str, tuple[int, datetime | None]], dict[str, int]]:
    """Per connection: (deliveries, last delivery time), and open unmatched mail."""
    return (
        repository.delivery_counts(session, org_id),
        repository.open_unmatched_counts(session, org_id),
    )


def delete_connection(
    session: Session, *, connection: IntegrationConnection, actor: audit.Actor | Principal
) -> None:
    """Delete a connection with its delivery log and unmatched mail (audited); events stay."""
    _audit(session, connection, actor, "integration.deleted")
    session.delete(connection)
    session.flush()


def list_deliveries(
    session: Session, *, connection: IntegrationConnection, limit: int = 50
) -> list[IntegrationDelivery]:
    return repository.recent_deliveries(session, connection.id, limit=limit)


# --- deliveries -------------------------------------------------------------------------


def load_connection(session: Session, *, connection_id: str) -> IntegrationConnection:
    """The connection a delivery is for (the URL is the only thing naming it).

    An unknown (or deleted) connection is 401 like a bad signature: the URL alone proves
    nothing, and answering 404 would tell a caller which connection ids exist.
    """
    connection = repository.get_connection(session, connection_id)
    if connection is None or connection.provider not in ADAPTERS:
        raise Unauthorized("No integration with valid credentials at this URL.")
    return connection


def receive_delivery(
    session: Session,
    *,
    connection: IntegrationConnection,
    request: InboundRequest,
    secret_key: str,
    now: datetime,
) -> DeliveryOutcome:
    """Authenticate one delivery and turn it into candidates and events, at most once."""
    nonce = _authenticate(session, connection, request, secret_key=secret_key, now=now)
    delivery, error = _read(connection, request, now)
    delivery_id = new_id()
    claimed = repository.claim_delivery(
        session,
        {
            "id": delivery_id,
            "org_id": connection.org_id,
            "connection_id": connection.id,
            "key": delivery.key[:200],
            "nonce": nonce,
            "kind": delivery.kind[:100],
            "outcome": "ignored",
            "http_status": 200,
            "received_at": now,
        },
    )
    if not claimed:
        DELIVERIES.labels(connection.provider, "duplicate").inc()
        existing = repository.delivery_by_key(session, connection.id, delivery.key[:200])
        return DeliveryOutcome(
            status="duplicate",
            http_status=200,
            delivery_id=existing.id if existing else None,
            events=list(existing.event_ids) if existing else [],
            detail="Already received; stored once.",
        )
    if error is None:
        try:
            with session.begin_nested():
                outcome = _apply(session, connection=connection, delivery=delivery, now=now)
        except (OperationalError, IntegrityError):
            raise  # busy or raced: 503/409 and nothing stored, so the provider retries
        except Exception:
            log.exception("integration_apply_failed", connection_id=connection.id)
            outcome = DeliveryOutcome(
                status="error", http_status=200, detail="The delivery could not be applied."
            )
    else:
        outcome = DeliveryOutcome(status="error", http_status=200, detail=error)
    row = session.get(IntegrationDelivery, delivery_id)
    if row is not None:
        row.outcome = outcome.status
        row.http_status = outcome.http_status
        row.detail = (outcome.detail or "")[:2000] or None
        row.event_ids = outcome.events
    outcome.delivery_id = delivery_id
    session.flush()
    DELIVERIES.labels(connection.provider, outcome.status).inc()
    log.info(
        "integration_delivery",
        connection_id=connection.id,
        provider=connection.provider,
        kind=delivery.kind,
        outcome=outcome.status,
        detail=outcome.detail,
    )
    return outcome


def _authenticate(
    session: Session,
    connection: IntegrationConnection,
    request: InboundRequest,
    *,
    secret_key: str,
    now: datetime,
) -> str | None:
    """Check the provider's signature (and one-time token); 401 and nothing stored if bad."""
    secret = unseal(connection.secret_sealed, secret_key=secret_key)
    if secret is None:
        raise Unauthorized(
            "This connection's secret cannot be read since SECRET_KEY changed; recreate it."
        )
    try:
        nonce: str | None = ADAPTERS[connection.provider].verify(request, secret, now)
    except InvalidSignature as exc:
        log.warning("integration_bad_signature", connection_id=connection.id, reason=str(exc))
        DELIVERIES.labels(connection.provider, "unauthorized").inc()
        raise Unauthorized(str(exc)) from exc
    if nonce is not None and repository.nonce_seen(session, connection.id, nonce):
        log.warning("integration_replay", connection_id=connection.id)
        DELIVERIES.labels(connection.provider, "unauthorized").inc()
        raise Unauthorized("This signed token was used before; replays are refused.")
    return nonce


def _read(
    connection: IntegrationConnection, request: InboundRequest, now: datetime
) -> tuple[Delivery, str | None]:
    """The adapter's reading of the delivery, or a placeholder and why it could not be read."""
    placeholder_key = "body:" + body_digest(request.body)
    try:
        delivery: Delivery = ADAPTERS[connection.provider].parse(request, now)
    except Malformed as exc:
        return Delivery(key=placeholder_key, kind="malformed"), str(exc)
    except Exception:  # a provider's odd payload is never a 5xx
        log.exception("integration_parse_failed", connection_id=connection.id)
        return Delivery(key=placeholder_key, kind="unreadable"), "The payload could not be read."
    return delivery, None


def _apply(
    session: Session, *, connection: IntegrationConnection, delivery: Delivery, now: datetime
) -> DeliveryOutcome:
    work = _Work(notes=[delivery.note] if delivery.note else [])
    for change in delivery.changes:
        if isinstance(change, UpsertCandidate):
            candidate = _resolve_person(session, connection, change.person, work, create=True)
            if candidate is not None:
                _link(session, connection, candidate, change.links)
        elif isinstance(change, EraseCandidate):
            _erase(session, connection, change.ref, work)
        elif isinstance(change, RecordEvent):
            _event(session, connection, change, work)
        elif isinstance(change, InboundMail):
            _mail(session, connection, change.message, work, now=now)
    events, problems = _record(session, org_id=connection.org_id, items=work.items, now=now)
    work.notes.extend(problems)
    detail = " ".join(work.notes) or None
    if work.unmatched:
        return DeliveryOutcome(
            status="unmatched", http_status=202, unmatched_id=work.unmatched_id, detail=detail
        )
    if events or work.changed:
        return DeliveryOutcome(status="processed", http_status=200, events=events, detail=detail)
    if problems:
        return DeliveryOutcome(status="error", http_status=200, detail=detail)
    return DeliveryOutcome(status="ignored", http_status=200, detail=detail)


def _record(
    session: Session, *, org_id: str, items: list[dict[str, Any]], now: datetime
) -> tuple[list[str], list[str]]:
    """Record events through the events service (the one call site); return ids and problems."""
    if not items:
        return [], []
    outcomes = flows.record_events(
        session, org_id=org_id, items=events_service.parse_items(items), now=now
    )
    recorded: list[str] = []
    problems: list[str] = []
    for item, outcome in zip(items, outcomes, strict=True):
        if outcome.status in (200, 201) or outcome.status == 409:
            # 409: the same message reached us another way with other details; keep the first.
            recorded.append(str(item["external_id"]))
        elif outcome.problem is not None:
            problems.append(f"Event {item.get('external_id')!r}: {outcome.problem.detail}")
    return recorded, problems


# --- candidates -------------------------------------------------------------------------


def _external_id(provider: str, ref: str) -> str:
    candidate = f"{provider}:{ref}"
    if len(candidate) <= 200:
        return candidate
    return f"{provider}:sha256:{hashlib.sha256(ref.encode()).hexdigest()}"


def _resolve_person(
    session: Session,
    connection: IntegrationConnection,
    person: Person,
    work: _Work,
    *,
    create: bool,
) -> Candidate | None:
    """The candidate a provider means: linked before, by `<provider>:<id>`, by e-mail, or new."""
    org_id, provider = connection.org_id, connection.provider
    link = repository.get_link(session, org_id, provider, person.ref)
    candidate: Candidate | None = None
    if link is not None:
        if link.candidate_id is None:
            work.notes.append("The candidate was erased; the delivery is not applied.")
            return None
        candidate = repository.get_candidate(session, org_id, link.candidate_id)
    if candidate is None:
        external_id = _external_id(provider, person.ref)
        candidate = candidates_repository.get_by_external_id(session, org_id, external_id)
        if candidate is None and person.email:
            found = repository.candidates_by_emails(session, org_id, [person.email.lower()])
            candidate = found[0] if found else None
        if candidate is None and create:
            candidate = flows.upsert_candidate(
                session, org_id=org_id, data=CandidateUpsert(external_id=external_id)
            ).candidate
            work.changed += 1
        if candidate is None:
            return None
        repository.add_link(
            session, org_id=org_id, provider=provider, ref=person.ref, candidate_id=candidate.id
        )
    _update_candidate(session, candidate, person, work)
    return candidate


def _update_candidate(session: Session, candidate: Candidate, person: Person, work: _Work) -> None:
    values: dict[str, Any] = {
        name: getattr(person, name)
        for name in _CANDIDATE_FIELDS
        if getattr(person, name) is not None and getattr(person, name) != getattr(candidate, name)
    }
    if person.recruiter_email:
        recruiters = repository.recruiters_by_emails(
            session, candidate.org_id, [person.recruiter_email.lower()]
        )
        recruiter = recruiters.get(person.recruiter_email.lower())
        if recruiter and recruiter != candidate.recruiter_external_id:
            values["recruiter_external_id"] = recruiter
    if not values:
        return
    data = _candidate_upsert(candidate.external_id, values, work)
    if data is None:
        return
    fields = data.model_fields_set - {"external_id"}
    if fields:
        flows.upsert_candidate(
            session, org_id=candidate.org_id, data=data, fields_set=fields | {"external_id"}
        )
        work.changed += 1


def _candidate_upsert(
    external_id: str, values: dict[str, Any], work: _Work
) -> CandidateUpsert | None:
    """Validate a provider's candidate fields; drop the ones that do not fit (noted)."""
    for _ in range(2):
        try:
            return CandidateUpsert.model_validate({"external_id": external_id, **values})
        except ValidationError as exc:
            bad = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
            work.notes.append(f"Ignored invalid candidate fields: {', '.join(sorted(bad))}.")
            values = {k: v for k, v in values.items() if k not in bad}
    return None


def _link(
    session: Session, connection: IntegrationConnection, candidate: Candidate, refs: tuple[str, ...]
) -> None:
    for ref in refs:
        repository.add_link(
            session,
            org_id=connection.org_id,
            provider=connection.provider,
            ref=ref,
            candidate_id=candidate.id,
        )


def _erase(session: Session, connection: IntegrationConnection, ref: str, work: _Work) -> None:
    org_id = connection.org_id
    link = repository.get_link(session, org_id, connection.provider, ref)
    candidate = None
    if link is not None and link.candidate_id is not None:
        candidate = repository.get_candidate(session, org_id, link.candidate_id)
    if candidate is None and link is None:
        candidate = candidates_repository.get_by_external_id(
            session, org_id, _external_id(connection.provider, ref)
        )
    if candidate is None:
        work.notes.append("No such candidate here; nothing to erase.")
        return
    repository.tombstone_links(session, org_id, candidate.id)
    repository.delete_assigned_mail(session, org_id, candidate.id)
    candidates_service.erase_candidate(session, candidate=candidate)
    session.flush()
    # Deliveries after this one must not bring the candidate back (see IntegrationLink).
    repository.add_link(
        session, org_id=org_id, provider=connection.provider, ref=ref, candidate_id=None
    )
    work.changed += 1
    work.notes.append("Candidate erased.")


def _event(  # noqa: C901, PLR0912 (one branch per kind of provider change)
    session: Session, connection: IntegrationConnection, change: RecordEvent, work: _Work
) -> None:
    org_id, provider = connection.org_id, connection.provider
    candidate: Candidate | None = None
    for ref in change.via:
        link = repository.get_link(session, org_id, provider, ref)
        if link is not None and link.candidate_id is not None:
            candidate = repository.get_candidate(session, org_id, link.candidate_id)
            if candidate is not None:
                break
    if candidate is None and change.person is not None:
        candidate = _resolve_person(session, connection, change.person, work, create=True)
    elif candidate is not None and change.person is not None:
        _update_candidate(session, candidate, change.person, work)
    if candidate is None and change.phone is not None:
        candidate = _candidate_by_phone(session, org_id, change.phone, change.phone_region)
        if candidate is None:
            work.unmatched = True
            work.notes.append("No candidate has this phone number; the call is not recorded.")
            return
    if candidate is None:
        if not any("erased" in n for n in work.notes):
            work.notes.append("No candidate for this event.")
        return
    event = dict(change.event)
    if change.reschedule_ref is not None:
        existing = repository.existing_event_ids(session, org_id, [event["external_id"]])
        if existing:
            work.notes.append("Already recorded.")
            return
        if repository.get_link(session, org_id, provider, change.reschedule_ref) is not None:
            event["outcome"] = "rescheduled"
    _link(session, connection, candidate, change.links)
    recruiter = candidate.recruiter_external_id
    if change.recruiter_email:
        found = repository.recruiters_by_emails(session, org_id, [change.recruiter_email.lower()])
        recruiter = found.get(change.recruiter_email.lower(), recruiter)
    event["candidate_external_id"] = candidate.external_id
    if recruiter:
        event["recruiter_external_id"] = recruiter
    work.items.append(event)


def _candidate_by_phone(
    session: Session, org_id: str, number: str, region: str | None
) -> Candidate | None:
    """The candidate with this number, compared as E.164 (their numbers read in `region`)."""
    wanted = _e164(number, region)
    if wanted is None:
        return None
    parsed = phonenumbers.parse(wanted)
    spellings = [
        wanted,
        phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
        phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL),
    ]
    # Numbers stored in a usual spelling match in SQL; only then is every number parsed.
    for candidate in repository.candidates_by_phones(session, org_id, spellings):
        if candidate.phone and _e164(candidate.phone, region) == wanted:
            return candidate
    for candidate in repository.candidates_with_phone(session, org_id):
        if candidate.phone and _e164(candidate.phone, region) == wanted:
            return candidate
    return None


def _e164(number: str, region: str | None) -> str | None:
    try:
        parsed = phonenumbers.parse(number, (region or "").upper() or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


# --- mail -------------------------------------------------------------------------------


def _mail(
    session: Session,
    connection: IntegrationConnection,
    mail: ParsedMail,
    work: _Work,
    *,
    now: datetime,
) -> None:
    """Match a message to candidates by address (then by thread), else keep it unmatched."""
    org_id = connection.org_id
    targets = _mail_targets(session, org_id, mail)
    if not targets:
        row = UnmatchedMail(
            id=new_id(),
            org_id=org_id,
            connection_id=connection.id,
            message_id=(mail.message_id or "")[:998] or None,
            sender=mail.sender[:320] if mail.sender else None,
            recipients=[r[:320] for r in mail.recipients[:50]],
            subject=mail.subject,
            occurred_at=_mail_time(mail, now),
            received_at=now,
            raw=mail.raw,
        )
        session.add(row)
        session.flush()
        work.unmatched, work.unmatched_id = True, row.id
        work.notes.append("No candidate matches the addresses; kept as unmatched mail.")
        return
    for position, (candidate, direction, recruiter) in enumerate(targets):
        work.items.append(
            _mail_event(mail, candidate, direction, recruiter, now=now, position=position)
        )


def _mail_targets(
    session: Session, org_id: str, mail: ParsedMail
) -> list[tuple[Candidate, str, str | None]]:
    addresses = [a for a in [mail.sender, *mail.recipients] if a]
    candidates: dict[str, Candidate] = {}
    for candidate in repository.candidates_by_emails(session, org_id, addresses):
        candidates.setdefault((candidate.email or "").lower(), candidate)
    recruiters = repository.recruiters_by_emails(session, org_id, addresses)
    sender = mail.sender or ""
    staff = repository.org_user_emails(session, org_id, [sender])
    if sender in candidates and sender not in staff:
        candidate = candidates[sender]
        recruiter = next((recruiters[a] for a in mail.recipients if a in recruiters), None)
        return [(candidate, "inbound", recruiter or candidate.recruiter_external_id)]
    addressed = [candidates[a] for a in mail.recipients if a in candidates]
    if addressed:
        # Writing to a candidate from the organisation's own mailbox is us, unless the
        # sender is clearly someone else (a person then decides, from the unmatched list).
        if not _is_staff(session, org_id, sender, when_unknown=True):
            return []
        unique = list({c.id: c for c in addressed}.values())
        return [(c, "outbound", recruiters.get(sender) or c.recruiter_external_id) for c in unique]
    # A reply from an address we do not know, in a thread we do: the thread decides.
    thread = [mail.in_reply_to, *reversed(mail.references)]
    refs = [external_id_for(m, b"") for m in thread if m]
    for candidate_id in repository.candidate_ids_of_events(session, org_id, refs):
        threaded = repository.get_candidate(session, org_id, candidate_id)
        if threaded is not None:
            from_us = _is_staff(session, org_id, sender, when_unknown=False)
            direction = "outbound" if from_us else "inbound"
            recruiter = recruiters.get(sender) if from_us else None
            return [(threaded, direction, recruiter or threaded.recruiter_external_id)]
    return []


# Public mailbox providers: a recruiter using one does not make everyone there a colleague.
_PUBLIC_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "proton.me",
        "protonmail.com",
    }
)


def _is_staff(session: Session, org_id: str, address: str, *, when_unknown: bool) -> bool:
    """Whether the recruiting side wrote from `address`: a user's or recruiter's address,
    or their organisation's domain; `when_unknown` when no staff address is on file."""
    if not address:
        return False
    if repository.org_user_emails(session, org_id, [address]):
        return True
    domains = repository.staff_domains(session, org_id)
    if not domains:
        return when_unknown
    return address.rsplit("@", 1)[-1] in domains - _PUBLIC_DOMAINS


def _mail_time(mail: ParsedMail, now: datetime) -> datetime:
    at = mail.occurred_at
    if at is None or at < EARLIEST or at > now + timedelta(days=1):
        return now
    return at


def _mail_event(
    mail: ParsedMail,
    candidate: Candidate,
    direction: str,
    recruiter: str | None,
    *,
    now: datetime,
    position: int = 0,
) -> dict[str, Any]:
    external_id = external_id_for(mail.message_id, mail.raw)
    if position:  # one message to several candidates: one event each
        digest = hashlib.sha256(f"{external_id}#{candidate.id}".encode()).hexdigest()[:40]
        external_id = f"email:sha256:{digest}"
    parent = mail.in_reply_to or (mail.references[-1] if mail.references else None)
    event: dict[str, Any] = {
        "external_id": external_id,
        "candidate_external_id": candidate.external_id,
        "direction": direction,
        "channel": "email",
        "type": "message",
        "occurred_at": _mail_time(mail, now).isoformat(),
        "subject": mail.subject,
        "body": mail.own_words or None,
        "auto_reply": mail.auto_reply,
        "metadata": {"source": "email", "message_id": mail.message_id},
    }
    if parent:
        event["in_reply_to"] = external_id_for(parent, b"")
    if recruiter:
        event["recruiter_external_id"] = recruiter
    return event


def list_unmatched(
    session: Session,
    *,
    connection: IntegrationConnection,
    include_assigned: bool,
    limit: int,
    cursor: str | None,
) -> tuple[list[UnmatchedMail], str | None]:
    after = decode_time_cursor(cursor) if cursor else None
    rows = repository.list_unmatched(
        session, connection.id, include_assigned=include_assigned, after=after, limit=limit + 1
    )
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor([last.received_at.isoformat(), last.id])
    return rows[:limit], next_cursor


def assign_unmatched(
    session: Session,
    *,
    connection: IntegrationConnection,
    mail_id: str,
    data: UnmatchedAssign,
    now: datetime,
) -> UnmatchedMail:
    """Record a kept message as an event of the chosen candidate; the raw mail is dropped."""
    row = repository.get_unmatched(session, connection.id, mail_id)
    if row is None:
        raise NotFound("No such unmatched mail.")
    if row.assigned or row.raw is None:
        raise Conflict("This mail is already assigned.")
    candidate = find_candidate(
        session,
        org_id=connection.org_id,
        candidate_id=data.candidate_id,
        external_id=data.candidate_external_id,
    )
    try:
        mail = email_adapter.parse_message(row.raw)
    except Malformed as exc:
        raise UnprocessableContent(str(exc)) from exc
    from_us = _is_staff(session, connection.org_id, mail.sender or "", when_unknown=False)
    direction = data.direction or ("outbound" if from_us else "inbound")
    recruiter = None
    if direction == "outbound" and mail.sender:
        recruiter = repository.recruiters_by_emails(session, connection.org_id, [mail.sender]).get(
            mail.sender
        )
    event = _mail_event(
        mail,
        candidate,
        direction,
        recruiter or candidate.recruiter_external_id,
        now=row.received_at,
    )
    recorded, problems = _record(session, org_id=connection.org_id, items=[event], now=now)
    if not recorded:
        raise UnprocessableContent(" ".join(problems) or "The mail could not be recorded.")
    row.assigned = True
    row.candidate_id = candidate.id
    row.event_external_id = recorded[0]
    row.assigned_at = now
    row.raw = None
    session.flush()
    return row


def dismiss_unmatched(session: Session, *, connection: IntegrationConnection, mail_id: str) -> None:
    """Delete a kept message (spam, not about a candidate): only a person drops mail."""
    row = repository.get_unmatched(session, connection.id, mail_id)
    if row is None or row.assigned:
        raise NotFound("No such unmatched mail.")
    session.delete(row)
    session.flush()


def find_candidate(
    session: Session,
    *,
    org_id: str,
    candidate_id: str | None,
    external_id: str | None,
    email: str | None = None,
) -> Candidate:
    """A candidate of the organisation by id, external id or e-mail (422 when none is found)."""
    candidate = None
    if candidate_id:
        candidate = repository.get_candidate(session, org_id, candidate_id)
    elif external_id:
        candidate = candidates_repository.get_by_external_id(session, org_id, external_id)
    if candidate is None and email and "@" in email:
        found = repository.candidates_by_emails(session, org_id, [email.lower()])
        candidate = found[0] if found else None
    if candidate is None:
        raise UnprocessableContent(
            "Unknown candidate.",
            errors=[field_error("body.candidate_id", "no such candidate in this organisation")],
        )
    return candidate
