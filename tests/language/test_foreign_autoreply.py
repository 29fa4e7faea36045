"""Auto-reply subjects of languages the classifier does not read (`autoreply.OTHER_LANGUAGES`)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from app.language import auto_reply_subject, classify_message

SENT = datetime(2026, 11, 13, 10, 0, tzinfo=UTC)
BODY = {
    "it": "Grazie per il suo messaggio. Sono fuori ufficio fino al 3 dicembre.",
    "nl": "Bedankt voor uw bericht. Ik ben afwezig tot en met 4 december.",
    "pl": "Dziękuję za wiadomość. Jestem poza biurem do 3 grudnia.",
    "sv": "Tack för ditt meddelande. Jag är tillbaka den 3 december.",
    "da": "Tak for din besked. Jeg er tilbage den 3. december og svarer derefter.",
}


@pytest.mark.parametrize(
    ("subject", "language"),
    [
        ("Risposta automatica: Colloquio", "it"),
        ("Fuori ufficio", "it"),
        ("Automatisch antwoord: Sollicitatie", "nl"),
        ("Afwezig", "nl"),
        ("Automatyczna odpowiedź: Rozmowa", "pl"),
        ("Poza biurem", "pl"),
        ("Automatiskt svar: Intervju", "sv"),
        ("Frånvaromeddelande", "sv"),
        ("Automatisk svar: Jobsamtale", "da"),
        ("Fraværende", "da"),
    ],
)
def test_a_foreign_auto_reply_subject_makes_the_notice_and_nothing_else(
    subject: str, language: str
) -> None:
    assert auto_reply_subject(subject) is not None
    found = classify_message(
        body=BODY[language], subject=subject, occurred_at=SENT, tz=ZoneInfo("UTC")
    )
    assert (found.language, found.intents_available) == (language, False)
    assert [(m.intent, m.until) for m in found.intents] == [("out_of_office", None)]


@pytest.mark.parametrize(
    "subject",
    [
        None,
        "Colloquio di giovedì",
        "Re: Risposta automatica: Colloquio",  # a person answering a notice
        "Sono fuori? No, sono in ufficio giovedì",  # not one of the notice phrases
    ],
)
def test_other_foreign_messages_get_no_intents(subject: str | None) -> None:
    found = classify_message(
        body="Grazie mille, giovedì alle 10 va benissimo per me. A presto!",
        subject=subject,
        occurred_at=SENT,
        tz=ZoneInfo("Europe/Rome"),
    )
    assert (found.language, found.intents_available, found.intents) == ("it", False, ())


@pytest.mark.parametrize(
    "subject", ["Interview next week", "Assessment centre", "Afternoon slot", "Podcast"]
)
def test_subjects_in_supported_languages_are_not_taken_for_foreign_notices(subject: str) -> None:
    assert auto_reply_subject(subject) is None
