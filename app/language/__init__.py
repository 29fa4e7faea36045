"""Message classification: language, intents with evidence, due times and return dates.

The layer between the facts (`events`) and the derivations (`scoring`): it imports only the
standard library, its own modules and third-party libraries, so both can use it.

Public API:
    classify_message(*, body, subject, occurred_at, tz, auto_reply=False, language=None)
        -> Classification(language, intents_available, intents: tuple[IntentMatch, ...])
    explain(...) -> Explanation(language, intents_available, hits: tuple[RuleHit, ...])
    detect_language(text) -> Detected(language, supported)
    extract_own_words(body) -> str
    auto_reply_subject(subject) -> str | None
    warm_up() -> None  (load the language model and date data at startup)
    IntentMatch, Classification, INTENTS, SUPPORTED_LANGUAGES, MAX_CHARS, MAX_SUBJECT_CHARS
"""

from app.language.autoreply import auto_reply_subject
from app.language.classify import Explanation, RuleHit, classify_message, explain, warm_up
from app.language.detect import Detected, detect_language
from app.language.replies import extract_own_words
from app.language.text import MAX_CHARS, MAX_SUBJECT_CHARS
from app.language.types import INTENTS, SUPPORTED_LANGUAGES, Classification, IntentMatch

__all__ = [
    "INTENTS",
    "MAX_CHARS",
    "MAX_SUBJECT_CHARS",
    "SUPPORTED_LANGUAGES",
    "Classification",
    "Detected",
    "Explanation",
    "IntentMatch",
    "RuleHit",
    "auto_reply_subject",
    "classify_message",
    "detect_language",
    "explain",
    "extract_own_words",
    "warm_up",
]
