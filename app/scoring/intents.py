"""Classify one inbound message into intents, with the phrase that triggered each one.

Rules, not a model: every decision comes from a named pattern in a per-language phrase table
(`lexicon_en.py` for English), so a recruiter can always see *why* a message was read as an
apology or a promise (`explain`). Only the candidate's own words count: quoted earlier
messages and signatures are removed first (`extract_own_words`), with `mail-parser-reply`
doing the reply split and our own rules catching what it misses.

Pipeline for one message:

    body ──▶ extract_own_words ──▶ own text ─┐
    subject (unless "Re:"/"Fwd:") ───────────┼─▶ per intent: first rule match that is not
                                             │   blocked, negated or addressed to "you"
    auto_reply flag, OOO subject ────────────┘─▶ out_of_office (+ return date)
                                                 commitment (+ deadline)

Deadlines and return dates are read in the candidate's time zone and returned in UTC.
"""

import re
from bisect import bisect_left
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from types import ModuleType
from zoneinfo import ZoneInfo

from app.events.domain import INTENTS, IntentMatch
from app.scoring import lexicon_en

MAX_CHARS = 20_000
MAX_SUBJECT_CHARS = 1_000
MAX_HORIZON = timedelta(days=731)
DEADLINE_TIME = time(17, 0)
TONIGHT_TIME = time(23, 59)
_NEGATION_WORDS = 4
_EVIDENCE_MAX = 90
_MAX_PROMISES = 10

