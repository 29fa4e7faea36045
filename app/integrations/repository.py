"""SQL for inbound integrations (the only place here that builds queries)."""

import hashlib
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.candidates.models import Candidate
from app.core.db_upsert import insert_ignore
from app.events.models import Event
from app.integrations.models import (
    IntegrationConnection,
    IntegrationDelivery,
    IntegrationLink,
    UnmatchedMail,
)
from app.recruiters.models import Recruiter
from app.users.models import User


def get_connection(session: Session, connection_id: str) -> IntegrationConnection | None:
    return session.get(IntegrationConnection, connection_id)


def list_connections(
    session: Session, org_id: str, *, after: tuple[datetime, str] | None, limit: int
) -> list[IntegrationConnection]:
    stmt = select(IntegrationConnection).where(IntegrationConnection.org_id == org_id)
    if after is not None:
        stmt = stmt.where(
            (IntegrationConnection.created_at > after[0])
            | (
                (IntegrationConnection.created_at == after[0])
                & (IntegrationConnection.id > after[1])
            )
        )
    stmt = stmt.order_by(IntegrationConnection.created_at, IntegrationConnection.id).limit(limit)
    return list(session.scalars(stmt))


def claim_delivery(session: Session, values: dict[str, object]) -> bool:
    """Insert the delivery row unless its key (or nonce) is already stored; True if new."""
    return insert_ignore(
        session, IntegrationDelivery, values, conflict_columns=["connection_id", "key"]
    )


def delivery_by_key(session: Session, connection_id: str, key: str) -> IntegrationDelivery | None:
    return session.scalar(
        select(IntegrationDelivery).where(
            IntegrationDelivery.connection_id == connection_id, IntegrationDelivery.key == key
        )
    )


def nonce_seen(session: Session, connection_id: str, nonce: str) -> bool:
    stmt = select(IntegrationDelivery.id).where(
        IntegrationDelivery.connection_id == connection_id, IntegrationDelivery.nonce == nonce
    )
    return session.scalar(stmt) is not None


