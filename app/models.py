"""Every domain's ORM models, imported in one place for Alembic and the tests."""

from app.candidates.models import Candidate
from app.core.db import Base
from app.derivation.models import DirtyCandidate
from app.events.models import Event, Exchange
from app.orgs.models import ApiKey, Organisation, SettingsVersion
from app.recruiters.models import Recruiter
from app.reports.models import ReportSend
from app.scoring.models import CandidateScore, Flag, ScoreChange
from app.users.models import User

# Rows that belong to one candidate and go with them on erasure (children first).
DERIVED_BY_CANDIDATE = (DirtyCandidate, ScoreChange, Flag, CandidateScore, Exchange, Event)

__all__ = [
    "DERIVED_BY_CANDIDATE",
    "ApiKey",
    "Base",
    "Candidate",
    "CandidateScore",
    "DirtyCandidate",
    "Event",
    "Exchange",
    "Flag",
    "Organisation",
    "Recruiter",
    "ReportSend",
    "ScoreChange",
    "SettingsVersion",
    "User",
]