# A literal space in a lexicon pattern: some whitespace, at most one line break.
_WS = r"(?:[ \t\u00a0]*\n[ \t\u00a0]*|[ \t\u00a0]+)"
_FLAGS = re.IGNORECASE | re.MULTILINE
_REPLY_PREFIX = re.compile(r"^\s*(?:re|fw|fwd|aw|sv|antw|wg)\s*(?:\[\d+\])?\s*:", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n\s*\n")
_WORD = re.compile(r"[\w']+")


def _phrase(pattern: str) -> str:
    return r"(?<![\w'])(?:" + pattern.replace(" ", _WS) + r")(?![\w'])"


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(_phrase(pattern), _FLAGS)


def _compile_any(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{p})" for p in patterns), _FLAGS)


@dataclass(frozen=True)
class Rule:
    """One named pattern that signals an intent."""

    intent: str
    name: str
    regex: re.Pattern[str]


@dataclass(frozen=True)
class Lexicon:
    """The compiled phrase tables of one language."""

    language: str
    rules: tuple[Rule, ...]
    blockers: Mapping[str, re.Pattern[str]]
    negation: re.Pattern[str]
    negatable: frozenset[str]
    clause_break: re.Pattern[str]
    exclude_before: Mapping[str, re.Pattern[str]]
    subject_ooo: re.Pattern[str]
    promise: re.Pattern[str]
    promise_soft: re.Pattern[str]
    promise_blockers: re.Pattern[str]
    weekdays: Mapping[str, int]
    months: Mapping[str, int]
    numbers: Mapping[str, int]
    date_with_month: re.Pattern[str]
    iso_date: re.Pattern[str]
    next_weekday: re.Pattern[str]
    bare_weekday: re.Pattern[str]
    tomorrow: re.Pattern[str]
    tonight: re.Pattern[str]
    today: re.Pattern[str]
    end_of_week: re.Pattern[str]
    next_week: re.Pattern[str]
    in_days: re.Pattern[str]
    in_hours: re.Pattern[str]
    ooo_return: re.Pattern[str]
    ooo_through: re.Pattern[str]
    quote_headers: re.Pattern[str]
    signature_delimiters: re.Pattern[str]
    valediction_line: re.Pattern[str]
    valediction_named: re.Pattern[str]


def build_lexicon(language: str, table: ModuleType) -> Lexicon:
    """Compile a language's phrase module (shaped like `lexicon_en`) into a `Lexicon`."""
    rules = tuple(
        Rule(intent=intent, name=name, regex=_compile(pattern))
        for intent, named in table.RULES.items()
        for name, pattern in named.items()
    )
    blockers = {
        intent: compiled
        for intent, patterns in table.BLOCKERS.items()
        if (compiled := _compile_any(tuple(_phrase(p) for p in patterns))) is not None
    }
    promise = (
        rf"(?:{table.PROMISE_SUBJECT}) (?:{table.PROMISE_ADVERBS} ){{0,3}}(?:{table.PROMISE_VERB})"
        rf"|{table.PROMISE_YOU}"
    )
    valediction = table.VALEDICTIONS.replace(" ", _WS)
    return Lexicon(
        language=language,
        rules=rules,
        blockers=blockers,
        negation=re.compile(table.NEGATION, _FLAGS),
        negatable=frozenset(table.NEGATABLE),
        clause_break=re.compile(table.CLAUSE_BREAK, _FLAGS),
        exclude_before={k: re.compile(v, _FLAGS) for k, v in table.EXCLUDE_BEFORE.items()},
        subject_ooo=re.compile(table.SUBJECT_OOO, _FLAGS),
        promise=_compile(promise),
        promise_soft=_compile(table.PROMISE_SOFT),
        promise_blockers=re.compile(
            "|".join(f"(?:{p.replace(' ', _WS)})" for p in table.PROMISE_BLOCKERS), _FLAGS
        ),
        weekdays=table.WEEKDAYS,
        months=table.MONTHS,
        numbers=table.NUMBERS,
        date_with_month=_compile(table.DATE_WITH_MONTH),
        iso_date=re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b"),
        next_weekday=_compile(table.NEXT_WEEKDAY),
        bare_weekday=_compile(table.BARE_WEEKDAY),
        tomorrow=_compile(table.TOMORROW),
        tonight=_compile(table.TONIGHT),
        today=_compile(table.TODAY),
        end_of_week=_compile(table.END_OF_WEEK),
        next_week=_compile(table.NEXT_WEEK),
        in_days=_compile(table.IN_DAYS),
        in_hours=_compile(table.IN_HOURS),
        ooo_return=_compile(table.OOO_RETURN),
        ooo_through=_compile(table.OOO_THROUGH),
        quote_headers=re.compile("|".join(f"(?:{p})" for p in table.QUOTE_HEADERS), _FLAGS),
        signature_delimiters=re.compile(
            "|".join(f"(?:{p})" for p in table.SIGNATURE_DELIMITERS), _FLAGS
        ),
        valediction_line=re.compile(rf"^\s*(?:{valediction})\s*[,.!]*\s*$", re.IGNORECASE),
        valediction_named=re.compile(
            rf"^\s*(?i:{valediction})\s*,\s*[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*)?\s*$"
        ),
    )


LEXICONS: dict[str, Lexicon] = {"en": build_lexicon("en", lexicon_en)}


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


def classify_message(
    *,
    body: str | None,
    subject: str | None,
    occurred_at: datetime,
    tz: ZoneInfo,
    auto_reply: bool = False,
    language: str = "en",
) -> list[IntentMatch]:
    """Return the intents of one inbound message with their evidence phrases."""
    hits = explain(
        body=body,
        subject=subject,
        occurred_at=occurred_at,
        tz=tz,
        auto_reply=auto_reply,
        language=language,
    )
    return [hit.to_match() for hit in hits]


def explain(
    *,
    body: str | None,
    subject: str | None,
    occurred_at: datetime,
    tz: ZoneInfo,
    auto_reply: bool = False,
    language: str = "en",
) -> list[RuleHit]:
    """Return one hit per intent found, naming the rule that matched, in `INTENTS` order."""
    lex = LEXICONS.get(language, LEXICONS["en"])
    own = extract_own_words(body or "", lex)
    subject_text = _normalise(subject or "")[:MAX_SUBJECT_CHARS]
    if subject_text and not _REPLY_PREFIX.match(subject_text):
        text = subject_text + "\n\n" + own
    else:
        text = own
    originals = (body or "", subject or "")
    local_day = occurred_at.astimezone(tz).date()

    found: dict[str, RuleHit] = {}
    for intent in INTENTS:
        if intent == "commitment":
            hit = _find_commitment(text, lex, occurred_at, tz, local_day)
        elif intent == "out_of_office":
            hit = _find_ooo(text, subject_text, auto_reply, lex, tz, local_day)
        else:
            hit = _find_intent(intent, text, lex)
        if hit is not None:
            found[intent] = hit
    if "out_of_office" in found:
        # An absence notice is not a reply: its thanks, "limited access" or "I will respond on
        # my return" are the notice's boilerplate, not the candidate's intents.
        found = {"out_of_office": found["out_of_office"]}
    return [
        RuleHit(
            intent=h.intent,
            rule=h.rule,
            evidence=_in_original(h.evidence, originals),
            due_at=h.due_at,
            until=h.until,
        )
        for h in found.values()
    ]


# --- own words ---------------------------------------------------------------------------


_HSPACE = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r" ?\n(?: ?\n)+ ?")
_LINE_BREAK = re.compile(r" ?\n ?")


