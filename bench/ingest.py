"""Ways of getting events in: the service layer (set-up), HTTP batches, single POSTs, COPY."""

import asyncio
import json
import multiprocessing
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import httpx
import psycopg

from app.core.db import create_engine_for, create_sessionmaker, transaction
from app.core.ids import new_id, utcnow
from app.derivation import flows
from app.events import service as events_service
from bench.common import chunks, percentiles, psycopg_dsn

# --- the service layer (loading the bulk of an organisation) -----------------------------
_JOBS: list[list[dict[str, Any]]] = []


def _load_batches(url: str, org_id: str, batches: list[list[dict[str, Any]]]) -> None:
    engine = create_engine_for(url, pool_size=2, max_overflow=0)
    factory = create_sessionmaker(engine)
    try:
        for batch in batches:
            with transaction(factory) as session:
                items = events_service.parse_items(batch)
                outcomes = flows.record_events(session, org_id=org_id, items=items)
                bad = [o for o in outcomes if o.status not in (200, 201)]
                if bad:
                    raise RuntimeError(f"{len(bad)} events refused, e.g. {bad[0].problem}")
    finally:
        engine.dispose()


def _worker(url: str, org_id: str, index: int) -> None:
    _load_batches(url, org_id, [b for n, b in enumerate(_JOBS) if n % _WORKERS == index])


_WORKERS = 2
# A 503 (the database was busy, e.g. a deadlock's victim) is posted again up to this often.
RETRIES_503 = 5


def load_via_service(
    url: str,
    org_id: str,
    events_by_candidate: Sequence[Sequence[dict[str, Any]]],
    *,
    workers: int = 2,
    batch_size: int = 1000,
) -> float:
    """Record events through `events_service.record_events`, whole candidates per batch,
    in `workers` forked processes (disjoint candidates, so no lock waits); return seconds."""
    global _JOBS, _WORKERS
    batches: list[list[dict[str, Any]]] = [[]]
    for events in events_by_candidate:
        if batches[-1] and len(batches[-1]) + len(events) > batch_size:
            batches.append([])
        batches[-1].extend(events)
    _JOBS, _WORKERS = batches, workers
    started = time.perf_counter()
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=_worker, args=(url, org_id, k)) for k in range(workers)]
    for process in processes:
        process.start()
    while any(p.is_alive() for p in processes):
        processes[0].join(timeout=30)
        # Autovacuum may be off (it is on the benchmark machine): keep the planner's
        # statistics current while the tables grow, as autovacuum would.
        analyze(url)
    _JOBS = []
    if any(p.exitcode != 0 for p in processes):
        raise RuntimeError("a loader process failed")
    return time.perf_counter() - started


