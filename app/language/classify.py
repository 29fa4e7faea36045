"""Classify one inbound message: its language, then its intents with the phrase behind each.

Rules, not a model: every decision comes from a named pattern in a per-language phrase table
(`lexicons/en.py`, `es.py`, `de.py`, `fr.py`, `pt.py`), so a recruiter can always see *why* a
message was read as an apology or a promise (`explain`). Only the candidate's own words count:
quoted earlier messages and signatures are removed first (`replies`).

Pipeline for one message:

    body ──▶ strip_quoted ──▶ detect_language ──▶ unsupported? ──▶ no intents at all
                                   │
                                   ▼ lexicon of that language
    own words + subject (unless "Re:") ──▶ per intent: first rule match that is not blocked,
                                           negated or addressed to "you"
    auto_reply flag, localised OOO subject ──▶ out_of_office (+ return date, `dates`)
                                               commitment (+ due time, `dates`)

Every step is linear in the length of the text, which is capped (`text.MAX_CHARS`).
"""

import re
from bisect import bisect_left
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from app.language import dates
from app.language.autoreply import auto_reply_subject
from app.language.detect import detect_language
from app.language.lexicons import LEXICONS, Lexicon
from app.language.replies import strip_quoted, strip_valediction
from app.language.text import MAX_CHARS, MAX_SUBJECT_CHARS, normalise
from app.language.types import INTENTS, SUPPORTED_LANGUAGES, Classification, IntentMatch

_NEGATION_WORDS = 4
_EVIDENCE_MAX = 90
_MAX_PROMISES = 10
_REPLY_PREFIX = re.compile(
    r"^ ?(?:re|fw|fwd|aw|wg|sv|antw|rv|enc|tr|res|r|ref) ?(?:\[\d+\])? ?:", re.IGNORECASE
)
_SENTENCE_END = re.compile(r"(?<=[.!?;])[ \n]+|\n\n")
_WORD = re.compile(r"[\w']+")


@dataclass(frozen=True)
class RuleHit:
    """Why an intent was found: the rule's name and the phrase it matched."""

    intent: str
    rule: str
    evidence: str
    due_at: datetime | None = None
    until: datetime | None = None

    def to_match(self) -> IntentMatch:
        return IntentMatch(
            intent=self.intent, evidence=self.evidence, due_at=self.due_at, until=self.until
        )


@dataclass(frozen=True)
class Explanation:
    """A classification with the rule behind each intent."""

    language: str | None
    intents_available: bool
    hits: tuple[RuleHit, ...]


def classify_message(
    *,
    body: str | None,
    subject: str | None,
    occurred_at: datetime,
    tz: ZoneInfo,
    auto_reply: bool = False,
    language: str | None = None,
) -> Classification:
    """Detect the language of one inbound message and return its intents with evidence.

    `language` skips detection (an ISO 639-1 code the caller already knows).
    """
    found = explain(
        body=body,
        subject=subject,
        occurred_at=occurred_at,
        tz=tz,
        auto_reply=auto_reply,
        language=language,
    )
    return Classification(
        language=found.language,
        intents_available=found.intents_available,
        intents=tuple(hit.to_match() for hit in found.hits),
    )


# Intents a person may state in a message that also announces an absence.
_SAID_BESIDE_AN_ABSENCE = frozenset({"out_of_office", "scheduling", "decline", "assurance"})
# Rules that only an automatic notice triggers ("Automatic reply", "Abwesenheitsnotiz", the
# source's flag, a localised auto-reply subject): such a message is the notice and nothing else.
_AUTOMATIC_RULES = frozenset(
    {"subject", "auto_reply_flag", "auto_reply", "automatisch", "automatica", "automatique"}
)
# Rules that only a person writes ("I'm away 16-27 Nov", "Ich bin vom 16. bis 27.11. im
# Urlaub"): notice boilerplate has no part in such a message, so all it says is kept.
_PERSONAL_RULES = frozenset({"away_range", "range_away"})


