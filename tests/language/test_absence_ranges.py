"""A stated absence as a bare date range, in every supported language (contract §3, §4).

"I'm out 16-27 Nov" is an `out_of_office` whose `until` is the first day back: the next
working day after the range's last day (as for "through X"), unless the message names the day
back. Two dates in one ordinary sentence, or a range of availability, are no absence.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from app.language import classify_message, explain

# Friday 13 November 2026; 27 November is a Friday, so the first day back is Monday 30.
SENT = datetime(2026, 11, 13, 10, 0, tzinfo=UTC)
ZONES = {
    "en": ZoneInfo("Europe/London"),
    "es": ZoneInfo("Europe/Madrid"),
    "de": ZoneInfo("Europe/Berlin"),
    "fr": ZoneInfo("Europe/Paris"),
    "pt": ZoneInfo("America/Sao_Paulo"),
}


def absence(text: str, language: str) -> tuple[str | None, dict[str, date | None]]:
    tz = ZONES[language]
    found = classify_message(body=text, subject=None, occurred_at=SENT, tz=tz)
    return found.language, {
        m.intent: (m.until.astimezone(tz).date() if m.until else None) for m in found.intents
    }


@pytest.mark.parametrize(
    ("text", "language", "back"),
    [
        ("I'm out 16\u201327 Nov", "en", date(2026, 11, 30)),
        ("I'm out 16-27 Nov", "en", date(2026, 11, 30)),
        ("Off 16-27 November, back on the 30th", "en", date(2026, 11, 30)),
        ("I'm away from 3 to 12 December", "en", date(2026, 12, 14)),
        ("I'll be on holiday between 16 and 27 November.", "en", date(2026, 11, 30)),
        ("I'm out of town 16/11 - 27/11.", "en", date(2026, 11, 30)),
        ("Heads-up that I'm away Dec 14-18, back on the 21st.", "en", date(2026, 12, 21)),
        ("Estoy fuera del 16 al 27 de noviembre", "es", date(2026, 11, 30)),
        ("Del 3 al 12 de diciembre estaré de vacaciones.", "es", date(2026, 12, 14)),
        ("Ich bin vom 16. bis 27. November nicht da", "de", date(2026, 11, 30)),
        ("Vom 16.11. bis 27.11. bin ich im Urlaub.", "de", date(2026, 11, 30)),
        ("Je suis absent du 16 au 27 novembre", "fr", date(2026, 11, 30)),
        ("Du 3 au 12 décembre, je serai en congé.", "fr", date(2026, 12, 14)),
        ("Estarei fora de 16 a 27 de novembro", "pt", date(2026, 11, 30)),
        ("Vou estar de férias do dia 3 ao dia 12 de dezembro.", "pt", date(2026, 12, 14)),
    ],
)
def test_a_bare_range_is_an_absence_until_the_next_working_day(
    text: str, language: str, back: date
) -> None:
    detected, intents = absence(text, language)
    assert detected == language
    assert intents == {"out_of_office": back}


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The interview is on 16 Nov, the offer by 27 Nov.", "en"),
        ("I'm available 16\u201327 Nov, any day works.", "en"),
        ("I was away 2-6 November, sorry for the silence.", "en"),
        ("La entrevista es el 16 de noviembre y la oferta el 27 de noviembre.", "es"),
        ("Estoy libre del 16 al 27 de noviembre.", "es"),
        ("Das Gespräch ist am 16. November, das Angebot kommt bis 27. November.", "de"),
        ("Ich habe vom 16. bis 27. November Zeit.", "de"),
        ("L'entretien est le 16 novembre, l'offre avant le 27 novembre.", "fr"),
        ("Je suis disponible du 16 au 27 novembre.", "fr"),
        ("A entrevista é dia 16 de novembro e a proposta até 27 de novembro.", "pt"),
        ("Estou disponível de 16 a 27 de novembro.", "pt"),
    ],
)
def test_two_dates_or_an_available_range_are_no_absence(text: str, language: str) -> None:
    _, intents = absence(text, language)
    assert "out_of_office" not in intents


def test_a_reply_that_states_a_range_keeps_what_it_says() -> None:
    tz = ZONES["en"]
    found = explain(
        body="Sorry for the slow reply! Thursday works. I'm away 16-27 Nov.",
        subject=None,
        occurred_at=SENT,
        tz=tz,
    )
    rules = {h.intent: h.rule for h in found.hits}
    assert rules == {"apology": "sorry", "scheduling": "works", "out_of_office": "away_range"}
    leave = next(h for h in found.hits if h.intent == "out_of_office")
    assert leave.evidence == "I'm away 16-27 Nov."
    assert leave.until == datetime(2026, 11, 30, 0, 0, tzinfo=tz)


def test_an_absence_notice_reads_its_range_too() -> None:
    _, intents = absence(
        "I am out of the office from 16 to 27 November with limited access to email.", "en"
    )
    assert intents == {"out_of_office": date(2026, 11, 30)}


def test_the_word_until_inside_a_range_is_the_range_not_a_return_date() -> None:
    # "bis 27.11." alone would mean back on the 27th; in "vom 16. bis 27.11." it ends the range.
    assert absence("Ich bin vom 16. bis 27.11. im Urlaub.", "de")[1] == {
        "out_of_office": date(2026, 11, 30)
    }
    assert absence("I'm away from 16 until 27 November.", "en")[1] == {
        "out_of_office": date(2026, 11, 30)
    }


def test_a_range_that_is_over_is_not_next_years_absence() -> None:
    later = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    found = classify_message(
        body="I'm away 16-27 Nov.", subject=None, occurred_at=later, tz=ZONES["en"]
    )
    assert [(m.intent, m.until) for m in found.intents] == [("out_of_office", None)]


def test_the_travel_words_of_a_range_are_the_absence_not_an_excuse() -> None:
    found = classify_message(
        body="Donnerstag passt. Zur Info: vom 3. bis 12. Dezember bin ich auf Dienstreise.",
        subject=None,
        occurred_at=SENT,
        tz=ZONES["de"],
    )
    assert {m.intent for m in found.intents} == {"scheduling", "out_of_office"}
