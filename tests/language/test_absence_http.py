"""Through HTTP: absences stated as a date range pause the clocks in every supported language,
and an auto-reply in a language the classifier does not read is still not a reply.
"""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import OrgContext, create_candidate, unique

SILENCE = {"ghosting", "no_callback", "slow_reply"}
OUT_16_27_NOV = {
    "en": "I'm out 16\u201327 Nov",
    "es": "Estoy fuera del 16 al 27 de noviembre",
    "de": "Ich bin vom 16. bis 27. November nicht da",
    "fr": "Je suis absent du 16 au 27 novembre",
    "pt": "Estarei fora de 16 a 27 de novembro",
}


def t(day: int, hour: int = 9, minute: int = 0) -> str:
    return f"2026-11-{day:02d}T{hour:02d}:{minute:02d}:00+00:00"


def ev(direction: str, when: str, type_: str = "message", **fields: Any) -> dict[str, Any]:
    return {
        "external_id": unique("abs"),
        "direction": direction,
        "channel": "phone" if type_ == "call" else "email",
        "type": type_,
        "occurred_at": when,
        **fields,
    }


def load(client: TestClient, org: OrgContext, events: list[dict[str, Any]]) -> str:
    candidate = create_candidate(client, org, timezone="UTC")
    bodies = [dict(e, candidate_external_id=candidate["external_id"]) for e in events]
    response = client.post("/api/v1/events/batch", json={"events": bodies}, headers=org.headers)
    assert response.status_code == 200, response.text
    assert all(r["status"] == 201 for r in response.json()["results"]), response.text
    return str(candidate["id"])


def state(client: TestClient, org: OrgContext, cid: str, as_of: str) -> dict[str, Any]:
    params = {"as_of": as_of}
    got = client.get(f"/api/v1/candidates/{cid}", params=params, headers=org.headers)
    timeline = client.get(f"/api/v1/candidates/{cid}/timeline", params=params, headers=org.headers)
    assert got.status_code == 200 and timeline.status_code == 200
    result: dict[str, Any] = got.json()
    result["timeline"] = timeline.json()
    result["codes"] = {f["code"] for f in result["flags"]}
    return result


def chased_through_the_range(message: str) -> list[dict[str, Any]]:
    """The recruiter writes, the candidate sends `message`, then is chased while away."""
    return [
        ev("outbound", t(12), body="Could we set up a call next week?"),
        ev("inbound", t(13, 10), body=message),
        ev("outbound", t(16), body="Checking in about the call."),
        ev("outbound", t(18), body="Following up on my note."),
        ev("outbound", t(20), "call", outcome="voicemail"),
        ev("outbound", t(23), body="Any news?"),
    ]


@pytest.mark.parametrize("language", sorted(OUT_16_27_NOV))
def test_out_16_to_27_november_is_no_silence_during_the_range(
    client: TestClient, org: OrgContext, language: str
) -> None:
    cid = load(client, org, chased_through_the_range(OUT_16_27_NOV[language]))
    result = state(client, org, cid, t(27, 12))
    said = result["timeline"]["events"][1]
    assert said["language"] == language
    assert [(i["intent"], i.get("until")) for i in said["intents"]] == [
        ("out_of_office", "2026-11-30T00:00:00Z")
    ]
    assert not result["codes"] & SILENCE, result["codes"]
    assert result["next_action"]["due_at"] >= "2026-11-30T00:00:00Z"


def test_the_same_chase_without_an_absence_is_flagged(client: TestClient, org: OrgContext) -> None:
    cid = load(client, org, chased_through_the_range("Thanks, noted."))
    result = state(client, org, cid, t(27, 12))
    assert {"ghosting", "no_callback"} <= result["codes"]


NOTICES = {
    "it": (
        "Risposta automatica: Colloquio",
        "Grazie per il suo messaggio. Sono fuori ufficio fino al 3 dicembre con accesso limitato "
        "alla posta elettronica.",
    ),
    "nl": (
        "Automatisch antwoord: Sollicitatiegesprek",
        "Bedankt voor uw bericht. Ik ben afwezig tot en met 4 december en heb beperkt toegang tot "
        "mijn e-mail.",
    ),
    "pl": (
        "Automatyczna odpowiedź: Rozmowa kwalifikacyjna",
        "Dziękuję za wiadomość. Jestem poza biurem do 3 grudnia i mam ograniczony dostęp do "
        "poczty.",
    ),
    "sv": (
        "Automatiskt svar: Intervju",
        "Tack för ditt meddelande. Jag är inte på kontoret och har begränsad tillgång till min "
        "e-post.",
    ),
    "da": (
        "Automatisk svar: Jobsamtale",
        "Tak for din besked. Jeg er ikke på kontoret og har begrænset adgang til min e-mail.",
    ),
}


@pytest.mark.parametrize("language", sorted(NOTICES))
def test_an_unflagged_auto_reply_in_another_language_is_not_a_reply(
    client: TestClient, org: OrgContext, language: str
) -> None:
    subject, body = NOTICES[language]
    cid = load(
        client,
        org,
        [
            ev("outbound", t(2), body="Could you do Thursday at 10?", subject="Colloquio"),
            ev("inbound", t(2, 9, 5), subject=subject, body=body),
        ],
    )
    result = state(client, org, cid, t(3, 12))
    notice = result["timeline"]["events"][1]
    assert (notice["language"], notice["intents_available"]) == (language, False)
    assert [i["intent"] for i in notice["intents"]] == ["out_of_office"]
    assert notice["needs_reply"] is False
    [exchange] = result["timeline"]["exchanges"]
    assert exchange["open"] is True
    assert result["metrics"]["candidate_initiated"] == 0


def test_a_human_italian_reply_still_closes_the_exchange(
    client: TestClient, org: OrgContext
) -> None:
    cid = load(
        client,
        org,
        [
            ev("outbound", t(2), body="Could you do Thursday at 10?", subject="Colloquio"),
            ev(
                "inbound",
                t(2, 9, 40),
                subject="Re: Colloquio",
                body="Grazie mille, giovedì alle 10 va benissimo per me. A presto!",
            ),
        ],
    )
    result = state(client, org, cid, t(3, 12))
    reply = result["timeline"]["events"][1]
    assert (reply["language"], reply["intents_available"], reply["intents"]) == ("it", False, [])
    [exchange] = result["timeline"]["exchanges"]
    assert exchange["open"] is False
    assert exchange["responded_at"] == "2026-11-02T09:40:00Z"
