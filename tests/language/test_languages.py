"""Languages: detection, unsupported languages, dates and auto-replies in every language."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from app.language import (
    IntentMatch,
    auto_reply_subject,
    classify_message,
    detect_language,
    extract_own_words,
)
from tests.factories import OrgContext, create_candidate, event_body, post_event

NY = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
BERLIN = ZoneInfo("Europe/Berlin")
MADRID = ZoneInfo("Europe/Madrid")
PARIS = ZoneInfo("Europe/Paris")
LISBON = ZoneInfo("Europe/Lisbon")
FRIDAY = "2026-11-20T10:00:00"  # a Friday
TUESDAY = "2026-11-17T10:00:00"


def intents(
    body: str, tz: ZoneInfo, local: str = TUESDAY, subject: str | None = None
) -> dict[str, IntentMatch]:
    sent = datetime.fromisoformat(local).replace(tzinfo=tz)
    found = classify_message(body=body, subject=subject, occurred_at=sent, tz=tz)
    return {m.intent: m for m in found.intents}


def local(instant: datetime | None, tz: ZoneInfo) -> str:
    assert instant is not None
    return instant.astimezone(tz).strftime("%Y-%m-%d %H:%M")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sorry for the late reply, I was travelling all week.", "en"),
        ("Perdona el retraso, estuve de viaje toda la semana.", "es"),
        ("Entschuldigung für die späte Antwort, ich war die ganze Woche unterwegs.", "de"),
        ("Désolé pour le retard, j'étais en déplacement toute la semaine.", "fr"),
        ("Desculpe a demora, estive viajando a semana toda.", "pt"),
        ("Merci !", "fr"),
        ("Danke!", "de"),
    ],
)
def test_supported_languages_are_detected(text: str, expected: str) -> None:
    found = detect_language(text)
    assert (found.language, found.supported) == (expected, True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mi dispiace molto per il ritardo, vi mando il curriculum entro venerdì.", "it"),
        ("Sorry voor de late reactie, ik stuur het morgen op.", "nl"),
        ("Przepraszam za opóźnienie, wyślę dokumenty jutro rano.", "pl"),
    ],
)
def test_other_languages_get_no_intents_at_all(text: str, expected: str) -> None:
    sent = datetime.fromisoformat(TUESDAY).replace(tzinfo=BERLIN)
    found = classify_message(body=text, subject=None, occurred_at=sent, tz=BERLIN)
    assert (found.language, found.intents_available, found.intents) == (expected, False, ())


def test_short_or_empty_text_is_never_declared_unsupported() -> None:
    for text in ("OK", "👍", "", "12:30", "Ciao"):
        assert detect_language(text).supported, text


def test_the_same_promise_in_five_languages() -> None:
    cases = [
        ("Sorry for the delay. I'll send the references by Friday.", NY),
        ("Perdona el retraso. Te envío las referencias antes del viernes.", MADRID),
        (
            "Entschuldigung für die Verzögerung. Die Referenzen schicke ich Ihnen bis Freitag.",
            BERLIN,
        ),
        ("Désolé pour le retard. Je vous envoie les références d'ici vendredi.", PARIS),
        ("Desculpe a demora. Envio as referências até sexta.", LISBON),
    ]
    for body, tz in cases:
        found = intents(body, tz)
        assert set(found) == {"apology", "commitment"}, body
        assert local(found["commitment"].due_at, tz) == "2026-11-20 17:00", body


def test_a_weekday_written_on_that_weekday_means_today() -> None:
    for body, tz in (
        ("I'll send it by Friday.", NY),
        ("Ich schicke es Ihnen bis Freitag.", BERLIN),
        ("Je vous l'envoie vendredi.", PARIS),
    ):
        assert local(intents(body, tz, FRIDAY)["commitment"].due_at, tz) == "2026-11-20 17:00"


def test_numeric_dates_follow_the_writers_locale() -> None:
    body = "I'll send the portfolio by 12/11."
    sent = "2026-11-02T10:00:00"
    assert local(intents(body, NY, sent)["commitment"].due_at, NY) == "2026-12-11 17:00"
    assert local(intents(body, LONDON, sent)["commitment"].due_at, LONDON) == "2026-11-12 17:00"
    de = intents("Die Arbeitsprobe bekommen Sie bis spätestens 24.11.", BERLIN)
    assert local(de["commitment"].due_at, BERLIN) == "2026-11-24 17:00"


def test_day_of_month_times_and_relative_days() -> None:
    assert local(intents("I'll send it by the 15th.", NY)["commitment"].due_at, NY) == (
        "2026-12-15 17:00"
    )
    assert local(
        intents("Den Test schicke ich morgen bis 12 Uhr.", BERLIN)["commitment"].due_at, BERLIN
    ) == ("2026-11-18 12:00")
    assert local(
        intents("Pasado mañana tendrá los certificados.", MADRID)["commitment"].due_at, MADRID
    ) == ("2026-11-19 17:00")
    assert local(
        intents("Je rends l'exercice aujourd'hui avant 18 h.", PARIS)["commitment"].due_at, PARIS
    ) == ("2026-11-17 18:00")


@pytest.mark.parametrize(
    ("subject", "body", "tz", "back"),
    [
        ("Automatic reply", "I'm out of the office, back on 3 December.", LONDON, "2026-12-03"),
        ("Abwesenheitsnotiz", "Ich bin nicht im Büro und zurück am 03.12.", BERLIN, "2026-12-03"),
        (
            "Abwesenheitsnotiz",
            "Ich bin bis einschließlich 20.11. nicht im Büro.",
            BERLIN,
            "2026-11-23",
        ),
        (
            "Respuesta automática",
            "Estoy de vacaciones hasta el 4 de diciembre.",
            MADRID,
            "2026-12-04",
        ),
        ("Réponse automatique", "Je suis absente jusqu'au 7 décembre.", PARIS, "2026-12-07"),
        (
            "Resposta automática",
            "Estou de férias e retorno no dia 3 de dezembro.",
            LISBON,
            "2026-12-03",
        ),
    ],
)
def test_absence_notices_and_return_dates(subject: str, body: str, tz: ZoneInfo, back: str) -> None:
    found = intents(body, tz, subject=subject)
    assert set(found) == {"out_of_office"}
    assert local(found["out_of_office"].until, tz) == f"{back} 00:00"


def test_localised_auto_reply_subjects() -> None:
    for subject in (
        "Automatische Antwort: Bewerbung",
        "Abwesenheitsnotiz: AW: Termin",
        "Respuesta automática: RE: Entrevista",
        "Réponse automatique : Entretien",
        "Resposta automática: Re: Vaga",
        "Out of Office: Re: Interview",
        "Automatic reply: Documents",
    ):
        assert auto_reply_subject(subject), subject
    assert auto_reply_subject("Re: Interview next week") is None


def test_quotes_of_every_language_are_not_the_candidates_words() -> None:
    for body in (
        "Anbei.\n\nAm Mo., 16. Nov. 2026 um 14:03 Uhr schrieb Julia <j@x.de>:\n> Sorry!",
        "Adjunto.\n\nEl lun, 16 nov 2026 a las 14:03, Laura (<l@x.es>) escribió:\n> Perdona",
        "Ci-joint.\n\nLe lun. 16 nov. 2026 à 14:03, Claire <c@x.fr> a écrit :\n> Désolée",
        "Seguem.\n\nEm seg., 16 de nov. de 2026 às 14:03, Ana <a@x.br> escreveu:\n> Desculpe",
    ):
        assert "\n" not in extract_own_words(body)


def test_negation_in_each_language() -> None:
    assert "decline" not in intents("Ich ziehe meine Bewerbung nicht zurück.", BERLIN)
    assert "apology" not in intents("No hace falta que te disculpes.", MADRID)
    assert "commitment" not in intents(
        "Je ne suis pas en mesure de vous promettre le dossier d'ici vendredi.", PARIS
    )


def test_api_stores_language_and_unsupported_messages_have_no_intents(
    client: TestClient, org: OrgContext
) -> None:
    candidate = create_candidate(client, org, timezone="Europe/Rome")
    italian = post_event(
        client,
        org,
        event_body(
            candidate["external_id"],
            direction="inbound",
            body="Mi dispiace tanto per il ritardo, vi mando tutto entro venerdì.",
        ),
    )
    assert (italian["language"], italian["intents_available"], italian["intents"]) == (
        "it",
        False,
        [],
    )
    german = post_event(
        client,
        org,
        event_body(
            candidate["external_id"],
            direction="inbound",
            occurred_at="2026-11-03T10:00:00+00:00",
            body="Entschuldigung, ich schicke Ihnen alles bis Freitag.",
        ),
    )
    assert german["language"] == "de" and german["intents_available"] is True
    assert {i["intent"] for i in german["intents"]} == {"apology", "commitment"}
    outbound = post_event(
        client,
        org,
        event_body(
            candidate["external_id"], body="Any news?", occurred_at="2026-11-04T10:00:00+00:00"
        ),
    )
    assert (outbound["language"], outbound["intents_available"]) == (None, True)
    timeline = client.get(
        f"/api/v1/candidates/{candidate['id']}/timeline", headers=org.headers
    ).json()
    assert [(e["language"], e["intents_available"]) for e in timeline["events"]] == [
        ("it", False),
        ("de", True),
        (None, True),
    ]
