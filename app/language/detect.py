"""Which language a message is written in (`py3langid`, its model ships in the wheel).

The identifier is restricted to the five supported languages plus the languages candidates
most often write in otherwise, so that an Italian or Dutch message is recognised as such
(and left unclassified) instead of being forced into the nearest supported language. Short
or ambiguous texts ("Merci !", "OK") are never declared unsupported: below a few words, or
when the identifier is unsure, the best supported language is taken.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

from app.language.types import SUPPORTED_LANGUAGES

OTHER_LANGUAGES = (
    "it", "nl", "pl", "sv", "da", "no", "fi", "tr", "ru", "uk", "cs", "ro", "hu", "el", "ca",
    "id", "ar", "he", "hi", "zh", "ja", "ko", "vi",
)  # fmt: skip
DETECT_CHARS = 1_000
MIN_WORDS_UNSUPPORTED = 4
MIN_CONFIDENCE_UNSUPPORTED = 0.9
_LETTERS = re.compile(r"[^\W\d_]{2,}")


@dataclass(frozen=True)
class Detected:
    """The detected language (ISO 639-1) and whether the classifier reads it."""

    language: str | None
    supported: bool


@lru_cache(maxsize=1)
def _identifier() -> LanguageIdentifier:
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages([*SUPPORTED_LANGUAGES, *OTHER_LANGUAGES])
    return identifier


def detect_language(text: str) -> Detected:
    """Detect the language of a message's own words (the first 1,000 characters)."""
    sample = text[:DETECT_CHARS]
    words = _LETTERS.findall(sample)
    if not words:
        return Detected(language=None, supported=True)
    identifier = _identifier()
    code, confidence = identifier.classify(sample)
    if code in SUPPORTED_LANGUAGES:
        return Detected(language=code, supported=True)
    if len(words) >= MIN_WORDS_UNSUPPORTED and confidence >= MIN_CONFIDENCE_UNSUPPORTED:
        return Detected(language=code, supported=False)
    for candidate, _ in identifier.rank(sample):
        if candidate in SUPPORTED_LANGUAGES:
            return Detected(language=candidate, supported=True)
    return Detected(language="en", supported=True)
