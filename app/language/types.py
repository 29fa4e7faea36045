"""The plain values the classifier hands to the layers above (events, scoring).

Defined here, at the bottom of the classification layer, so the facts (`events`) and the
derivations (`scoring`) both import them from one place and never from each other.
"""

from dataclasses import dataclass
from datetime import datetime

INTENTS = (
    "apology",
    "excuse",
    "assurance",
    "thanks",
    "decline",
    "scheduling",
    "commitment",
    "out_of_office",
)
SUPPORTED_LANGUAGES = ("en", "es", "de", "fr", "pt")


@dataclass(frozen=True)
class IntentMatch:
    """One intent found in a message, with the phrase that triggered it.

    `due_at` is set for a `commitment` with a parsed deadline; `until` for an `out_of_office`
    with a stated return date (the instant the absence ends).
    """

    intent: str
    evidence: str
    due_at: datetime | None = None
    until: datetime | None = None

    def to_dict(self) -> dict[str, str | None]:
        out: dict[str, str | None] = {"intent": self.intent, "evidence": self.evidence}
        if self.due_at is not None:
            out["due_at"] = self.due_at.isoformat()
        if self.until is not None:
            out["until"] = self.until.isoformat()
        return out

    @classmethod
    def from_dict(cls, raw: dict[str, str | None]) -> "IntentMatch":
        due, until = raw.get("due_at"), raw.get("until")
        return cls(
            intent=str(raw["intent"]),
            evidence=str(raw.get("evidence") or ""),
            due_at=datetime.fromisoformat(due) if due else None,
            until=datetime.fromisoformat(until) if until else None,
        )


@dataclass(frozen=True)
class Classification:
    """What one inbound message says: its language and, if that language is supported, intents.

    `language` is an ISO 639-1 code, or None when the text has too few letters to tell.
    `intents_available` is False for a language the classifier does not read; `intents` is then
    empty, so no intent-based signal (positive or negative) comes from the message.
    """

    language: str | None
    intents_available: bool
    intents: tuple[IntentMatch, ...]