def _normalise(text: str) -> str:
    r"""Unify quotes and line ends and collapse every whitespace run to " ", "\n" or "\n\n".

    Bounded whitespace runs keep every pattern's `\s`-style repetition short, so matching
    stays linear in the length of the text whatever the input (a body of 100k newlines).
    """
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _HSPACE.sub(" ", text)
    text = _BLANK_LINES.sub("\n\n", text)
    return _LINE_BREAK.sub("\n", text)


def extract_own_words(body: str, lex: Lexicon | None = None) -> str:
    """Return the candidate's own words: no quoted replies, forwarded parts or signature."""
    lex = lex or LEXICONS["en"]
    text = _normalise(body)[:MAX_CHARS]
    if not text.strip():
        return ""
    return _strip_fallback(text, lex)


def _strip_fallback(text: str, lex: Lexicon) -> str:
    header = lex.quote_headers.search(text)
    if header is not None:
        before = text[: header.start()]
        text = before if before.strip() else text[header.end() :]
    lines = [line for line in text.split("\n") if not line.lstrip().startswith(">")]
    text = "\n".join(lines)
    delimiter = lex.signature_delimiters.search(text)
    if delimiter is not None:
        text = text[: delimiter.start()]
    return _strip_valediction(text.strip().split("\n"), lex).strip()


def _strip_valediction(lines: list[str], lex: Lexicon) -> str:
    """Drop a closing ("Best,") and the short name block after it at the end of the text."""
    content = [i for i, line in enumerate(lines) if line.strip()]
    if not content:
        return ""
    last = content[-1]
    if last != content[0] and lex.valediction_named.match(lines[last]):
        return "\n".join(lines[:last])
    for position in reversed(content[1:]):
        tail = [lines[i] for i in content if i > position]
        if len(tail) > 6 or any(len(line) > 80 or len(line.split()) > 8 for line in tail):
            break
        if lex.valediction_line.match(lines[position]):
            return "\n".join(lines[:position])
    return "\n".join(lines)


def _in_original(evidence: str, originals: tuple[str, ...]) -> str:
    """Return the evidence as it is written in the input (quotes and line breaks included)."""
    tokens = evidence.split()
    if not tokens:
        return evidence
    pattern = r"\s+".join(re.escape(t).replace("'", "['\u2018\u2019]") for t in tokens)
    for original in originals:
        found = re.search(pattern, original[: MAX_CHARS + 1000], re.IGNORECASE)
        if found is not None:
            return found.group()
    return evidence


# --- generic intents -------------------------------------------------------------------


