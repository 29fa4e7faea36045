"""Classifier throughput and hostile-input timings: `python -m bench.classifier`.

Typical messages are the labelled evaluation sets (`tests/data/intents/*.jsonl`, falling back
to `tests/data/intents_labelled.jsonl`), classified end to end (quote stripping, language
detection, intents, dates) in one process. Messages per second are reported per CPU second
(`time.process_time`, i.e. on one core whatever else the machine runs) and per wall second.
Then each hostile body of issue 11 at full size, with its time and the ratio to half its size.
"""

import argparse
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from app.language import classify_message

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
SENT = datetime(2026, 11, 10, 15, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")
HOSTILE: dict[str, tuple[Callable[[int], str], int]] = {
    "x + 100k newlines + x": (lambda n: "x" + "\n" * n + "x", 100_000),
    "100k CRLF": (lambda n: "\r\n" * n, 100_000),
    '"sorry " * 30000': (lambda n: "sorry " * n, 30_000),
    '"- " * 40000': (lambda n: "- " * n, 40_000),
    '"> " * 40000': (lambda n: "> " * n, 40_000),
    "digits * 5000": (lambda n: "1" * n, 5_000),
    '"could you send it " * 5000': (lambda n: "could you send it " * n, 5_000),
    '"On x x … wrote:"': (lambda n: "On " + "x " * n + "wrote:\n", 40_000),
    "99999999999999999999 days": (
        lambda n: "I will send it in 99999999999999999999 days. " * n,
        1,
    ),
}


def load_messages() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for path in sorted((DATA / "intents").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            raw = json.loads(line)
            rows.append(
                {
                    "body": raw["text"],
                    "subject": raw.get("subject"),
                    "occurred_at": datetime.fromisoformat(raw["sent_at"]),
                    "tz": ZoneInfo(raw["timezone"]),
                    "auto_reply": bool(raw.get("auto_reply")),
                }
            )
    if rows:
        return rows
    for line in (DATA / "intents_labelled.jsonl").read_text(encoding="utf-8").splitlines():
        raw = json.loads(line)
        rows.append(
            {
                "body": raw["body"],
                "subject": raw["subject"],
                "occurred_at": datetime.fromisoformat(raw["occurred_at"]),
                "tz": ZoneInfo(raw["tz"]),
                "auto_reply": raw["auto_reply"],
            }
        )
    return rows


def measure_typical(rows: list[dict[str, Any]], passes: int) -> tuple[float, float]:
    for row in rows:  # warm up: models, lexicons, dateparser's per-language data
        classify_message(**row)
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(passes):
        for row in rows:
            classify_message(**row)
    count = passes * len(rows)
    return count / (time.process_time() - cpu), count / (time.perf_counter() - wall)


def cpu_seconds(body: str) -> float:
    started = time.process_time()
    classify_message(body=body, subject=None, occurred_at=SENT, tz=BERLIN)
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--passes", type=int, default=5)
    args = parser.parse_args()
    rows = load_messages()
    per_cpu, per_wall = measure_typical(rows, args.passes)
    print(f"typical messages: {len(rows)} x {args.passes} passes")
    print(f"  {per_cpu:,.0f} messages per CPU second (one core), {per_wall:,.0f} per wall second")
    print("hostile bodies (CPU seconds at full size; ratio full / half size, linear = 2):")
    for name, (make, size) in HOSTILE.items():
        full = min(cpu_seconds(make(size)) for _ in range(3))
        half = min(cpu_seconds(make(max(1, size // 2))) for _ in range(3))
        ratio = full / half if half > 0.0005 else float("nan")
        print(f"  {name:<32} {len(make(size)):>8} chars  {full * 1000:8.1f} ms  ratio {ratio:.2f}")


if __name__ == "__main__":
    main()