@contextmanager
def analyzing(url: str, every: float = 30.0) -> Iterator[None]:
    """Keep planner statistics current while tables grow (autovacuum may be off)."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every):
            analyze(url)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def analyze(url: str) -> None:
    with psycopg.connect(psycopg_dsn(url), autocommit=True) as conn:
        conn.execute("ANALYZE")


def vacuum_analyze(url: str) -> None:
    with psycopg.connect(psycopg_dsn(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


# --- HTTP --------------------------------------------------------------------------------
def post_batches(
    base_url: str, api_key: str, events: Sequence[dict[str, Any]], *, batch_size: int = 1000
) -> dict[str, Any]:
    """POST events in order, `batch_size` per request, one client (an ATS sync)."""
    headers = {"Authorization": f"Bearer {api_key}"}
    latencies: list[float] = []
    created = 0
    with httpx.Client(base_url=base_url, headers=headers, timeout=900) as client:
        started = time.perf_counter()
        for batch in chunks(events, batch_size):
            sent = time.perf_counter()
            response = client.post("/api/v1/events/batch", json={"events": list(batch)})
            latencies.append((time.perf_counter() - sent) * 1000)
            response.raise_for_status()
            results = response.json()["results"]
            created += sum(1 for r in results if r["status"] == 201)
            bad = [r for r in results if r["status"] not in (200, 201)]
            if bad:
                raise RuntimeError(f"{len(bad)} events refused, e.g. {bad[0]}")
        seconds = time.perf_counter() - started
    return {
        "events": len(events),
        "created": created,
        "batches": len(latencies),
        "seconds": round(seconds, 2),
        "events_per_s": round(len(events) / seconds, 1),
        "batch_latency": percentiles(latencies),
    }


class Backfill:
    """Batches of events in time order POSTed by `clients` concurrent connections.

    Each client takes the next batch off one shared queue, so the server sees the history in
    (nearly) time order, as several sync jobs of an ATS would send it. `stop` ends it early
    (a time limit); `acknowledged` then says which batches the server acknowledged.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        events: Sequence[dict[str, Any]],
        *,
        clients: int = 4,
        batch_size: int = 1000,
    ) -> None:
        self.base_url, self.api_key, self.clients = base_url, api_key, clients
        self.batches = [list(b) for b in chunks(events, batch_size)]
        self.acknowledged: set[int] = set()
        self.acked_events = 0
        self.created = 0
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.retried_503 = 0
        self.stop = threading.Event()
        self._next = 0
        self._lock = threading.Lock()

    def _take(self) -> int | None:
        with self._lock:
            if self.stop.is_set() or self.errors or self._next >= len(self.batches):
                return None
            self._next += 1
            return self._next - 1

    def _client(self) -> None:
        headers = {"Authorization": f"Bearer {self.api_key}"}
        with httpx.Client(base_url=self.base_url, headers=headers, timeout=300) as client:
            while (index := self._take()) is not None:
                batch = self.batches[index]
                sent = time.perf_counter()
                try:
                    response = self._post(client, batch)
                except httpx.HTTPError as exc:
                    self.errors.append(f"batch {index}: {exc!r}")
                    return
                elapsed = (time.perf_counter() - sent) * 1000
                results = response.json()["results"]
                bad = [r for r in results if r["status"] not in (200, 201)]
                with self._lock:
                    self.latencies.append(elapsed)
                    if bad:
                        self.errors.append(f"{len(bad)} events refused, e.g. {bad[0]}")
                    self.acknowledged.add(index)
                    self.acked_events += len(batch)
                    self.created += sum(1 for r in results if r["status"] == 201)

    def _post(self, client: httpx.Client, batch: list[dict[str, Any]]) -> httpx.Response:
        """Post one batch as an ATS sync would: a 503 (database busy) is retried after its
        `Retry-After`, a few times; anything else that is not 2xx fails the run."""
        for attempt in range(1, RETRIES_503 + 1):
            response = client.post("/api/v1/events/batch", json={"events": batch})
            if response.status_code != 503 or attempt == RETRIES_503:
                break
            with self._lock:
                self.retried_503 += 1
            time.sleep(min(float(response.headers.get("retry-after", "1")), 5.0))
        response.raise_for_status()
        return response

    def run(self) -> dict[str, Any]:
        """Post every batch (or until `stop`); figures over the acknowledged ones."""
        threads = [threading.Thread(target=self._client, daemon=True) for _ in range(self.clients)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        try:
            for thread in threads:
                thread.join()
        finally:
            self.stop.set()
            for thread in threads:
                thread.join()
        seconds = time.perf_counter() - started
        if self.errors:
            raise RuntimeError(f"backfill failed: {self.errors[:3]}")
        return self.figures(seconds)

    def figures(self, seconds: float) -> dict[str, Any]:
        return {
            "events": self.acked_events,
            "created": self.created,
            "batches": len(self.acknowledged),
            "of_batches": len(self.batches),
            "clients": self.clients,
            "seconds": round(seconds, 2),
            "events_per_s": round(self.acked_events / seconds, 1) if seconds else 0.0,
            "batch_latency": percentiles(self.latencies),
            "retried_503": self.retried_503,
        }

    def unacknowledged(self) -> list[dict[str, Any]]:
        return [e for n, b in enumerate(self.batches) if n not in self.acknowledged for e in b]


def post_paced(
    base_url: str,
    api_key: str,
    events: Sequence[dict[str, Any]],
    *,
    rate: float,
    batch_size: int = 100,
) -> dict[str, Any]:
    """POST `events` in batches at `rate` events/s (a steady stream), one client; a batch
    that answers late is followed at once, so the achieved rate says if the server kept up."""
    headers = {"Authorization": f"Bearer {api_key}"}
    latencies: list[float] = []
    interval = batch_size / rate
    with httpx.Client(base_url=base_url, headers=headers, timeout=300) as client:
        started = time.perf_counter()
        for n, batch in enumerate(chunks(events, batch_size)):
            due = started + n * interval
            if (wait := due - time.perf_counter()) > 0:
                time.sleep(wait)
            sent = time.perf_counter()
            response = client.post("/api/v1/events/batch", json={"events": list(batch)})
            latencies.append((time.perf_counter() - sent) * 1000)
            response.raise_for_status()
        seconds = time.perf_counter() - started
    return {
        "events": len(events),
        "batch_size": batch_size,
        "offered_events_per_s": rate,
        "seconds": round(seconds, 2),
        "events_per_s": round(len(events) / seconds, 1),
        "batch_latency": percentiles(latencies),
    }


def concurrent_posts(
    base_url: str,
    api_key: str | None,
    bodies: Sequence[dict[str, Any]],
    *,
    clients: int = 16,
    seconds: float = 10.0,
    warmup: float = 1.0,
) -> dict[str, Any]:
    """`clients` concurrent connections POSTing one event each, for `seconds` (after warm-up)."""
    return asyncio.run(_concurrent(base_url, api_key, bodies, clients, seconds, warmup))


async def _concurrent(  # noqa: PLR0917
    base_url: str,
    api_key: str | None,
    bodies: Sequence[dict[str, Any]],
    clients: int,
    seconds: float,
    warmup: float,
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    position = 0
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    measuring = False
    stop_at = float("inf")
    async with httpx.AsyncClient(
        base_url=base_url, headers=headers, limits=limits, timeout=60
    ) as client:

        async def one_client() -> None:
            nonlocal position
            while time.perf_counter() < stop_at:
                body = bodies[position % len(bodies)]
                position += 1
                sent = time.perf_counter()
                response = await client.post("/api/v1/events", json=body)
                if measuring:
                    latencies.append((time.perf_counter() - sent) * 1000)
                    statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        stop_at = time.perf_counter() + warmup + seconds + 3600
        tasks = [asyncio.create_task(one_client()) for _ in range(clients)]
        await asyncio.sleep(warmup)
        measuring = True
        started = time.perf_counter()
        await asyncio.sleep(seconds)
        measuring = False
        elapsed = time.perf_counter() - started
        stop_at = 0.0
        await asyncio.gather(*tasks)
    done = len(latencies)
    ok = sum(v for k, v in statuses.items() if 200 <= k < 300)
    return {
        "tool": f"httpx.AsyncClient, {clients} connections",
        "clients": clients,
        "seconds": round(elapsed, 2),
        "requests": done,
        "requests_per_s": round(done / elapsed, 1),
        "ok_per_s": round(ok / elapsed, 1),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "latency": percentiles(latencies),
    }


def timed_gets(client: httpx.Client, path: str, *, n: int, warmup: int = 5) -> dict[str, Any]:
    for _ in range(warmup):
        client.get(path).raise_for_status()
    samples: list[float] = []
    for _ in range(n):
        sent = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - sent) * 1000)
        response.raise_for_status()
    return percentiles(samples)