def _find_intent(intent: str, text: str, lex: Lexicon) -> RuleHit | None:
    blocked = _blocked_spans(lex.blockers.get(intent), text)
    best: tuple[int, RuleHit] | None = None
    for rule in lex.rules:
        if rule.intent != intent:
            continue
        for match in rule.regex.finditer(text):
            start, end = _trim(match)
            if start >= end or _overlaps(start, end, blocked):
                continue
            if _cancelled(intent, text, start, lex):
                continue
            if best is None or start < best[0]:
                best = (start, RuleHit(intent=intent, rule=rule.name, evidence=text[start:end]))
            break
    return best[1] if best else None


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
    text: str, lex: Lexicon, occurred_at: datetime, tz: ZoneInfo, local_day: date
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
        found = _parse_deadline(after, lex, occurred_at, tz, local_day)
        evidence = text[start:end]
        due: datetime | None = None
        if found is not None:
            due, span_end = found
            if span_end <= _EVIDENCE_MAX:
                evidence = text[start : end + span_end]
        elif (before_found := _parse_deadline(before, lex, occurred_at, tz, local_day)) is not None:
            due = before_found[0]
        hits.append(RuleHit(intent="commitment", rule="promise", evidence=evidence, due_at=due))
    if not hits:
        return None
    dated = [h for h in hits if h.due_at is not None]
    return min(dated, key=lambda h: h.due_at or occurred_at) if dated else hits[0]


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    sentence_start = 0
    for boundary in _SENTENCE_END.finditer(text, 0, start):
        sentence_start = boundary.end()
    following = _SENTENCE_END.search(text, end)
    return sentence_start, following.start() if following else len(text)


