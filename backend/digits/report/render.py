"""Render ``templates/report.md.j2`` (Jinja2) with the sections' contexts into Markdown.

The template holds every word and table of ``reports/README.md``; Python only supplies numbers,
names and figure file names. Filters for the template:

    ``percent``   0.9965 -> ``99.65 %``
    ``thousands`` 60000 -> ``60,000``
    ``points``    8.94 -> ``8.9`` (percentage points)
    ``minutes``   919.7 (seconds) -> ``15.3 min``
    ``known``     None -> ``?``, anything else unchanged
    ``portable``  a command line with every absolute path made relative to ``backend/`` or cut to
                  its file name (:func:`digits.cards.portable_path`), so that no path of the
                  machine the report (or a card) was made on reaches the page.

A value the template names but the context lacks is an error (``StrictUndefined``).
"""

from __future__ import annotations

import re
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from digits.cards import portable_path

TEMPLATE = "report.md.j2"

_ABSOLUTE_PATH = re.compile(r"(?<![\w./~-])/[^\s'\"`()\[\],;:]+")
"""An absolute POSIX path inside free text: a ``/`` not preceded by a word or path character."""


def percent(value: float | None) -> str:
    """A fraction as a percentage with two decimals; ``?`` when unknown."""
    return "?" if value is None else f"{value * 100:.2f} %"


def thousands(value: int | None) -> str:
    """An integer with thousands separators; ``?`` when unknown."""
    return "?" if value is None else f"{value:,}"


def points(value: float) -> str:
    """Percentage points with one decimal."""
    return f"{value:.1f}"


def minutes(seconds: float | None) -> str:
    """Seconds as minutes with one decimal; ``?`` when unknown."""
    return "?" if seconds is None else f"{seconds / 60:.1f} min"


def known(value: object) -> object:
    """``?`` for None, else the value itself."""
    return "?" if value is None else value


def portable(text: str | None) -> str:
    """``text`` with every absolute path replaced by :func:`~digits.cards.portable_path`; ``?`` for None."""
    if text is None:
        return "?"
    return _ABSOLUTE_PATH.sub(lambda match: portable_path(match.group(0)), text)


def environment() -> Environment:
    """The Jinja2 environment of the report: the package's templates, strict, block lines trimmed."""
    env = Environment(
        loader=PackageLoader("digits.report", "templates"),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # Markdown, not HTML
    )
    env.filters.update(
        percent=percent, thousands=thousands, points=points, minutes=minutes, known=known, portable=portable
    )
    return env


def render_report(**context: Any) -> str:
    """The Markdown page for ``context`` (the variables of ``report.md.j2``), ending in one newline."""
    text = environment().get_template(TEMPLATE).render(**context)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
