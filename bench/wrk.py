"""Single POSTs with `wrk` (Debian package), the same script against the app and the baseline.

Every request carries a fresh `external_id` (thread number + counter), for one of a fixed set
of candidates, alternating an outbound message, an inbound reply (classified) and a call.
"""

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

_SCRIPT = r"""
local candidates = {%(candidates)s}
local bodies = {%(bodies)s}
local counter = 0
local threads = 0
local auth = "%(auth)s"

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function request()
  counter = counter + 1
  local candidate = candidates[(counter %% #candidates) + 1]
  local template = bodies[(counter %% #bodies) + 1]
  local body = string.format(template, "wrk-%(run)s-" .. tid .. "-" .. counter, candidate)
  local headers = {["Content-Type"] = "application/json"}
  if auth ~= "" then headers["Authorization"] = "Bearer " .. auth end
  return wrk.format("POST", "/api/v1/events", headers, body)
end

function done(summary, latency, requests)
  local codes = 0
  io.write(string.format("JSON {\"p50\": %%g, \"p90\": %%g, \"p99\": %%g, \"requests\": %%d, " ..
    "\"seconds\": %%g, \"errors_status\": %%d, \"errors_other\": %%d}\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, summary.requests, summary.duration / 1e6,
    summary.errors.status, summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout))
end
"""


def _lua_string(text: str) -> str:
    return json.dumps(text)


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def run_wrk(
    base_url: str,
    api_key: str | None,
    candidate_external_ids: list[str],
    *,
    occurred_at: str,
    run_id: str,
    seconds: float = 10.0,
    threads: int = 2,
    connections: int = 16,
) -> dict[str, Any]:
    """POST single events for `seconds`; requests/s and latency percentiles (ms)."""
    templates = [
        {
            "external_id": "%s",
            "candidate_external_id": "%s",
            "direction": "outbound",
            "channel": "email",
            "type": "message",
            "occurred_at": occurred_at,
            "body": "Hi, could we find a time to talk about next steps this week?",
        },
        {
            "external_id": "%s",
            "candidate_external_id": "%s",
            "direction": "inbound",
            "channel": "email",
            "type": "message",
            "occurred_at": occurred_at,
            "body": "Sorry for the slow reply, it has been a crazy week. I'm still very "
            "interested and I'll send the references by Friday.",
        },
        {
            "external_id": "%s",
            "candidate_external_id": "%s",
            "direction": "outbound",
            "channel": "phone",
            "type": "call",
            "outcome": "voicemail",
            "occurred_at": occurred_at,
        },
    ]
    script = _SCRIPT % {
        "candidates": ", ".join(_lua_string(c) for c in candidate_external_ids),
        "bodies": ", ".join(_lua_string(json.dumps(t)) for t in templates),
        "auth": api_key or "",
        "run": run_id,
    }
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "post.lua"
        path.write_text(script)
        completed = subprocess.run(
            [
                "wrk",
                f"-t{threads}",
                f"-c{connections}",
                f"-d{int(seconds)}s",
                "--timeout",
                "30s",
                "-s",
                str(path),
                base_url,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    match = re.search(r"^JSON (.*)$", completed.stdout, re.M)
    if match is None:
        raise RuntimeError(f"wrk printed no summary:\n{completed.stdout}\n{completed.stderr}")
    raw = json.loads(match.group(1))
    return {
        "tool": f"wrk -t{threads} -c{connections} -d{int(seconds)}s",
        "requests": raw["requests"],
        "seconds": round(raw["seconds"], 2),
        "requests_per_s": round(raw["requests"] / raw["seconds"], 1),
        # Answers with a 2xx status per second: the figure compared (a 429 is not a write).
        "ok_per_s": round((raw["requests"] - raw["errors_status"]) / raw["seconds"], 1),
        "non_2xx": raw["errors_status"],
        "socket_errors": raw["errors_other"],
        "latency_ms": {"p50": raw["p50"], "p90": raw["p90"], "p99": raw["p99"]},
    }
