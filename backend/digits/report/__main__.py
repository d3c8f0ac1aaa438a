"""``python -m digits.report``: the command line of :func:`digits.report.build.build_report`."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from digits.engines.registry import MODEL_SPECS
from digits.report.build import DEFAULT_MODELS, DEFAULT_OUTPUT, build_report
from digits.settings import DataSettings


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` (default: this process's arguments), build the report; returns the exit status."""
    settings = DataSettings()
    parser = argparse.ArgumentParser(
        prog="python -m digits.report",
        description="The project report: figures and one Markdown page, from the committed models and MNIST.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="directory for README.md and figures")
    parser.add_argument("--mnist-dir", type=Path, default=settings.mnist_dir)
    parser.add_argument("--models-dir", type=Path, default=settings.models_dir)
    parser.add_argument(
        "--model",
        action="append",
        choices=sorted(MODEL_SPECS),
        help=f"repeatable (default: {', '.join(DEFAULT_MODELS)})",
    )
    parser.add_argument("--test-limit", type=int, default=None, help="first N MNIST test images (default: all)")
    parser.add_argument("--robustness-limit", type=int, default=1000, help="test digits per transform")
    parser.add_argument("--strokes-limit", type=int, default=1000, help="MNIST test digits per brush width")
    parser.add_argument("--optdigits-limit", type=int, default=None, help="UCI digits (default: all 1,797)")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    build_report(
        args.output,
        args.mnist_dir,
        args.models_dir,
        models=args.model or DEFAULT_MODELS,
        test_limit=args.test_limit,
        robustness_limit=args.robustness_limit,
        strokes_limit=args.strokes_limit,
        optdigits_limit=args.optdigits_limit,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