def _at(day: date, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def _next_weekday(local_day: date, weekday: int) -> date:
    return local_day + timedelta(days=(weekday - local_day.weekday()) % 7 or 7)


def _next_week_monday(local_day: date) -> date:
    return local_day - timedelta(days=local_day.weekday()) + timedelta(days=7)


def _month_date(match: re.Match[str], lex: Lexicon, local_day: date) -> date | None:
    month_name = match.group("mon1") or match.group("mon2")
    day_text = match.group("day1") or match.group("day2")
    month = lex.months.get(month_name.lower().rstrip("."))
    if month is None:
        return None
    try:
        found = date(local_day.year, month, int(day_text))
        return found if found >= local_day else date(local_day.year + 1, month, int(day_text))
    except ValueError:
        return None


def _weekday_of(match: re.Match[str], lex: Lexicon) -> int | None:
    return lex.weekdays.get(match.group("wd").lower())


def _count(match: re.Match[str], lex: Lexicon) -> int:
    raw = match.group("n").lower()
    if raw.isdigit():
        return int(raw) if len(raw) <= 5 else 10**6
    return lex.numbers.get(raw, 1)


DayParser = Callable[[re.Match[str]], date | None]


def _parse_deadline(
    text: str, lex: Lexicon, occurred_at: datetime, tz: ZoneInfo, local_day: date
) -> tuple[datetime, int] | None:
    """Find the first deadline expression in `text`: (UTC instant, end offset in text)."""
    friday = local_day + timedelta(days=4 - local_day.weekday())
    if local_day.weekday() > 4:
        friday += timedelta(days=7)

    def next_wd(m: re.Match[str]) -> date | None:
        wd = _weekday_of(m, lex)
        return None if wd is None else _next_week_monday(local_day) + timedelta(days=wd)

    def bare_wd(m: re.Match[str]) -> date | None:
        wd = _weekday_of(m, lex)
        return None if wd is None else _next_weekday(local_day, wd)

    ordered: list[tuple[re.Pattern[str], DayParser, time]] = [
        (lex.date_with_month, lambda m: _month_date(m, lex, local_day), DEADLINE_TIME),
        (lex.iso_date, _iso_date, DEADLINE_TIME),
        (lex.next_weekday, next_wd, DEADLINE_TIME),
        (lex.bare_weekday, bare_wd, DEADLINE_TIME),
        (lex.tomorrow, lambda m: local_day + timedelta(days=1), DEADLINE_TIME),
        (lex.tonight, lambda m: local_day, TONIGHT_TIME),
        (lex.end_of_week, lambda m: friday, DEADLINE_TIME),
        (lex.next_week, lambda m: _next_week_monday(local_day) + timedelta(days=4), DEADLINE_TIME),
        (lex.today, lambda m: local_day, DEADLINE_TIME),
        (lex.in_days, lambda m: local_day + timedelta(days=_count(m, lex)), DEADLINE_TIME),
    ]
    for regex, parse, at in ordered:
        match = regex.search(text)
        if match is None:
            continue
        try:
            day = parse(match)
            due = None if day is None else _at(day, at, tz)
        except (OverflowError, ValueError):  # "in 99999999999999999999 days"
            due = None
        if due is not None and _plausible(due, occurred_at):
            return due, match.end()
    hours = lex.in_hours.search(text)
    if hours is not None:
        try:
            due = occurred_at.astimezone(UTC) + timedelta(hours=_count(hours, lex))
        except OverflowError:
            return None
        if _plausible(due, occurred_at):
            return due, hours.end()
    return None


def _plausible(due: datetime, occurred_at: datetime) -> bool:
    """A due time or return date is read only within a day before to two years after sending."""
    return occurred_at - timedelta(days=1) <= due <= occurred_at + MAX_HORIZON


def _iso_date(match: re.Match[str]) -> date | None:
    try:
        return date(int(match.group("y")), int(match.group("m")), int(match.group("d")))
    except ValueError:
        return None


# --- out of office ---------------------------------------------------------------------


def _find_ooo(  # noqa: PLR0917
    text: str,
    subject: str,
    auto_reply: bool,
    lex: Lexicon,
    tz: ZoneInfo,
    local_day: date,
) -> RuleHit | None:
    hit: RuleHit | None = None
    position = 0
    subject_match = lex.subject_ooo.search(subject) if subject else None
    for rule in lex.rules:
        if rule.intent != "out_of_office":
            continue
        match = rule.regex.search(text)
        if match is not None and (hit is None or match.start() < position):
            start, end = _trim(match)
            hit = RuleHit(intent="out_of_office", rule=rule.name, evidence=text[start:end])
            position = start
    if hit is None and subject_match is not None:
        hit = RuleHit(intent="out_of_office", rule="subject", evidence=subject_match.group())
    if hit is None and auto_reply:
        hit = RuleHit(intent="out_of_office", rule="auto_reply_flag", evidence="auto_reply")
    if hit is None:
        return None
    until = _parse_return(text[position:], lex, tz, local_day) or _parse_return(
        text, lex, tz, local_day
    )
    return RuleHit(intent=hit.intent, rule=hit.rule, evidence=hit.evidence, until=until)


def _parse_return(text: str, lex: Lexicon, tz: ZoneInfo, local_day: date) -> datetime | None:
    for cue in lex.ooo_return.finditer(text):
        rest = text[cue.end() : cue.end() + 60]
        day = _return_day(rest, lex, local_day)
        if day is None or not local_day <= day <= local_day + MAX_HORIZON:
            continue
        if lex.ooo_through.fullmatch(cue.group().strip()):
            day += timedelta(days=1)
        return _at(day, time(0, 0), tz)
    return None


def _return_day(rest: str, lex: Lexicon, local_day: date) -> date | None:
    lead = re.match(r"^[\s,:]*(?:on |the )?", rest, re.IGNORECASE)
    rest = rest[lead.end() :] if lead else rest
    for regex in (lex.date_with_month, lex.iso_date):
        match = regex.match(rest)
        if match is not None:
            if regex is lex.iso_date:
                return _iso_date(match)
            return _month_date(match, lex, local_day)
    match = lex.next_weekday.match(rest)
    if match is not None:
        wd = _weekday_of(match, lex)
        return None if wd is None else _next_week_monday(local_day) + timedelta(days=wd)
    match = lex.bare_weekday.match(rest)
    if match is not None:
        wd = _weekday_of(match, lex)
        return None if wd is None else _next_weekday(local_day, wd)
    if lex.tomorrow.match(rest):
        return local_day + timedelta(days=1)
    if lex.next_week.match(rest):
        return _next_week_monday(local_day)
    return None
