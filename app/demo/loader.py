"""The demo organisation that `make run` serves: a generated pipeline plus the scenarios.

The generator (`demo/generator.py`) makes a realistic organisation ending today; the demo's own
stories (`demo/stories/`, or the folder DEMO_SCENARIOS_DIR names) are loaded too, each under
the first recruiter. Demo sign-ins are printed.
"""

import json
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.candidates.schemas import CandidateUpsert
from app.core.chunks import chunked
from app.core.errors import AppError
from app.core.ids import utcnow
from app.core.logging import get_logger
from app.core.settings import get_settings
from app.demo import generator
from app.derivation import flows
from app.events import service as events_service
from app.orgs import service as orgs_service
from app.orgs.models import Organisation
from app.orgs.scoring_settings import ScoringSettingsDocument
from app.recruiters import service as recruiters_service
from app.recruiters.schemas import RecruiterUpsert

STORIES_DIR = Path(__file__).resolve().parent / "stories"
DEMO_ORG_NAME = f"{generator.COMPANY} (demo)"
DEMO_PASSWORD = "followthrough-demo"  # documented in the README; demo data only
log = get_logger("followthrough.demo")


@dataclass
class DemoResult:
    org_id: str
    api_key: str
    extra_lines: list[str] = field(default_factory=list)


def demo_logins(recruiter_email: str | None) -> list[str]:
    lines = [f"web UI: sign in as admin@demo.example.com / {DEMO_PASSWORD} (admin)"]
    if recruiter_email:
        lines.append(f"        or as {recruiter_email} / {DEMO_PASSWORD} (recruiter)")
    return lines


def scenarios_dir() -> Path | None:
    configured = get_settings().demo_scenarios_dir
    folder = Path(configured) if configured else STORIES_DIR
    return folder if folder.is_dir() else None


def find_demo_org(session: Session) -> Organisation | None:
    return session.scalar(select(Organisation).where(Organisation.name == DEMO_ORG_NAME).limit(1))


def load_demo(
    session: Session, *, force: bool = False, seed: int = 7, candidates: int = 60
) -> DemoResult | None:
    """Create and fill the demo organisation; None when one exists and not `force`."""
    if not force and find_demo_org(session) is not None:
        return None
    org, key = orgs_service.create_organisation(session, name=DEMO_ORG_NAME)
    orgs_service.replace_settings(
        session,
        org_id=org.id,
        document=ScoringSettingsDocument(timezone=generator.ORG_TIMEZONE, holiday_country="US"),
    )
    now = utcnow()
    data = generator.generate_org(
        seed=seed,
        candidates=candidates,
        recruiters=4,
        start=now - timedelta(weeks=10),
        end=now - timedelta(hours=1),
    )
    for body in data.recruiters:
        recruiters_service.upsert_recruiter(
            session, org_id=org.id, data=RecruiterUpsert.model_validate(body)
        )
    for body in data.candidates:
        flows.upsert_candidate(session, org_id=org.id, data=CandidateUpsert.model_validate(body))
    _record(session, org.id, data.events)
    lead = data.recruiters[0]
    loaded = _load_scenarios(session, org.id, recruiter_external_id=lead["external_id"])
    lines = [f"{len(data.candidates)} generated candidates, {len(data.events)} events"]
    if loaded:
        lines.append(f"{loaded} scenario stories loaded")
    lines.extend(_create_users(session, org.id, lead))
    while flows.derive_dirty(session, org_id=org.id):
        pass
    return DemoResult(org_id=org.id, api_key=key, extra_lines=lines)


def _record(session: Session, org_id: str, events: list[dict[str, Any]]) -> None:
    for chunk in chunked(events):
        items = events_service.parse_items(chunk)
        outcomes = flows.record_events(session, org_id=org_id, items=items)
        failed = [o for o in outcomes if o.problem is not None]
        if failed:
            raise RuntimeError(f"demo events rejected: {failed[0].problem}")


def _load_scenarios(session: Session, org_id: str, *, recruiter_external_id: str) -> int:
    folder = scenarios_dir()
    if folder is None:
        log.info("demo_scenarios_absent")
        return 0
    count = 0
    for path in sorted(folder.glob("*.json")):
        try:
            story = json.loads(path.read_text())
            body = {"recruiter_external_id": recruiter_external_id, **story["candidate"]}
            flows.upsert_candidate(
                session, org_id=org_id, data=CandidateUpsert.model_validate(body)
            )
            events = [dict(e, candidate_external_id=body["external_id"]) for e in story["events"]]
            _record(session, org_id, events)
            count += 1
        except (ValueError, KeyError, RuntimeError) as exc:
            log.warning("demo_scenario_skipped", file=path.name, error=str(exc)[:200])
    return count


def _create_users(session: Session, org_id: str, lead: dict[str, Any]) -> list[str]:
    try:
        from app.users import service as users_service
    except ImportError:  # the web UI is optional
        return []
    try:
        users_service.create_user(
            session,
            org_id=org_id,
            email="admin@demo.example.com",
            password=DEMO_PASSWORD,
            role="admin",
            name="Demo Admin",
        )
        users_service.create_user(
            session,
            org_id=org_id,
            email=lead["email"],
            password=DEMO_PASSWORD,
            role="recruiter",
            name=lead["name"],
            recruiter_external_id=lead["external_id"],
        )
    except AppError as exc:  # a second demo org reuses the same sign-ins
        log.info("demo_users_exist", detail=exc.detail)
    return demo_logins(lead.get("email"))
