"""Odd payloads with valid signatures: never a 5xx, and nothing half-stored."""

import json
import time
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import OrgContext, make_org
from tests.integrations.conftest import (
    Connection,
    ashby_headers,
    calendly_headers,
    connect,
    greenhouse_headers,
    hex_hmac,
    post_json,
    twilio_post,
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=15), children, max_size=5)
    ),
    max_leaves=25,
)
KEYS = st.sampled_from(
    [
        "action",
        "payload",
        "application",
        "candidate",
        "interview",
        "id",
        "start",
        "status",
        "event",
        "data",
        "email",
        "uri",
        "scheduled_event",
        "start_time",
        "interviewSchedule",
        "interviewEvents",
    ]
)
shaped = st.recursive(
    json_values,
    lambda children: st.dictionaries(KEYS, children, max_size=6),
    max_leaves=30,
)
ACTIONS = st.sampled_from(
    [
        "candidate_stage_change",
        "hire_candidate",
        "delete_candidate",
        "interview_deleted",
        "interview_created",
        "candidateStageChange",
        "interviewScheduleCreate",
        "candidateDelete",
        "invitee.created",
        "invitee.canceled",
        "invitee_no_show.created",
        "ping",
    ]
)


INTERNAL = ("The delivery could not be applied.", "The payload could not be read.")


def check(response: Any) -> None:
    """2xx, and not because our own code failed on the payload."""
    assert response.status_code in (200, 202), response.text
    assert response.json()["detail"] not in INTERNAL, response.text


class Fuzz:
    org: OrgContext | None = None
    connections: dict[str, Connection] = {}


def setup(client: TestClient, engine: Any) -> dict[str, Connection]:
    if Fuzz.org is None:
        Fuzz.org = make_org(engine, name="Fuzz Org")
        Fuzz.connections = {
            p: connect(client, Fuzz.org, p, f"{p}-fuzz-secret")
            for p in ("greenhouse", "ashby", "calendly", "twilio", "email", "lever")
        }
    return Fuzz.connections


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(action=ACTIONS, payload=shaped, data=shaped)
def test_signed_json_payloads_never_5xx(
    client: TestClient, engine: Any, action: str, payload: Any, data: Any
) -> None:
    connections = setup(client, engine)
    document = {"action": action, "event": action, "payload": payload, "data": data}
    body = json.dumps(document).encode()
    for provider, headers in (
        ("greenhouse", greenhouse_headers("greenhouse-fuzz-secret", body)),
        ("ashby", ashby_headers("ashby-fuzz-secret", body)),
        ("calendly", calendly_headers("calendly-fuzz-secret", body)),
    ):
        response = post_json(client, connections[provider], body, headers)
        check(response)
    token, at = "tok", int(time.time() * 1000)
    lever = {
        **document,
        "token": f"{token}{hash(body)}",
        "triggeredAt": at,
    }
    lever["signature"] = hex_hmac("lever-fuzz-secret", f"{lever['token']}{at}".encode())
    check(post_json(client, connections["lever"], lever, {}))


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=st.binary(max_size=400), header=st.text(max_size=60))
def test_raw_mail_bytes_never_5xx(client: TestClient, engine: Any, raw: bytes, header: str) -> None:
    connection = setup(client, engine)["email"]
    safe = header.replace("\r", " ").replace("\n", " ")
    message = (
        f"From: {safe}\r\nTo: x@y.example\r\nSubject: {safe}\r\n\r\n".encode("utf-8", "replace")
        + raw
    )
    for body in (raw, message):
        response = client.post(
            connection.path,
            content=body,
            headers={
                "Content-Type": "message/rfc822",
                "Authorization": f"Bearer {connection.secret}",
            },
        )
        check(response)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    params=st.dictionaries(
        st.sampled_from(
            [
                "CallSid",
                "CallStatus",
                "Direction",
                "To",
                "From",
                "Timestamp",
                "AnsweredBy",
                "ToCountry",
            ]
        ),
        st.text(max_size=30),
        max_size=8,
    )
)
def test_twilio_params_never_5xx(client: TestClient, engine: Any, params: dict[str, str]) -> None:
    connection = setup(client, engine)["twilio"]
    clean = {k: v.replace("\x00", "") for k, v in params.items()}
    check(twilio_post(client, connection, clean, secret="twilio-fuzz-secret"))


def test_nul_and_lone_surrogates_in_json_are_stored_cleanly(
    client: TestClient, engine: Any
) -> None:
    connections = setup(client, engine)
    body = (
        b'{"action":"candidate_stage_change","webhookActionId":"\\u0000x",'
        b'"payload":{"application":{"id":"\\ud800","current_stage":{"name":"A\\u0000B"},'
        b'"candidate":{"id":"\\u0000\\ud800z","first_name":"N\\u0000\\udfff","email_addresses":'
        b'[{"value":"x\\u0000@example.org"}]}}},'
        b'"data":{"application":{"candidate":{"id":"\\ud800","name":"\\u0000"}}}}'
    )
    for provider, headers in (
        ("greenhouse", greenhouse_headers("greenhouse-fuzz-secret", body)),
        ("ashby", ashby_headers("ashby-fuzz-secret", body)),
    ):
        check(post_json(client, connections[provider], body, headers))
