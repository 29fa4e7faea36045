"""Optional sampling profiles of the server process with py-spy (when it is installed).

`pip install py-spy` to enable; the benchmark runs the same without it. Summaries list the
share of samples spent inside each function of `app/` (inclusive) and the top frames by
self time, so RESULTS.md can say where the time goes.
"""

import collections
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

_FRAME = re.compile(r"(?P<func>.*) \((?P<file>.*):(?P<line>\d+)\)$")


def py_spy_path() -> str | None:
    beside = Path(sys.executable).with_name("py-spy")
    return str(beside) if beside.exists() else shutil.which("py-spy")


class Profile:
    """`py-spy record` attached to a running process until `stop()`."""

    def __init__(
        self,
        pid: int,
        out: Path,
        enabled: bool = True,
        *,
        rate: int = 100,
        subprocesses: bool = False,
    ) -> None:
        self.out = out
        self.process: subprocess.Popen[bytes] | None = None
        binary = py_spy_path()
        if binary is None or not enabled:
            return
        out.unlink(missing_ok=True)
        self.process = subprocess.Popen(
            [binary, "record", "--pid", str(pid), "--rate", str(rate), "--format", "raw",
             "--nonblocking", "--output", str(out),
             *(["--subprocesses"] if subprocesses else [])],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def stop(self) -> dict[str, Any] | None:
        if self.process is None:
            return None
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return None
        return summarise(self.out) if self.out.exists() else None


def _name(frame: str) -> tuple[str, str]:
    match = _FRAME.match(frame)
    if not match:
        return frame, ""
    path = match["file"].split("site-packages/")[-1]
    path = path.split("/work/main/")[-1]
    return f"{match['func']} ({path})", path


def summarise(path: Path, *, top: int = 25) -> dict[str, Any]:
    """Inclusive share per `app/` function and the top self-time frames, in percent."""
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        samples = int(count)
        total += samples
        frames = [_name(f) for f in stack.split(";")]
        seen: set[str] = set()
        for name, file in frames:
            if file.startswith("app/") and name not in seen:
                inclusive[name] += samples
                seen.add(name)
        own[frames[-1][0]] += samples
    if not total:
        return {"samples": 0}

    def share(counter: collections.Counter[str]) -> dict[str, float]:
        return {k: round(100 * v / total, 1) for k, v in counter.most_common(top)}

    return {"samples": total, "app_inclusive_pct": share(inclusive), "self_pct": share(own)}