# --- COPY (the ceiling) ------------------------------------------------------------------
_COPY_COLUMNS = (
    "id", "org_id", "candidate_id", "external_id", "recruiter_external_id", "direction",
    "channel", "type", "outcome", "occurred_at", "scheduled_for", "due_at", "promised_by",
    "in_reply_to", "fulfills", "subject", "body", "body_redacted", "auto_reply",
    "expects_reply", "metadata", "intents", "content_hash", "received_at",
)  # fmt: skip


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def copy_events(
    url: str, org_id: str, candidate_ids: dict[str, str], events: Sequence[dict[str, Any]]
) -> dict[str, Any]:
    """The same event bodies straight into `events` with COPY: parse, map, write, commit.

    No validation, intents, idempotency or derived state — the storage ceiling.
    """
    started = time.perf_counter()
    received = utcnow()
    with psycopg.connect(psycopg_dsn(url)) as conn:
        with conn.cursor() as cursor:
            columns = ", ".join(_COPY_COLUMNS)
            with cursor.copy(f"COPY events ({columns}) FROM STDIN") as copy:
                for e in events:
                    metadata = e.get("metadata")
                    copy.write_row(
                        (
                            new_id(), org_id, candidate_ids[e["candidate_external_id"]],
                            e["external_id"], e.get("recruiter_external_id"), e["direction"],
                            e["channel"], e["type"], e.get("outcome"),
                            _when(e["occurred_at"]), _when(e.get("scheduled_for")),
                            _when(e.get("due_at")), _when(e.get("promised_by")),
                            e.get("in_reply_to"), e.get("fulfills"), e.get("subject"),
                            e.get("body"), False, bool(e.get("auto_reply", False)),
                            bool(e.get("expects_reply", True)),
                            json.dumps(metadata) if metadata is not None else None, "[]", "",
                            received,
                        )
                    )  # fmt: skip
        conn.commit()
    seconds = time.perf_counter() - started
    return {
        "events": len(events),
        "seconds": round(seconds, 3),
        "events_per_s": round(len(events) / seconds, 1),
    }
