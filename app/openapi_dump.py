"""Write the OpenAPI document generated from the code: `python -m app.openapi_dump FILE`."""

import json
import sys
from pathlib import Path
from typing import Any

from app.core.settings import Settings
from app.main import create_app


def generate() -> dict[str, Any]:
    app = create_app(Settings(database_url="sqlite://", log_level="WARNING"))
    return app.openapi()


def render() -> str:
    return json.dumps(generate(), indent=2, sort_keys=True) + "\n"


def main() -> None:
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "openapi/openapi.json")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render())
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
