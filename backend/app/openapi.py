"""``python -m app.openapi [PATH]``: write the OpenAPI schema (for the SPA's typed client)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from app.main import create_app


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    text = json.dumps(create_app().openapi(), indent=2) + "\n"
    if args:
        Path(args[0]).write_text(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
