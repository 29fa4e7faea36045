"""Every domain's ORM models, imported in one place for Alembic and the tests."""

from app.audit.models import AuditEvent
from app.candidates.models import Candidate
from app.core.db import Base
from app.derivation.models import DirtyCandidate
from app.events.models import Event, Exchange
from app.integrations.models import (
    IntegrationConnection,
    IntegrationDelivery,
    IntegrationLink,
    UnmatchedMail,
)
from app.orgs.models import ApiKey, Organisation, SettingsVersion
from app.recruiters.models import Recruiter
from app.reports.models import ReportSend
from app.scoring.models import CandidateScore, Flag, ScoreChange
from app.users.models import User, UserSession
from app.webhooks.models import WebhookAttempt, WebhookMessage, WebhookSubscription

__all__ = [
    "ApiKey",
    "AuditEvent",
    "Base",
    "Candidate",
    "CandidateScore",
    "DirtyCandidate",
    "Event",
    "Exchange",
    "Flag",
    "IntegrationConnection",
    "IntegrationDelivery",
    "IntegrationLink",
    "Organisation",
    "Recruiter",
    "ReportSend",
    "ScoreChange",
    "SettingsVersion",
    "UnmatchedMail",
    "User",
    "UserSession",
    "WebhookAttempt",
    "WebhookMessage",
    "WebhookSubscription",
]
