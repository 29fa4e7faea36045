"""A full rebuild reads facts as plain rows and writes only what changed.

`facts_for_candidates` skips the ORM and the type decorators for speed: it must give exactly
the facts `row_to_facts` makes of the ORM rows. A rebuild that finds nothing changed must
write no exchange and no flag and record no score change (only the score row's
`computed_as_of` moves: the instant the stored evaluation holds from); one that finds a
stored row wrong (or a flag to clear) must still rewrite it.
"""

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, event, select, text, update

from app.candidates import repository as candidates_repository
from app.candidates.schemas import CandidateUpsert
from app.core.db import create_sessionmaker, transaction
from app.demo.generator import generate_org
from app.derivation import flows
from app.derivation import rescore as rescoring
from app.events import repository as events_repository
from app.events import service as events_service
from app.events.models import Event, Exchange
from app.orgs import service as orgs_service
from app.scoring import service as scoring_service
from app.scoring.models import CandidateScore, Flag, ScoreChange
from tests.derivation.snapshot import derived_state
from tests.factories import OrgContext, make_org

END = datetime(2026, 11, 20, 12, tzinfo=UTC)


def _generated_org(engine: Engine, *, seed: int, candidates: int) -> tuple[OrgContext, list[str]]:
    org = make_org(engine)
    data = generate_org(
        seed=seed, candidates=candidates, recruiters=2, start=END - timedelta(weeks=8), end=END
    )
    with transaction(create_sessionmaker(engine)) as session:
        for body in data.candidates:
            flows.upsert_candidate(
                session, org_id=org.org_id, data=CandidateUpsert.model_validate(body)
            )
        items = events_service.parse_items(data.events)
        flows.record_events(session, org_id=org.org_id, items=items, now=END)
        ids = candidates_repository.all_ids(session, org.org_id)
        flows.rederive(session, org_id=org.org_id, candidate_ids=ids, now=END)
    return org, ids


@contextmanager
def _statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split()).lower())

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _writes(statements: list[str], table: str) -> list[str]:
    verbs = (f"insert into {table} ", f"update {table} ", f"delete from {table} ")
    return [s for s in statements if s.startswith(verbs)]


def test_plain_row_facts_equal_the_orm_rows_facts(engine: Engine) -> None:
    org, ids = _generated_org(engine, seed=5, candidates=40)
    with create_sessionmaker(engine)() as session:
        fast = events_repository.facts_for_candidates(session, org.org_id, ids)
        rows = session.scalars(select(Event).where(Event.org_id == org.org_id)).all()
        expected: dict[str, list[Any]] = {}
        for row in rows:
            expected.setdefault(row.candidate_id, []).append(events_repository.row_to_facts(row))
    key = lambda f: f.sort_key  # noqa: E731
    assert {c: sorted(v, key=key) for c, v in fast.items()} == {
        c: sorted(v, key=key) for c, v in expected.items()
    }
    every = [f for facts in fast.values() for f in facts]
    # The comparison covered what the plain path converts itself.
    assert any(i.due_at or i.until for f in every for i in f.intents)
    assert any(f.scheduled_for for f in every) and any(f.due_at for f in every)
    assert all(f.occurred_at.tzinfo is UTC for f in every)


def test_an_unchanged_rebuild_writes_no_exchange_flag_or_score_change(engine: Engine) -> None:
    org, ids = _generated_org(engine, seed=7, candidates=30)
    factory = create_sessionmaker(engine)
    with factory() as session:
        before = derived_state(session, org.org_id)
        changes = session.scalar(
            select(ScoreChange.id).where(ScoreChange.org_id == org.org_id).limit(1)
        )
        assert changes is not None  # the first derivation did record some
    with _statements(engine) as seen, transaction(factory) as session:
        flows.rederive(session, org_id=org.org_id, candidate_ids=ids, now=END)
    assert _writes(seen, "exchanges") == []
    assert _writes(seen, "flags") == []
    assert _writes(seen, "score_changes") == []
    assert _writes(seen, "candidate_scores")  # computed_as_of / computed_at move on
    with factory() as session:
        assert derived_state(session, org.org_id) == before


