"""``python -m digits.feedback.export [--database-url URL] --output PATH.jsonl``: every stored
drawing as one JSON object per line (``GET /feedback/export`` streams the same lines).

One line::

    {"id": str, "created_at": ISO-8601 UTC str, "client": str (salted hash of the per-browser id),
     "label": 0-9 or null (not a digit), "predicted": int or null, "model_version": str,
     "probabilities": [float, ...] or null,
     "input_image": base64 PNG, 28x28 8-bit grayscale, the model input (white digit on black),
     "image": base64 of the original bytes sent,
     "strokes": [[[x, y, t_ms], ...], ...] or null, "canvas": {"width": int, "height": int} or null,
     "device": "touch" | "mouse" | "pen" | null}
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL

from digits.feedback.store import FeedbackStore, database_url
from digits.settings import DataSettings


def iter_records(database_url: str | URL | None = None) -> Iterator[dict[str, Any]]:
    """Every drawing in the database at ``database_url`` (default ``DATABASE_URL``), oldest first,
    as the dicts described above; rows are fetched in batches, so memory stays flat."""
    store = FeedbackStore(database_url or DataSettings().database_url)
    try:
        yield from store.iter_records()
    finally:
        store.close()


def to_line(item: dict[str, Any]) -> str:
    """One record as a JSON line (compact, ends with a newline)."""
    return json.dumps(item, separators=(",", ":")) + "\n"


def export(output: Path, url: str | URL | None = None) -> int:
    """Write every record to ``output`` (JSON lines; its folder is created); the number written.

    The file is written beside and then renamed, so a reader never sees half an export.
    """
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    count = 0
    with partial.open("w", encoding="utf-8") as handle:
        for item in iter_records(url):
            handle.write(to_line(item))
            count += 1
    partial.replace(output)
    return count


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m digits.feedback.export", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None, help="SQLAlchemy URL (default: env DATABASE_URL)")
    parser.add_argument("--output", type=Path, required=True, help="the JSON-lines file to write")
    args = parser.parse_args(argv)
    url = args.database_url or DataSettings().database_url
    count = export(args.output, url)
    print(f"exported {count} drawings from {database_url(url).render_as_string(hide_password=True)} to {args.output}")


if __name__ == "__main__":
    main()
