"""Fairness harness: the demo personas replayed under variants must get the same verdicts.

A *variant* rewrites one generated candidate without changing their behaviour: moving them to
another time zone with every instant shifted so that local times stay the same (the contract:
the time zone only decides which hours are working hours). A verdict is the band and the set
of negative flag codes as of one instant (shifted like the events). `compare` lists every
candidate whose verdict differs between variants; `flag_rates` tabulates the share of each
persona raising each code under each variant (`bench/fairness.py` prints it).

Extending it to languages: write a variant that returns the candidate with translated bodies
(and, if the classifier needs it, a `language` in `GeneratedCandidate.body`), and add it to the
variants passed to `replay`. Everything else (classification, derivation, comparison) is shared.

    generate_org ──▶ candidates ──▶ variant(candidate) ──▶ classify + derive ──▶ Verdict
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from app.demo.generator import ORG_TIMEZONE, GeneratedCandidate
from app.events.domain import (
    EventFacts,
    IntentMatch,
    body_key_of,
    compute_history,
    detect_needs_reply,
)
from app.language import classify_message
from app.orgs.scoring_settings import ScoringSettingsDocument
from app.scoring.score import evaluate
from app.scoring.signals import NEGATIVE_CODES

INSTANT_FIELDS = ("occurred_at", "scheduled_for", "due_at", "promised_by")
# UTC-8 ... UTC+9 as fixed offsets (the IANA "Etc/GMT" names have the sign reversed).
ZONES = tuple(f"Etc/GMT{-h:+d}" if h else "Etc/UTC" for h in range(-8, 10))


@dataclass(frozen=True)
class Variant:
    """A named rewrite of a candidate that must not change their verdict."""

    name: str
    apply: Callable[[GeneratedCandidate], GeneratedCandidate]
    as_of: Callable[[GeneratedCandidate, datetime], datetime]


@dataclass(frozen=True)
class Verdict:
    external_id: str
    persona: str
    variant: str
    band: str
    codes: tuple[str, ...]
    score: int | None


def zone_label(zone: str) -> str:
    """`Etc/GMT+8` -> `UTC-8` (what a reader expects)."""
    if zone == "Etc/UTC":
        return "UTC+0"
    sign = "-" if "+" in zone else "+"
    return f"UTC{sign}{zone.split('+')[-1].split('-')[-1]}"


def _home(candidate: GeneratedCandidate) -> ZoneInfo:
    return ZoneInfo(candidate.body.get("timezone") or ORG_TIMEZONE)


def _same_local_time(instant: datetime, home: ZoneInfo, zone: ZoneInfo) -> datetime:
    return instant.astimezone(home).replace(tzinfo=zone)


def zone_variant(zone: str) -> Variant:
    """Move a candidate to `zone`, shifting every instant so local times stay the same."""
    target = ZoneInfo(zone)

    def apply(candidate: GeneratedCandidate) -> GeneratedCandidate:
        home = _home(candidate)
        events = []
        for raw in candidate.events:
            moved = dict(raw)
            for name in INSTANT_FIELDS:
                if moved.get(name):
                    local = _same_local_time(datetime.fromisoformat(moved[name]), home, target)
                    moved[name] = local.isoformat()
            events.append(moved)
        return replace(candidate, body={**candidate.body, "timezone": zone}, events=events)

    def as_of(candidate: GeneratedCandidate, instant: datetime) -> datetime:
        return _same_local_time(instant, _home(candidate), target)

    return Variant(name=zone_label(zone), apply=apply, as_of=as_of)


ZONE_VARIANTS = tuple(zone_variant(z) for z in ZONES)


def facts_of(candidate: GeneratedCandidate) -> list[EventFacts]:
    """The derivation facts of a candidate's API event bodies, as the ingest makes them."""
    tz = _home(candidate)
    facts: list[EventFacts] = []
    for raw in candidate.events:
        when = {n: datetime.fromisoformat(raw[n]) if raw.get(n) else None for n in INSTANT_FIELDS}
        occurred_at = when["occurred_at"]
        assert occurred_at is not None
        matches: tuple[IntentMatch, ...] = ()
        if raw["direction"] == "inbound" and raw["type"] == "message":
            matches = classify_message(
                body=raw.get("body"),
                subject=raw.get("subject"),
                occurred_at=occurred_at,
                tz=tz,
                auto_reply=bool(raw.get("auto_reply", False)),
            ).intents
        text = raw.get("body") if raw.get("body") is not None else raw.get("subject")
        facts.append(
            EventFacts(
                id=raw["external_id"],
                external_id=raw["external_id"],
                direction=raw["direction"],
                channel=raw["channel"],
                type=raw["type"],
                occurred_at=occurred_at,
                outcome=raw.get("outcome"),
                scheduled_for=when["scheduled_for"],
                due_at=when["due_at"],
                promised_by=when["promised_by"],
                in_reply_to=raw.get("in_reply_to"),
                fulfills=raw.get("fulfills"),
                auto_reply=bool(raw.get("auto_reply", False)),
                expects_reply=bool(raw.get("expects_reply", True)),
                intents=matches,
                needs_reply=detect_needs_reply(
                    direction=raw["direction"],
                    type_=raw["type"],
                    outcome=raw.get("outcome"),
                    auto_reply=bool(raw.get("auto_reply", False)),
                    text=text,
                    intents=[(m.intent, m.evidence) for m in matches],
                ),
                body_key=body_key_of(raw.get("body")),
            )
        )
    return facts


