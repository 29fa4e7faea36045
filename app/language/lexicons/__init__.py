"""Per-language phrase tables, compiled once into `Lexicon` objects.

Each language is one module of plain data (`en.py`, `es.py`, `de.py`, `fr.py`, `pt.py`) with
the same names; `build_lexicon` compiles it. Patterns are regular expressions matched
case-insensitively with word boundaries added around them; a literal space stands for "one
whitespace character" (the text is normalised first, so whitespace runs are at most a line
break or a blank line long and every pattern stays linear in the text). Never put a space
inside a character class.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType

from app.language.lexicons import de, en, es, fr, pt

_WS = r"[ \n]"
_FLAGS = re.IGNORECASE | re.MULTILINE
_NEVER = r"(?!x)x"


def phrase(pattern: str) -> str:
    """Wrap a lexicon pattern with word boundaries and let its spaces match a line break."""
    return r"(?<![\w'])(?:" + pattern.replace(" ", _WS) + r")(?![\w'])"


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(phrase(pattern), _FLAGS)


def _any(patterns: tuple[str, ...] | list[str], *, wrap: bool = True) -> re.Pattern[str]:
    if not patterns:
        return re.compile(_NEVER)
    if wrap:
        inner = "|".join(f"(?:{p.replace(' ', _WS)})(?![\\w'])" for p in patterns)
        return re.compile(rf"(?<![\w'])(?:{inner})", _FLAGS)
    return re.compile("|".join(f"(?:{p})" for p in patterns), _FLAGS)


@dataclass(frozen=True)
class IntentRules:
    """All named patterns of one intent as one alternation (`lastgroup` names the rule)."""

    intent: str
    regex: re.Pattern[str]
    names: Mapping[str, str]


@dataclass(frozen=True)
class Lexicon:
    """The compiled phrase tables of one language."""

    language: str
    rules: Mapping[str, IntentRules]
    blockers: Mapping[str, re.Pattern[str]]
    negation: re.Pattern[str]
    negatable: frozenset[str]
    clause_break: re.Pattern[str]
    exclude_before: Mapping[str, re.Pattern[str]]
    promise: re.Pattern[str]
    promise_soft: re.Pattern[str]
    promise_blockers: re.Pattern[str]
    promise_needs_time: bool
    quote_headers: re.Pattern[str]
    signature_delimiters: re.Pattern[str]
    valediction_line: re.Pattern[str]
    valediction_named: re.Pattern[str]
    dates: "DateTables"


@dataclass(frozen=True)
class DateTables:
    """Date and time expressions of one language (see `app.language.dates`)."""

    language: str
    weekdays: Mapping[str, int]
    numbers: Mapping[str, int]
    date_with_month: re.Pattern[str]
    numeric_date: re.Pattern[str]
    ordinal_day: re.Pattern[str]
    next_weekday: re.Pattern[str]
    bare_weekday: re.Pattern[str]
    day_after_tomorrow: re.Pattern[str]
    tomorrow: re.Pattern[str]
    tonight: re.Pattern[str]
    today: re.Pattern[str]
    end_of_week: re.Pattern[str]
    next_week: re.Pattern[str]
    end_of_month: re.Pattern[str]
    in_days: re.Pattern[str]
    in_hours: re.Pattern[str]
    time_of_day: re.Pattern[str]
    ooo_return: re.Pattern[str]
    ooo_until: re.Pattern[str]
    ooo_inclusive: re.Pattern[str]
    ooo_range: re.Pattern[str]


_NUMERIC_DATE = r"(?P<a>\d{1,2})[./](?P<b>\d{1,2})(?:[./](?P<y>\d{4}|\d{2})(?!\d))?\.?"


def _dates(language: str, table: ModuleType) -> DateTables:
    def get(name: str) -> str:
        value: str = getattr(table, name, _NEVER)
        return value

    return DateTables(
        language=language,
        weekdays=table.WEEKDAYS,
        numbers=table.NUMBERS,
        date_with_month=_compile(get("DATE_WITH_MONTH")),
        numeric_date=re.compile(r"(?<![\w./])" + _NUMERIC_DATE + r"(?![\w/])", _FLAGS),
        ordinal_day=_compile(get("ORDINAL_DAY")),
        next_weekday=_compile(get("NEXT_WEEKDAY")),
        bare_weekday=_compile(get("BARE_WEEKDAY")),
        day_after_tomorrow=_compile(get("DAY_AFTER_TOMORROW")),
        tomorrow=_compile(get("TOMORROW")),
        tonight=_compile(get("TONIGHT")),
        today=_compile(get("TODAY")),
        end_of_week=_compile(get("END_OF_WEEK")),
        next_week=_compile(get("NEXT_WEEK")),
        end_of_month=_compile(get("END_OF_MONTH")),
        in_days=_compile(get("IN_DAYS")),
        in_hours=_compile(get("IN_HOURS")),
        time_of_day=_compile(get("TIME_OF_DAY")),
        ooo_return=_compile(get("OOO_RETURN")),
        ooo_until=_compile(get("OOO_UNTIL")),
        ooo_inclusive=_compile(get("OOO_INCLUSIVE")),
        ooo_range=_compile(get("OOO_RANGE")),
    )


def _unnamed(pattern: str) -> str:
    """Drop the group names a shared piece (a date range) brings into a rule."""
    return _GROUP_NAME.sub("(?:", pattern)


_GROUP_NAME = re.compile(r"\(\?P<\w+>")


def build_lexicon(language: str, table: ModuleType) -> Lexicon:
    """Compile a language's phrase module into a `Lexicon`."""
    rules: dict[str, IntentRules] = {}
    for intent, named in table.RULES.items():
        groups = {f"r{i}": name for i, name in enumerate(named)}
        # One word-start check for the whole alternation: positions inside a word fail once,
        # not once per rule (most of the cost of scanning a message).
        alternation = "|".join(
            f"(?P<r{i}>(?:{_unnamed(pattern).replace(' ', _WS)}))(?![\\w'])"
            for i, pattern in enumerate(named.values())
        )
        regex = re.compile(rf"(?<![\w'])(?:{alternation})", _FLAGS)
        rules[intent] = IntentRules(intent, regex, groups)
    blockers = {intent: _any(patterns) for intent, patterns in table.BLOCKERS.items() if patterns}
    promise = getattr(table, "PROMISE", None) or (
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
        promise=_compile(promise),
        promise_soft=_compile(table.PROMISE_SOFT),
        promise_blockers=_any(table.PROMISE_BLOCKERS, wrap=False),
        promise_needs_time=getattr(table, "PROMISE_NEEDS_TIME", False),
        quote_headers=_any(table.QUOTE_HEADERS, wrap=False),
        signature_delimiters=_any(table.SIGNATURE_DELIMITERS, wrap=False),
        valediction_line=re.compile(rf"^ ?(?:{valediction}) ?[,.!]* ?$", re.IGNORECASE),
        valediction_named=re.compile(
            rf"^ ?(?i:{valediction}) ?, ?[A-ZÀ-Þ][\w.'-]*(?: [A-ZÀ-Þ][\w.'-]*)? ?$"
        ),
        dates=_dates(language, table),
    )


LEXICONS: dict[str, Lexicon] = {
    module.LANGUAGE: build_lexicon(module.LANGUAGE, module) for module in (en, es, de, fr, pt)
}
