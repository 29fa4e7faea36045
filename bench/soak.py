"""Faults with nothing lost: clients post events through HTTP while PostgreSQL dies and returns.

    python -m bench.soak [--cluster soak --version 15 --port 5433 --duration 60 --clients 16]

Two uvicorn processes serve one database. `--clients` threads post unique events (each to
both servers in turn) for `--duration` seconds and retry the same event on a 5xx, a timeout
or a refused connection until it is acknowledged (201, or 200 for a replay). At `--outage-at`
seconds PostgreSQL is stopped with `pg_ctlcluster … stop -m immediate` and started again
`--outage-for` seconds later. Afterwards a set check against the database:

- lost: acknowledged events that are not stored (must be 0);
- duplicates: external ids stored more than once (must be 0);
- during the outage every answer is a 503 problem, within 1 s;
- recovery: both servers acknowledge events again after the restart, with no restart of theirs.

It refuses to touch the cluster on port 5432 (the one the tests and the other developers
use): make a separate one first, e.g.
`pg_createcluster 15 soak -p 5433 -- --auth=trust && pg_ctlcluster 15 soak start`.
"""

import argparse
import itertools
import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from bench.servers import SubprocessServer

PROTECTED_PORT = 5432


@dataclass
class Answer:
    at: float
    seconds: float
    status: int | None  # None: no HTTP answer (timeout, refused)
    server: int


@dataclass
class Tally:
    acknowledged: set[str] = field(default_factory=set)
    answers: list[Answer] = field(default_factory=list)
    gave_up: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def pg_ctl(version: str, cluster: str, action: str) -> None:
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", version, cluster, action]
    if action == "stop":
        command += ["-m", "immediate"]
    subprocess.run(command, check=True)


