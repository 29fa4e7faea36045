"""Fairness report: flag rates per persona and time zone (app/demo/fairness.py).

    .venv/bin/python -m bench.fairness [--candidates 180] [--seed 42]

Replays the demo generator's candidates moved to every zone from UTC-8 to UTC+9 (local times
kept), prints the candidates whose band or flag codes differ between zones (there must be
none), then two Markdown tables: per persona and zone the share with any negative flag and the
band mix, and per persona the share raising each flag code (identical in every zone).
"""

import argparse
import time
from datetime import UTC, datetime

from app.demo import generator
from app.demo.fairness import ZONE_VARIANTS, compare, flag_rates, replay
from app.scoring.signals import NEGATIVE_CODES

START = datetime(2026, 9, 1, tzinfo=UTC)
END = datetime(2026, 11, 20, tzinfo=UTC)
AS_OF = datetime(2026, 11, 23, 12, tzinfo=UTC)
SHORT = {
    "missed_meeting": "missed",
    "no_callback": "no_cb",
    "slow_reply": "slow",
    "ghosting": "ghost",
    "unfulfilled_request": "unfulf",
    "repeated_apologies": "apol",
    "words_not_actions": "words",
    "reschedules": "resched",
    "cooling": "cooling",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=180)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    began = time.perf_counter()
    recruiters = generator.generate_recruiters(seed=args.seed, recruiters=3)
    candidates = list(
        generator.iter_candidates(
            seed=args.seed, candidates=args.candidates, recruiters=recruiters, start=START, end=END
        )
    )
    verdicts = replay(candidates, ZONE_VARIANTS, as_of=AS_OF)
    differing = compare(verdicts)
    elapsed = time.perf_counter() - began
    print(
        f"{len(candidates)} candidates x {len(ZONE_VARIANTS)} zones = {len(verdicts)} verdicts "
        f"in {elapsed:.1f} s (seed {args.seed}, as of {AS_OF:%Y-%m-%d %H:%M} local)"
    )
    print(f"candidates whose band or flags differ between zones: {len(differing)}")
    for external_id, persona, seen in differing[:20]:
        print(f"  {external_id} ({persona}): {seen}")
    rates = flag_rates(verdicts)
    personas = list(generator.PERSONAS)
    zones = [v.name for v in ZONE_VARIANTS]

    print("\nShare with any negative flag / share not_that_into_you, per persona and zone:\n")
    print("| persona | n | " + " | ".join(zones) + " |")
    print("|---|---|" + "---|" * len(zones))
    for persona in personas:
        cells = [
            f"{rates[(persona, z)]['any']:.0%}/{rates[(persona, z)]['band:not_that_into_you']:.0%}"
            for z in zones
        ]
        print(f"| {persona} | {rates[(persona, zones[0])]['n']:.0f} | " + " | ".join(cells) + " |")

    print("\nFlag rates and bands per persona (the same in all 18 zones: 'same'):\n")
    codes = list(NEGATIVE_CODES)
    bands = ("engaged", "cooling", "not_that_into_you", "declined")
    head = [SHORT[c] for c in codes] + ["eng", "cool", "ntiy", "decl", "same"]
    print("| persona | " + " | ".join(head) + " |")
    print("|---|" + "---|" * len(head))
    for persona in personas:
        row = rates[(persona, zones[0])]
        same = all(rates[(persona, z)] == row for z in zones)
        cells = [f"{row[c]:.0%}" for c in codes] + [f"{row['band:' + b]:.0%}" for b in bands]
        print(f"| {persona} | " + " | ".join(cells) + f" | {'same' if same else 'DIFFERS'} |")


if __name__ == "__main__":
    main()