def explain(
    *,
    body: str | None,
    subject: str | None,
    occurred_at: datetime,
    tz: ZoneInfo,
    auto_reply: bool = False,
    language: str | None = None,
) -> Explanation:
    """Return one hit per intent found, naming the rule that matched, in `INTENTS` order."""
    quoted_removed = strip_quoted(body or "")
    subject_text = normalise(subject or "")[:MAX_SUBJECT_CHARS]
    is_reply = _REPLY_PREFIX.match(subject_text) is not None
    if language is None:
        sample = quoted_removed if quoted_removed.strip() or is_reply else subject_text
        detected = detect_language(sample)
        language, supported = detected.language, detected.supported
    else:
        supported = language in SUPPORTED_LANGUAGES
    if not supported:
        return Explanation(
            language=language, intents_available=False, hits=_notice_only(subject_text, is_reply)
        )
    lex = LEXICONS.get(language or "en", LEXICONS["en"])
    own = strip_valediction(quoted_removed, lex)
    text = subject_text + "\n\n" + own if subject_text and not is_reply else own
    ooo_subject = None if is_reply else auto_reply_subject(subject_text)

    found: dict[str, RuleHit] = {}
    for intent in INTENTS:
        if intent == "commitment":
            hit = _find_commitment(text, lex, occurred_at, tz)
        elif intent == "out_of_office":
            hit = _find_ooo(
                text,
                ooo_subject=ooo_subject,
                auto_reply=auto_reply,
                lex=lex,
                occurred_at=occurred_at,
                tz=tz,
            )
        else:
            hit = _find_intent(intent, text, lex)
        if hit is not None:
            found[intent] = hit
    if "out_of_office" in found:
        # An absence notice's thanks, "limited access" or "I will respond on my return" are
        # boilerplate, not the candidate's intents; but a person who answers and mentions leave
        # ("Thursday works. I'm away 16-27 Nov") still said what they said (contract §3).
        rule = found["out_of_office"].rule
        automatic = auto_reply or ooo_subject is not None or rule in _AUTOMATIC_RULES
        if automatic:
            found = {"out_of_office": found["out_of_office"]}
        elif rule not in _PERSONAL_RULES or _notice_phrases(text, lex):
            found = {k: v for k, v in found.items() if k in _SAID_BESIDE_AN_ABSENCE}
        elif "excuse" in found and found["excuse"].evidence in found["out_of_office"].evidence:
            del found["excuse"]  # "on a business trip 3-12 Dec" states the absence, no excuse
    originals = (body or "", subject or "")
    hits = tuple(
        RuleHit(
            intent=h.intent,
            rule=h.rule,
            evidence=_in_original(h.evidence, originals),
            due_at=h.due_at,
            until=h.until,
        )
        for h in found.values()
    )
    return Explanation(language=language or None, intents_available=True, hits=hits)


def _notice_phrases(text: str, lex: Lexicon) -> bool:
    """Whether an absence notice's own phrases ("I will respond on my return") are in `text`."""
    rules = lex.rules["out_of_office"]
    for count, match in enumerate(rules.regex.finditer(text)):
        if count >= _MAX_PROMISES:
            break
        if rules.names.get(match.lastgroup or "") not in _PERSONAL_RULES:
            return True
    return False


def _notice_only(subject: str, is_reply: bool) -> tuple[RuleHit, ...]:
    """An automatic reply in a language the classifier does not read: the notice, nothing else.

    Its subject ("Risposta automatica", "Automatisch antwoord", "Automatyczna odpowiedź") is
    the one thing read, so that the notice does not count as the candidate's reply; no other
    intent and no return date are drawn from a text that is not read.
    """
    phrase = None if is_reply else auto_reply_subject(subject)
    if phrase is None:
        return ()
    return (RuleHit(intent="out_of_office", rule="subject", evidence=phrase),)


def _in_original(evidence: str, originals: tuple[str, ...]) -> str:
    """Return the evidence as it is written in the input (quotes and line breaks included)."""
    tokens = evidence.split()[:30]
    if not tokens:
        return evidence
    pattern = r"\s{1,20}".join(re.escape(t).replace("'", "['\u2018\u2019]") for t in tokens)
    for original in originals:
        found = re.search(pattern, original[: MAX_CHARS + 1000], re.IGNORECASE)
        if found is not None:
            return found.group()
    return evidence


# --- generic intents -------------------------------------------------------------------


def _find_intent(intent: str, text: str, lex: Lexicon) -> RuleHit | None:
    rules = lex.rules.get(intent)
    if rules is None:
        return None
    blocked: list[tuple[int, int]] | None = None  # look-alikes, scanned only once a rule hits
    for match in rules.regex.finditer(text):
        start, end = _trim(match)
        if blocked is None:
            blocked = _blocked_spans(lex.blockers.get(intent), text)
        if start >= end or _overlaps(start, end, blocked):
            continue
        if _cancelled(intent, text, start, lex):
            continue
        rule = rules.names.get(match.lastgroup or "", "rule")
        return RuleHit(intent=intent, rule=rule, evidence=text[start:end])
    return None


def _trim(match: re.Match[str]) -> tuple[int, int]:
    start, end = match.span()
    value = match.group()
    start += len(value) - len(value.lstrip())
    end -= len(value) - len(value.rstrip())
    return start, end


