"""The report's SQL mirror view agrees with the pure derivation in events/domain.py."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from app.candidates import repository as candidates_repository
from app.candidates.schemas import CandidateUpsert
from app.core.db import create_sessionmaker, transaction
from app.demo.generator import generate_org
from app.derivation import flows
from app.events import repository as events_repository
from app.events import service as events_service
from app.events.domain import compute_history
from app.orgs import service as orgs_service
from app.reports import repository as reports_repository
from tests.factories import make_org

END = datetime(2026, 11, 20, 12, tzinfo=UTC)


@pytest.mark.parametrize("days_back", [0, 3, 10, 24])
def test_sql_waiting_clock_and_promises_match_the_domain(engine: Engine, days_back: int) -> None:
    org = make_org(engine)
    data = generate_org(
        seed=days_back + 11, candidates=40, recruiters=2, start=END - timedelta(weeks=6), end=END
    )
    # Some messages synced twice (a second copy minutes later), to check the SQL skips copies.
    data.events.extend(_copies(data.events))
    with transaction(create_sessionmaker(engine)) as session:
        for body in data.candidates:
            flows.upsert_candidate(
                session, org_id=org.org_id, data=CandidateUpsert.model_validate(body)
            )
        items = events_service.parse_items(data.events)
        flows.record_events(session, org_id=org.org_id, items=items)
        flows.derive_dirty(session, org_id=org.org_id, limit=1000)

    as_of = END - timedelta(days=days_back, hours=5)
    with create_sessionmaker(engine)() as session:
        settings = orgs_service.get_current_settings(session, org_id=org.org_id)
        ids = candidates_repository.all_ids(session, org.org_id)
        since = reports_repository.open_waiting_since(session, org.org_id, ids, as_of)
        overdue = reports_repository.overdue_promises(session, org.org_id, ids, as_of)
        facts = events_repository.facts_for_candidates(session, org.org_id, ids)
        candidates = {c.id: c for c in candidates_repository.lock_many(session, org.org_id, ids)}
        sql_waiting = set(
            session.scalars(
                reports_repository.waiting_on_us_ids(
                    org.org_id, None, as_of=as_of, dialect=engine.dialect.name
                )
            )
        )
        waiting = promised = 0
        for cid in ids:
            calendar = settings.document.calendar(candidates[cid].timezone)
            history = compute_history(facts.get(cid, []), calendar, as_of)
            clock = history.waiting_on_us
            assert since.get(cid) == (clock.opened_at if clock else None), cid
            expected = sorted(p.promised_by for p in history.promises if p.overdue)
            assert sorted(overdue.get(cid, [])) == expected, cid
            waiting += clock is not None
            promised += bool(expected)
            expected_waiting = candidates[cid].status == "active" and (
                clock is not None or bool(expected)
            )
            assert (cid in sql_waiting) == expected_waiting, cid
    assert waiting > 0  # the comparison covered real clocks


def _copies(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """For some inbound messages: our answer a minute later, then the message synced again."""
    extra = []
    inbound = [e for e in events if e.get("body") and e["direction"] == "inbound"]
    for n, event in enumerate(inbound[::3]):
        at = datetime.fromisoformat(event["occurred_at"])
        answered_at, copied_at = at + timedelta(minutes=1), at + timedelta(minutes=3 + n % 9)
        answer = {"direction": "outbound", "body": "Noted, thank you."}
        extra += [
            dict(
                event,
                **answer,
                external_id=f"{event['external_id']}-a",
                occurred_at=answered_at.isoformat(),
            ),
            dict(
                event, external_id=f"{event['external_id']}-copy", occurred_at=copied_at.isoformat()
            ),
        ]
    return extra