def recent_deliveries(
    session: Session, connection_id: str, *, limit: int
) -> list[IntegrationDelivery]:
    stmt = (
        select(IntegrationDelivery)
        .where(IntegrationDelivery.connection_id == connection_id)
        .order_by(IntegrationDelivery.received_at.desc(), IntegrationDelivery.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def delivery_counts(session: Session, org_id: str) -> dict[str, tuple[int, datetime | None]]:
    stmt = (
        select(
            IntegrationDelivery.connection_id,
            func.count(),
            func.max(IntegrationDelivery.received_at),
        )
        .where(IntegrationDelivery.org_id == org_id)
        .group_by(IntegrationDelivery.connection_id)
    )
    return {row[0]: (int(row[1]), row[2]) for row in session.execute(stmt)}


def open_unmatched_counts(session: Session, org_id: str) -> dict[str, int]:
    stmt = (
        select(UnmatchedMail.connection_id, func.count())
        .where(UnmatchedMail.org_id == org_id, UnmatchedMail.assigned.is_(False))
        .group_by(UnmatchedMail.connection_id)
    )
    return {row[0]: int(row[1]) for row in session.execute(stmt)}


# --- candidates, recruiters and links ----------------------------------------------------


def _ref(ref: str) -> str:
    """A provider ref as stored: long ones (a Calendly invitee's e-mail) hashed to fit."""
    if len(ref) <= 250:
        return ref
    return "sha256:" + hashlib.sha256(ref.encode()).hexdigest()


def get_link(session: Session, org_id: str, provider: str, ref: str) -> IntegrationLink | None:
    return session.scalar(
        select(IntegrationLink).where(
            IntegrationLink.org_id == org_id,
            IntegrationLink.provider == provider,
            IntegrationLink.ref == _ref(ref),
        )
    )


def add_link(
    session: Session, *, org_id: str, provider: str, ref: str, candidate_id: str | None
) -> None:
    insert_ignore(
        session,
        IntegrationLink,
        {"org_id": org_id, "provider": provider, "ref": _ref(ref), "candidate_id": candidate_id},
        conflict_columns=["org_id", "provider", "ref"],
    )


def tombstone_links(session: Session, org_id: str, candidate_id: str) -> None:
    """Keep the candidate's provider ids, pointing nowhere (see IntegrationLink)."""
    session.execute(
        update(IntegrationLink)
        .where(IntegrationLink.org_id == org_id, IntegrationLink.candidate_id == candidate_id)
        .values(candidate_id=None)
        .execution_options(synchronize_session=False)
    )


def candidates_by_emails(session: Session, org_id: str, emails: list[str]) -> list[Candidate]:
    if not emails:
        return []
    stmt = (
        select(Candidate)
        .where(Candidate.org_id == org_id, func.lower(Candidate.email).in_(emails))
        .order_by(Candidate.created_at, Candidate.id)
    )
    return list(session.scalars(stmt))


def candidates_by_phones(session: Session, org_id: str, phones: list[str]) -> list[Candidate]:
    stmt = select(Candidate).where(Candidate.org_id == org_id, Candidate.phone.in_(phones))
    return list(session.scalars(stmt.order_by(Candidate.created_at, Candidate.id)))


def candidates_with_phone(session: Session, org_id: str) -> list[Candidate]:
    stmt = select(Candidate).where(Candidate.org_id == org_id, Candidate.phone.is_not(None))
    return list(session.scalars(stmt.order_by(Candidate.created_at, Candidate.id)))


def get_candidate(session: Session, org_id: str, candidate_id: str) -> Candidate | None:
    return session.scalar(
        select(Candidate).where(Candidate.org_id == org_id, Candidate.id == candidate_id)
    )


def recruiters_by_emails(session: Session, org_id: str, emails: list[str]) -> dict[str, str]:
    """Map addresses to recruiter external ids (recruiters first, then users linked to one)."""
    if not emails:
        return {}
    found: dict[str, str] = {}
    users = select(func.lower(User.email), User.recruiter_external_id).where(
        User.org_id == org_id,
        func.lower(User.email).in_(emails),
        User.recruiter_external_id.is_not(None),
    )
    for email, external_id in session.execute(users):
        found[email] = external_id
    recruiters = select(func.lower(Recruiter.email), Recruiter.external_id).where(
        Recruiter.org_id == org_id, func.lower(Recruiter.email).in_(emails)
    )
    for email, external_id in session.execute(recruiters):
        found[email] = external_id
    return found


def org_user_emails(session: Session, org_id: str, emails: list[str]) -> set[str]:
    """The addresses among `emails` that belong to people on the recruiting side."""
    if not emails:
        return set()
    users = select(func.lower(User.email)).where(
        User.org_id == org_id, func.lower(User.email).in_(emails)
    )
    recruiters = select(func.lower(Recruiter.email)).where(
        Recruiter.org_id == org_id, func.lower(Recruiter.email).in_(emails)
    )
    return set(session.scalars(users)) | set(session.scalars(recruiters))


def staff_domains(session: Session, org_id: str) -> set[str]:
    """The e-mail domains of the organisation's users and recruiters."""
    users = select(func.lower(User.email)).where(User.org_id == org_id)
    recruiters = select(func.lower(Recruiter.email)).where(
        Recruiter.org_id == org_id, Recruiter.email.is_not(None)
    )
    addresses = set(session.scalars(users.distinct())) | set(session.scalars(recruiters.distinct()))
    return {a.rsplit("@", 1)[-1] for a in addresses if a and "@" in a}


def candidate_ids_of_events(session: Session, org_id: str, external_ids: list[str]) -> list[str]:
    """Candidates of the events named (in the order given) — for threading replies."""
    if not external_ids:
        return []
    stmt = select(Event.external_id, Event.candidate_id).where(
        Event.org_id == org_id, Event.external_id.in_(external_ids)
    )
    by_id = {row[0]: row[1] for row in session.execute(stmt)}
    return [by_id[e] for e in external_ids if e in by_id]


def existing_event_ids(session: Session, org_id: str, external_ids: list[str]) -> set[str]:
    if not external_ids:
        return set()
    stmt = select(Event.external_id).where(
        Event.org_id == org_id, Event.external_id.in_(external_ids)
    )
    return set(session.scalars(stmt))


# --- unmatched mail ----------------------------------------------------------------------


def list_unmatched(
    session: Session,
    connection_id: str,
    *,
    include_assigned: bool,
    after: tuple[datetime, str] | None,
    limit: int,
) -> list[UnmatchedMail]:
    stmt = select(UnmatchedMail).where(UnmatchedMail.connection_id == connection_id)
    if not include_assigned:
        stmt = stmt.where(UnmatchedMail.assigned.is_(False))
    if after is not None:
        stmt = stmt.where(
            (UnmatchedMail.received_at < after[0])
            | ((UnmatchedMail.received_at == after[0]) & (UnmatchedMail.id < after[1]))
        )
    stmt = stmt.order_by(UnmatchedMail.received_at.desc(), UnmatchedMail.id.desc()).limit(limit)
    return list(session.scalars(stmt))


def get_unmatched(session: Session, connection_id: str, mail_id: str) -> UnmatchedMail | None:
    return session.scalar(
        select(UnmatchedMail)
        .where(UnmatchedMail.connection_id == connection_id, UnmatchedMail.id == mail_id)
        .with_for_update()
    )


def delete_assigned_mail(session: Session, org_id: str, candidate_id: str) -> None:
    for mail in session.scalars(
        select(UnmatchedMail).where(
            UnmatchedMail.org_id == org_id, UnmatchedMail.candidate_id == candidate_id
        )
    ):
        session.delete(mail)