def verdict(
    candidate: GeneratedCandidate,
    *,
    variant: str,
    as_of: datetime,
    settings: ScoringSettingsDocument,
) -> Verdict:
    """Classify and derive one candidate's verdict as of `as_of`."""
    calendar = settings.calendar(candidate.body.get("timezone"))
    history = compute_history(facts_of(candidate), calendar, as_of)
    result = evaluate(history, settings=settings, calendar=calendar)
    codes = sorted({s.code for s in result.signals if s.polarity == "negative"})
    return Verdict(
        external_id=str(candidate.body["external_id"]),
        persona=candidate.persona,
        variant=variant,
        band=result.band,
        codes=tuple(codes),
        score=result.score,
    )


def replay(
    candidates: Iterable[GeneratedCandidate],
    variants: Sequence[Variant],
    *,
    as_of: datetime,
    settings: ScoringSettingsDocument | None = None,
) -> list[Verdict]:
    """Every candidate's verdict under every variant."""
    document = settings or ScoringSettingsDocument()
    verdicts: list[Verdict] = []
    for candidate in candidates:
        for variant in variants:
            moved = variant.apply(candidate)
            verdicts.append(
                verdict(
                    moved,
                    variant=variant.name,
                    as_of=variant.as_of(candidate, as_of),
                    settings=document,
                )
            )
    return verdicts


def compare(verdicts: Iterable[Verdict]) -> list[tuple[str, str, list[tuple[str, str, Any]]]]:
    """Candidates whose band or flag codes differ between variants: (id, persona, verdicts)."""
    by_candidate: dict[str, list[Verdict]] = defaultdict(list)
    for v in verdicts:
        by_candidate[v.external_id].append(v)
    differing = []
    for external_id, seen in sorted(by_candidate.items()):
        if len({(v.band, v.codes) for v in seen}) > 1:
            differing.append(
                (external_id, seen[0].persona, [(v.variant, v.band, v.codes) for v in seen])
            )
    return differing


def flag_rates(verdicts: Iterable[Verdict]) -> dict[tuple[str, str], dict[str, float]]:
    """(persona, variant) -> share of candidates raising each code, `any` and each band."""
    groups: dict[tuple[str, str], list[Verdict]] = defaultdict(list)
    for v in verdicts:
        groups[(v.persona, v.variant)].append(v)
    table: dict[tuple[str, str], dict[str, float]] = {}
    for key, seen in groups.items():
        n = len(seen)
        row = {code: sum(code in v.codes for v in seen) / n for code in NEGATIVE_CODES}
        row["any"] = sum(bool(v.codes) for v in seen) / n
        for band in ("engaged", "cooling", "not_that_into_you", "declined", "unknown"):
            row[f"band:{band}"] = sum(v.band == band for v in seen) / n
        row["n"] = n
        table[key] = row
    return table
