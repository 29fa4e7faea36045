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


# Short, very common words that tell the supported languages apart where character n-grams
# hesitate (Spanish and Portuguese above all: "Disculpe" / "Desculpe").
_MARKERS = {
    "en": r"the|and|you|i'm|i'll|thanks|sorry|will|with|for|this|that|my|please",
    "es": r"muy|estoy|estuve|gracias|pero|el|los|las|usted|perdón|perdona|disculpe|disculpa|ahora"
    r"|mañana|semana|también|puedo|tengo|hasta|qué|cómo|ñ\w*|\w*ción",
    "de": r"ich|und|nicht|der|die|das|ist|bin|sie|ihnen|danke|bitte|leider|für|mit|auch|noch",
    "fr": r"je|vous|pour|pas|les|est|suis|merci|avec|mais|très|désolé|désolée|bien|ça|c'est",
    "pt": r"não|você|estou|estive|obrigad[oa]|muito|também|então|está|são|desculpe|desculpa"
    r"|olá|oi|vou|tenho|fiquei|até|pelo|pela|semana|\w*ção|\w*ções|\w*ã\w*|\w*õ\w*",
}
_MARKER_RES = {
    code: re.compile(rf"(?<![\w'])(?:{words})(?![\w'])", re.IGNORECASE)
    for code, words in _MARKERS.items()
}
_MARKER_WEIGHT = 0.2


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
    ranked = identifier.rank(sample)  # one pass: the best language and every probability
    code = ranked[0][0]
    # Close languages share the identifier's confidence (Danish and Norwegian): what counts is
    # how sure it is that the text is in none of the supported languages.
    elsewhere = sum(float(p) for c, p in ranked if c not in SUPPORTED_LANGUAGES)
    if (
        code not in SUPPORTED_LANGUAGES
        and len(words) >= MIN_WORDS_UNSUPPORTED
        and elsewhere >= MIN_CONFIDENCE_UNSUPPORTED
    ):
        return Detected(language=code, supported=False)
    # Among the supported languages: the identifier's probability plus a small vote per
    # distinctive function word, which settles short or close calls.
    scores = dict.fromkeys(SUPPORTED_LANGUAGES, 0.0)
    for candidate, probability in ranked:
        if candidate in scores:
            scores[candidate] = float(probability)
    for candidate, markers in _MARKER_RES.items():
        scores[candidate] += _MARKER_WEIGHT * len(markers.findall(sample[:300]))
    return Detected(language=max(scores, key=lambda c: scores[c]), supported=True)
