"""Hash-pinned lock files from pyproject.toml, and a check that they are current.

    python3 scripts/lock.py compile   # (re)write requirements.lock and requirements-dev.lock
    python3 scripts/lock.py check     # exit 1, saying what to run, if pyproject moved on

Each lock's first line records a fingerprint of what the locks are made from: the project's
dependencies, its optional dependencies and `requires-python` (not the rest of pyproject, so
editing tool settings never makes a lock stale). Locks target CPython 3.11 on Linux x86_64
(this machine, CI and the Docker image); uv resolves and records every file's hash.
"""

import hashlib
import json
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
MARK = "# deps-fingerprint: "
LOCKS = {"requirements.lock": [], "requirements-dev.lock": ["--extra", "dev"]}
TARGET = ["--python-version", "3.11", "--python-platform", "x86_64-manylinux_2_28"]


def fingerprint() -> str:
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    spec = {
        "dependencies": sorted(project.get("dependencies", [])),
        "optional": {k: sorted(v) for k, v in project.get("optional-dependencies", {}).items()},
        "requires-python": project.get("requires-python"),
    }
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:16]


def recorded(path: Path) -> str | None:
    if not path.exists():
        return None
    first = path.read_text().splitlines()[:1]
    return first[0].removeprefix(MARK) if first and first[0].startswith(MARK) else None


def check() -> int:
    current = fingerprint()
    stale = [name for name in LOCKS if recorded(ROOT / name) != current]
    if stale:
        print(
            f"error: {', '.join(stale)} no longer match the dependencies in pyproject.toml.\n"
            "       Run `make lock` and commit the lock files.",
            file=sys.stderr,
        )
        return 1
    return 0


def compile_locks(uv: str) -> int:
    current = fingerprint()
    for name, extra in LOCKS.items():
        out = ROOT / name
        command = [uv, "pip", "compile", "pyproject.toml", "--generate-hashes", "--quiet"]
        command += [*extra, *TARGET, "--output-file", name]
        print("+", " ".join(command[1:]), file=sys.stderr)
        subprocess.run(command, cwd=ROOT, check=True)
        out.write_text(f"{MARK}{current}\n" + out.read_text())
    return 0


def main() -> int:
    match sys.argv[1:]:
        case ["check"]:
            return check()
        case ["compile", uv]:
            return compile_locks(uv)
        case ["fingerprint"]:
            print(fingerprint())
            return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