def _blocked_spans(blocker: re.Pattern[str] | None, text: str) -> list[tuple[int, int]]:
    if blocker is None:
        return []
    return [m.span() for m in blocker.finditer(text)]


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    # `spans` come from one `finditer`: sorted and disjoint, so only the last one starting
    # before `end` can overlap (a bisection keeps many blocked spans linear).
    index = bisect_left(spans, (end, -1))
    return index > 0 and spans[index - 1][1] > start


def _clause_before(text: str, start: int, lex: Lexicon) -> str:
    window = text[max(0, start - 60) : start]
    breaks = list(lex.clause_break.finditer(window))
    if breaks:
        window = window[breaks[-1].end() :]
    words = _WORD.findall(window)
    return " ".join(words[-_NEGATION_WORDS:])


def _cancelled(intent: str, text: str, start: int, lex: Lexicon) -> bool:
    before = _clause_before(text, start, lex)
    if not before:
        return False
    if intent in lex.negatable and lex.negation.search(before):
        return True
    exclude = lex.exclude_before.get(intent)
    return exclude is not None and exclude.search(before) is not None


# --- commitment ------------------------------------------------------------------------


def _find_commitment(
    text: str, lex: Lexicon, occurred_at: datetime, tz: ZoneInfo
) -> RuleHit | None:
    blocked = _blocked_spans(lex.promise_blockers, text)
    hits: list[RuleHit] = []
    for match in lex.promise.finditer(text):
        if len(hits) >= _MAX_PROMISES:
            break
        start, end = _trim(match)
        if _overlaps(start, end, blocked) or _cancelled("commitment", text, start, lex):
            continue
        sentence_start, sentence_end = _sentence_bounds(text, start, end)
        after = text[end:sentence_end]
        before = text[sentence_start:start]
        found = dates.find_deadline(after, lex.dates, occurred_at, tz)
        evidence = text[start:end]
        due: datetime | None = None
        if found is not None:
            due, span_end = found
            if span_end <= _EVIDENCE_MAX:
                evidence = text[start : end + span_end]
        elif (earlier := dates.find_deadline(before, lex.dates, occurred_at, tz)) is not None:
            due = earlier[0]
        elif lex.promise_needs_time and not lex.promise_soft.search(
            text[sentence_start:sentence_end]
        ):
            continue
        hits.append(RuleHit(intent="commitment", rule="promise", evidence=evidence, due_at=due))
    if not hits:
        return None
    dated = [h for h in hits if h.due_at is not None]
    return min(dated, key=lambda h: h.due_at or occurred_at) if dated else hits[0]


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    sentence_start = max(0, start - 300)
    for boundary in _SENTENCE_END.finditer(text, sentence_start, start):
        sentence_start = boundary.end()
    following = _SENTENCE_END.search(text, end, end + 300)
    return sentence_start, following.start() if following else min(len(text), end + 300)


# --- out of office ---------------------------------------------------------------------


def _find_ooo(
    text: str,
    *,
    ooo_subject: str | None,
    auto_reply: bool,
    lex: Lexicon,
    occurred_at: datetime,
    tz: ZoneInfo,
) -> RuleHit | None:
    hit: RuleHit | None = None
    position = 0
    rules = lex.rules.get("out_of_office")
    match = rules.regex.search(text) if rules is not None else None
    if match is not None and rules is not None:
        start, end = _trim(match)
        rule = rules.names.get(match.lastgroup or "", "rule")
        hit = RuleHit(intent="out_of_office", rule=rule, evidence=text[start:end])
        position = start
    if hit is None and ooo_subject is not None:
        hit = RuleHit(intent="out_of_office", rule="subject", evidence=ooo_subject)
    if hit is None and auto_reply:
        hit = RuleHit(intent="out_of_office", rule="auto_reply_flag", evidence="auto_reply")
    if hit is None:
        return None
    until = dates.find_return(text[position:], lex.dates, occurred_at, tz) or dates.find_return(
        text, lex.dates, occurred_at, tz
    )
    return RuleHit(intent=hit.intent, rule=hit.rule, evidence=hit.evidence, until=until)


def warm_up() -> None:
    """Load the language model and every language's date data now, not on the first message."""
    sent = datetime(2026, 1, 5, 12, 0, tzinfo=ZoneInfo("UTC"))
    for body in (
        "Sorry, I'll send it by 3 December.",
        "Perdona, te lo envío el 3 de diciembre.",
        "Entschuldigung, ich schicke es bis 3. Dezember.",
        "Désolé, je vous l'envoie le 3 décembre.",
        "Desculpe, envio até 3 de dezembro.",
    ):
        classify_message(body=body, subject=None, occurred_at=sent, tz=ZoneInfo("UTC"))