def test_a_rebuild_rewrites_a_wrong_exchange_and_clears_a_stale_flag(engine: Engine) -> None:
    org, ids = _generated_org(engine, seed=9, candidates=30)
    factory = create_sessionmaker(engine)
    with factory() as session:
        before = derived_state(session, org.org_id)
    with transaction(factory) as session:
        stored = session.scalars(
            select(Exchange).where(Exchange.org_id == org.org_id).order_by(Exchange.id)
        ).all()
        assert len(stored) > 3
        first, second, third = stored[:3]
        session.execute(
            update(Exchange)
            .where(Exchange.id == first.id)
            .values(attempt_event_ids=[*first.attempt_event_ids, first.opening_event_id])
        )
        session.execute(
            update(Exchange)
            .where(Exchange.id == second.id)
            .values(paused=[[END.isoformat(), (END + timedelta(days=1)).isoformat()]])
        )
        session.execute(
            update(Exchange)
            .where(Exchange.id == third.id)
            .values(opened_at=third.opened_at - timedelta(seconds=1))
        )
        # A stale active flag no signal stands for any more, and an inactive one that does.
        flag = session.scalars(
            select(Flag).where(Flag.org_id == org.org_id, Flag.active.is_(True)).order_by(Flag.id)
        ).first()
        assert flag is not None
        stale = Flag(
            org_id=org.org_id,
            candidate_id=flag.candidate_id,
            code="slow_reply",
            key="slow_reply:stale",
            severity="medium",
            summary="stale",
            clears_when="never",
            evidence=[],
            raised_at=END - timedelta(days=3),
            status="open",
            active=True,
        )
        session.add(stale)
        flag.active, flag.cleared_at, flag.summary = False, END, "edited"
        # A live flag whose stored raised_at disagrees with its signal's (a late event moved it).
        moved = session.scalars(
            select(Flag)
            .where(Flag.org_id == org.org_id, Flag.active.is_(True), Flag.id != flag.id)
            .order_by(Flag.id)
        ).first()
        assert moved is not None
        moved.raised_at = moved.raised_at - timedelta(days=1)
    with transaction(factory) as session:
        flows.rederive(session, org_id=org.org_id, candidate_ids=ids, now=END)
    with factory() as session:
        assert derived_state(session, org.org_id) == before
        cleared = session.get(Flag, stale.id)
        assert cleared is not None and not cleared.active and cleared.cleared_at == END
        raised = session.get(Flag, flag.id)
        assert raised is not None and raised.active and raised.cleared_at is None
        assert raised.summary != "edited"
        score = session.get(CandidateScore, flag.candidate_id)
        assert score is not None and f" {flag.code} " in score.flag_codes


def test_exchange_json_is_compared_as_the_stored_text(engine: Engine) -> None:
    """A row whose JSON is stored with other spacing reads as changed and is rewritten."""
    org, ids = _generated_org(engine, seed=11, candidates=10)
    factory = create_sessionmaker(engine)
    with factory() as session:
        before = derived_state(session, org.org_id)
    with transaction(factory) as session:
        session.execute(
            text(
                "UPDATE exchanges SET paused = CAST('[ ]' AS JSON) WHERE org_id = :o"
                if engine.dialect.name == "postgresql"
                else "UPDATE exchanges SET paused = '[ ]' WHERE org_id = :o"
            ),
            {"o": org.org_id},
        )
    with _statements(engine) as seen, transaction(factory) as session:
        flows.rederive(session, org_id=org.org_id, candidate_ids=ids, now=END)
    assert _writes(seen, "exchanges")
    with factory() as session:
        assert derived_state(session, org.org_id) == before
        texts = set(
            session.execute(
                text("SELECT CAST(paused AS TEXT) FROM exchanges WHERE org_id = :o"),
                {"o": org.org_id},
            ).scalars()
        )
        assert "[ ]" not in texts and "[]" in texts


def test_a_flag_status_set_but_not_flushed_counts(engine: Engine) -> None:
    """Flags are compared as stored rows: a dismissal still only in the session is seen."""
    org, _ = _generated_org(engine, seed=13, candidates=20)
    factory = create_sessionmaker(engine)
    with transaction(factory) as session:
        active = session.scalars(
            select(Flag)
            .where(Flag.org_id == org.org_id, Flag.active.is_(True), Flag.status == "open")
            .order_by(Flag.id)
        ).all()
        codes = Counter((f.candidate_id, f.code) for f in active)
        flag = next(f for f in active if codes[f.candidate_id, f.code] == 1)
        flag.status = "dismissed"  # no flush: the session factory does not autoflush
        candidates = candidates_repository.lock_many(session, org.org_id, [flag.candidate_id])
        settings = orgs_service.get_current_settings(session, org_id=org.org_id)
        before = session.get(CandidateScore, flag.candidate_id)
        assert before is not None and f" {flag.code} " in before.flag_codes
        stored = scoring_service.refresh_scores(
            session, org_id=org.org_id, candidates=candidates, settings=settings, now=END
        )
        assert f" {flag.code} " not in stored[flag.candidate_id].flag_codes


def test_parallel_rescore_after_one_in_this_process(engine: Engine, database_url: str) -> None:
    """Pool processes do not reuse the connections of the process that forked them."""
    org, ids = _generated_org(engine, seed=17, candidates=12)
    with create_sessionmaker(engine)() as session:
        expected = derived_state(session, org.org_id)
    for processes in (1, 2, 1):
        chunk, rescoring.CHUNK = rescoring.CHUNK, 4
        try:
            done = rescoring.rescore(
                database_url,
                {org.org_id: ids},
                when=END,
                processes=processes,
                progress=lambda n: None,
            )
        finally:
            rescoring.CHUNK = chunk
        assert done == len(ids)
    with create_sessionmaker(engine)() as session:
        assert derived_state(session, org.org_id) == expected
