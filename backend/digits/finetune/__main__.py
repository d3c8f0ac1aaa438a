"""``python -m digits.finetune --feedback data/feedback/export.jsonl``: fine-tune the champion on
feedback and promote it only if it is better (:mod:`digits.finetune.finetune`)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from digits.cards import portable_command
from digits.finetune.finetune import DEFAULT_WORK_DIR, FinetuneConfig, run_finetune
from digits.finetune.records import FeedbackFormatError
from digits.settings import DataSettings


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status: 0 whether promoted or not, 1 when there is
    nothing to fine-tune on (no export, a bad line, no record left after the split and filter)."""
    settings = DataSettings()
    d = FinetuneConfig(feedback=Path("export.jsonl"))
    parser = argparse.ArgumentParser(
        prog="python -m digits.finetune",
        description="Fine-tune the champion on feedback (an export of python -m digits.feedback.export); "
        "promote the challenger only if it is no worse on MNIST and better on held-out feedback.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--feedback", type=Path, required=True, help="the JSONL export")
    parser.add_argument("--champion", type=Path, default=settings.model_path, help="the served .keras model")
    parser.add_argument("--models-dir", type=Path, default=settings.models_dir, help="where a promoted model goes")
    parser.add_argument("--work-dir", type=Path, default=DEFAULT_WORK_DIR, help="each run's folder goes here")
    parser.add_argument("--mnist-dir", type=Path, default=settings.mnist_dir)
    parser.add_argument("--epochs", type=int, default=d.epochs)
    parser.add_argument("--batch-size", type=int, default=d.batch_size)
    parser.add_argument("--learning-rate", type=float, default=d.learning_rate)
    parser.add_argument("--replay-mnist", type=int, default=d.replay_mnist, help="MNIST training images replayed")
    parser.add_argument("--replay-not-a-digit", type=int, default=d.replay_not_a_digit, help="non-digits replayed")
    parser.add_argument("--feedback-share", type=float, default=d.feedback_share, help="feedback share of an epoch")
    parser.add_argument("--label-filter", choices=["agreement", "none"], default=d.label_filter)
    parser.add_argument("--min-label-probability", type=float, default=d.min_label_probability)
    parser.add_argument("--mnist-tolerance", type=float, default=d.mnist_tolerance, help="fraction (0.0005 = 0.05 pt)")
    parser.add_argument("--eval-count", type=int, default=d.eval_count, help="images per drawn evaluation set")
    parser.add_argument("--seed", type=int, default=d.seed)
    parser.add_argument("--freeze-batch-norm", action="store_true", help="keep batch normalization in inference mode")
    parser.add_argument("--no-promote", action="store_true", help="evaluate and decide, but change nothing")
    parser.add_argument("--no-export", action="store_true", help="skip the LiteRT export (unless promoted)")
    parser.add_argument("--no-track", action="store_true", help="do not log to MLflow")
    args = parser.parse_args(argv)
    config = FinetuneConfig(
        feedback=args.feedback,
        champion=args.champion,
        models_dir=args.models_dir,
        work_dir=args.work_dir,
        mnist_dir=args.mnist_dir,
        epochs=args.epochs,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        replay_mnist=args.replay_mnist,
        replay_not_a_digit=args.replay_not_a_digit,
        feedback_share=args.feedback_share,
        label_filter=args.label_filter,
        min_label_probability=args.min_label_probability,
        mnist_tolerance=args.mnist_tolerance,
        eval_count=args.eval_count,
        seed=args.seed,
        freeze_batch_norm=args.freeze_batch_norm,
        promote=not args.no_promote,
        export=not args.no_export,
        track=not args.no_track,
        command=portable_command("digits.finetune", argv),
    )
    try:
        result = run_finetune(config)
    except (FileNotFoundError, FeedbackFormatError, ValueError) as exc:
        print(f"python -m digits.finetune: {exc}", file=sys.stderr)
        return 1
    print(json.dumps({"promoted": result.promoted, "reason": result.reason, "scores": result.scores}, indent=2))
    print(f"wrote {result.challenger} and its card")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