def prepare_database(admin_url: str, name: str) -> str:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def cli(url: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING"}
    done = subprocess.run(
        [str(Path(sys.executable).with_name("followthrough")), *args],
        env=env,
        check=True,
        capture_output=True,
    )
    return done.stdout.decode()


def client_loop(
    *,
    number: int,
    servers: list[str],
    headers: dict[str, str],
    candidate: str,
    deadline: float,
    started: float,
    tally: Tally,
) -> None:
    sequence = itertools.count()
    turn = itertools.cycle(range(len(servers)))
    with httpx.Client(timeout=2.0, headers=headers) as http:
        while time.monotonic() < deadline:
            external_id = f"soak-{number}-{next(sequence)}"
            body = {
                "external_id": external_id,
                "candidate_external_id": candidate,
                "direction": "outbound",
                "channel": "email",
                "type": "message",
                "occurred_at": "2026-11-02T10:00:00Z",
                "body": f"Message {external_id}",
            }
            acknowledged = False
            while not acknowledged and time.monotonic() < deadline + 30:
                server = next(turn)
                sent = time.monotonic()
                status: int | None
                try:
                    status = http.post(f"{servers[server]}/api/v1/events", json=body).status_code
                except httpx.HTTPError:
                    status = None
                answer = Answer(sent - started, time.monotonic() - sent, status, server)
                with tally.lock:
                    tally.answers.append(answer)
                if status in (200, 201):
                    acknowledged = True
                elif status is not None and status < 500:
                    raise RuntimeError(f"{external_id}: unexpected {status}")
                else:
                    time.sleep(0.1)
            with tally.lock:
                (tally.acknowledged.add if acknowledged else tally.gave_up.append)(external_id)


def run(args: argparse.Namespace) -> dict[str, Any]:
    if args.port == PROTECTED_PORT:
        raise SystemExit("refusing to stop the shared cluster on 5432; use a separate cluster")
    admin_url = f"postgresql+psycopg://postgres@127.0.0.1:{args.port}/postgres"
    url = prepare_database(admin_url, "followthrough_soak")
    cli(url, "db", "upgrade")
    org = json.loads(cli(url, "org", "create", "Soak", "--json"))
    headers = {"Authorization": f"Bearer {org['api_key']}"}

    env = {"DATABASE_URL": url, "LOG_LEVEL": "ERROR", "DB_POOL_TIMEOUT": "1"}
    servers = [
        SubprocessServer("app.main:create_app", env=env, factory=True, ready_path="/readyz")
        for _ in range(2)
    ]
    try:
        urls = [s.base_url for s in servers]
        for n in range(args.clients):
            candidate = {"external_id": f"soak-cand-{n}", "name": f"Soak {n}"}
            httpx.post(f"{urls[0]}/api/v1/candidates", json=candidate, headers=headers, timeout=10)
        tally = Tally()
        started = time.monotonic()
        deadline = started + args.duration
        threads = [
            threading.Thread(
                target=client_loop,
                kwargs={
                    "number": n,
                    "servers": urls,
                    "headers": headers,
                    "candidate": f"soak-cand-{n}",
                    "deadline": deadline,
                    "started": started,
                    "tally": tally,
                },
            )
            for n in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        time.sleep(args.outage_at)
        down_at = time.monotonic() - started
        pg_ctl(args.version, args.cluster, "stop")
        stopped_at = time.monotonic() - started
        time.sleep(args.outage_for)
        up_from = time.monotonic() - started
        pg_ctl(args.version, args.cluster, "start")
        up_at = time.monotonic() - started
        for thread in threads:
            thread.join()
        pids = [s.pid for s in servers]
        alive = all(s.process.poll() is None for s in servers)
    finally:
        for server in servers:
            server.stop()

    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT external_id, count(*) FROM events WHERE org_id = :org GROUP BY external_id"
            ),
            {"org": org["org_id"]},
        ).all()
    engine.dispose()
    stored = {external_id: count for external_id, count in rows}

    outage = [a for a in tally.answers if stopped_at <= a.at and a.at + a.seconds <= up_from]
    answered = [a for a in outage if a.status is not None]
    after = [a for a in tally.answers if a.at >= up_at]
    first_ok_after = min(
        (a.at + a.seconds - up_at for a in after if a.status in (200, 201)), default=None
    )
    return {
        "clients": args.clients,
        "duration_s": args.duration,
        "servers": 2,
        "server_pids": pids,
        "servers_alive_throughout": alive,
        "outage_s": [round(down_at, 2), round(up_at, 2)],
        "requests": len(tally.answers),
        "acknowledged": len(tally.acknowledged),
        "stored": len(stored),
        "lost": len(tally.acknowledged - stored.keys()),
        "duplicates": sum(1 for count in stored.values() if count > 1),
        "stored_unacknowledged": len(stored.keys() - tally.acknowledged),
        "gave_up": len(tally.gave_up),
        "outage_requests": len(outage),
        "outage_answers_not_503": sum(1 for a in answered if a.status != 503),
        "outage_no_answer": len(outage) - len(answered),
        "outage_max_answer_s": round(max((a.seconds for a in answered), default=0.0), 3),
        "retries_5xx_total": sum(1 for a in tally.answers if a.status and a.status >= 500),
        "first_ack_after_restart_s": round(first_ok_after, 3) if first_ok_after else None,
        "acks_after_restart_by_server": [
            sum(1 for a in after if a.server == s and a.status in (200, 201)) for s in (0, 1)
        ],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cluster", default="soak")
    parser.add_argument("--version", default="15")
    parser.add_argument("--port", type=int, default=5433)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--outage-at", type=float, default=20)
    parser.add_argument("--outage-for", type=float, default=10)
    args = parser.parse_args()
    result = run(args)
    print(json.dumps(result, indent=2))
    ok = (
        result["lost"] == 0
        and result["duplicates"] == 0
        and result["outage_answers_not_503"] == 0
        and result["outage_max_answer_s"] < 1
        and result["servers_alive_throughout"]
        and all(result["acks_after_restart_by_server"])
    )
    print("PASS" if ok else "FAIL", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
