"""Prove the feedback loop: a population the model reads badly teaches it, 100 to 1,000 drawings at a time.

Usage (from ``backend/``; 50 minutes on 2 cores shared with other jobs, most of it the fine-tunes
(eight of 3 epochs each): the time it took is in the result, ``seconds``; run it in the background)::

    nice -n 10 python -m digits.finetune.loop            # writes results/feedback_loop.json
    python -m digits.finetune.loop --seeds 0 --sizes 1000 --output /tmp/loop.json   # one draw, one size

1. **The population.** Of the populations the champion never trained on (:data:`POPULATIONS`:
   ``optdigits-canvas``, 1,797 digits by 43 writers who are not in MNIST, drawn on canvases;
   ``photos``, phone photos of ink on paper), the one its card reads worst. The stroke sets are
   left out (:data:`OTHER_POPULATIONS`, ``--population`` still takes them): training draws 15,000
   of the same kind, so feedback has nothing new to teach there.
2. **The users.** A draw of users (``--seeds``): 1,000 optdigits digits chosen at random, the rest
   held out (photos: drawings made from MNIST *training* digits outside the validation split, never
   replayed), exported as feedback in the exact JSONL format of ``python -m digits.feedback.export``
   by 20 clients over time; in every block of ten records one carries a wrong label (10 %).
3. **The loop.** For 100, 300 and 1,000 records: ``run_finetune`` on the export as ``make finetune``
   runs it (split by client and time, agreement filter, fine-tune with replay, evaluation,
   promotion rule: the decision is recorded, nothing is promoted, the committed models are never
   touched) without MLflow registration. The loop's fine-tune is ``make finetune``'s: 3 epochs at a
   learning rate of 0.0001, 12,000 MNIST digits replayed (``--epochs``, ``--learning-rate``,
   ``--replay-mnist``), the feedback 30 % of each epoch (``--feedback-share``; 20 % in ``make finetune``).
   A harder fine-tune (4 epochs at 0.0002, 8,000 replayed, 40 % feedback) learnt as much but moved
   MNIST by 0.10 points in one draw of three.
4. **The measure.** The population's held-out drawings (optdigits: the 797 digits of the draw not
   sent as feedback; photos: drawn from MNIST *test* digits), MNIST test, and the held-out
   non-digit sets. At 1,000 records the fine-tune is run again without the label filter, to measure
   what the wrong labels do without the defence.
5. **Several draws.** Each further seed of ``--seeds`` (default 0 to 4) is another draw of users at
   1,000 records: other feedback, other held-out digits, other wrong labels. One draw holds a few
   hundred held-out drawings with a dozen or two errors, where one error moves the reduction by
   several points, so the target is judged on every draw pooled (errors after against errors
   before, summed), and MNIST on the worst draw.

Writes ``results/feedback_loop.json`` (read by the report's feedback section; nothing is recomputed
there) and caches the generated drawings under ``data/finetune/loop/``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from digits.cards import ModelCard, portable_command, portable_path
from digits.data.mnist import load_mnist
from digits.evaluation.metrics import preprocess_all
from digits.evaluation.open_set import (
    NEGATIVES_TEST_SEED,
    NEGATIVES_VALIDATION_SEED,
    VALIDATION_SEED,
    VALIDATION_SIZE,
    OpenSetData,
    non_digit_sets,
)
from digits.finetune.finetune import FinetuneConfig, replay_data, run_finetune
from digits.finetune.records import feedback_record, read_jsonl, write_jsonl
from digits.preprocessing import preprocess_bytes, preprocess_mnist
from digits.settings import BACKEND_DIR, DataSettings

DEFAULT_OUTPUT = BACKEND_DIR / "results" / "feedback_loop.json"
DEFAULT_CACHE = BACKEND_DIR / "data" / "finetune" / "loop"
POPULATIONS = ("optdigits-canvas", "photos")
"""The populations the loop chooses from: drawings the champion never trained on. ``optdigits-canvas``
(other writers, :func:`digits.data.evalsets.optdigits_canvas_set`) is split per draw of users into
their feedback and held-out digits; ``photos`` are drawn anew from MNIST digits (training digits
for the feedback, test digits held out), so held-out and feedback never share a digit."""
OTHER_POPULATIONS = ("strokes-8px", "strokes-16px", "strokes-28px")
"""Selectable with ``--population``, never chosen: the training's ``stroke_mix`` draws 15,000 of
the same kind (:func:`digits.training.train.stroke_renderings`), so what the champion still gets
wrong there is the tracer's ambiguous renderings, not a kind of drawing feedback can teach it
(strokes-28px, 3,000 held out: 1.97 % error before 1,000 records, 2.00 % after)."""
OPTDIGITS = "optdigits-canvas"
CLIENTS = 20
T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


def choose_population(card: ModelCard) -> tuple[str, dict[str, float]]:
    """The population of :data:`POPULATIONS` the champion reads worst, by its card's measured
    accuracy (``evaluations``, ``python -m digits.evaluation``); returns it and the figures compared.

    Raises:
        ValueError: the card has none of them.
    """
    sets = card.evaluations.sets if card.evaluations is not None else {}
    figures = {name: sets[name] for name in POPULATIONS if name in sets}
    if not figures:
        raise ValueError(f"the champion's card measures none of {POPULATIONS}: run python -m digits.evaluation")
    return min(figures, key=lambda name: figures[name]), figures


def draw(population: str, digits: NDArray[np.uint8], labels: NDArray[np.uint8], seed: int) -> list[bytes]:
    """``digits`` (N, 28, 28) uint8 drawn as ``population`` (encoded images, as users send them)."""
    if population == "photos":
        from digits.data.photos import photo_set

        return photo_set(digits, labels, seed=seed).images
    from digits.data.evalsets import stroke_sets

    width = int(population.removeprefix("strokes-").removesuffix("px"))
    return stroke_sets(digits, labels, widths=(width,), seed=seed)[0].images


def wrong_labels(labels: NDArray[np.uint8], seed: int, block: int = 10) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """One label in every ``block`` replaced by another digit (chosen at random): exactly 10 % of
    every prefix whose length is a multiple of ``block``. Returns (labels given, which are wrong)."""
    rng = np.random.default_rng(seed)
    given = labels.astype(np.int64).copy()
    wrong = np.zeros(len(labels), dtype=bool)
    for start in range(0, len(labels) - block + 1, block):
        i = start + int(rng.integers(block))
        given[i] = (given[i] + int(rng.integers(1, 10))) % 10
        wrong[i] = True
    return given, wrong


OPTDIGITS_SIZE = 1797
"""Digits in scikit-learn's optdigits (``load_digits``), the optdigits-canvas set."""


def optdigits_split(count: int, heldout: int, seed: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """A draw of users from the 1,797 optdigits: (the ``count`` digits they send as feedback, the
    next ``heldout`` digits, held out), a permutation seeded by ``seed``.

    Raises:
        ValueError: ``count`` leaves no digit to hold out.
    """
    total = OPTDIGITS_SIZE
    if count >= total:
        raise ValueError(f"optdigits-canvas has {total} digits: {count} feedback records leave none held out")
    order = np.random.default_rng(seed + 7).permutation(total)
    return order[:count].astype(np.int64), order[count : count + heldout].astype(np.int64)


def _optdigits_labels() -> NDArray[np.uint8]:
    """The 1,797 optdigits labels, (1797,) uint8 in [0, 9]."""
    from sklearn.datasets import load_digits

    return np.asarray(load_digits().target, dtype=np.uint8)


def _optdigits_images(indices: NDArray[np.int64]) -> list[bytes]:
    """The optdigits-canvas drawings (the README's evaluation set, seed 0) at ``indices``, as PNG bytes."""
    from digits.data.evalsets import optdigits_canvas_set

    drawn = optdigits_canvas_set(seed=0)
    return [drawn.images[i] for i in indices]


def users_feedback(
    population: str, count: int, seed: int, cache: Path, log: Any
) -> tuple[Path, NDArray[np.int64], NDArray[np.bool_], NDArray[np.int64]]:
    """The users' ``count`` drawings as an export (cached); returns (JSONL path, true labels, which
    labels are wrong, the MNIST training indices they were drawn from: none for optdigits)."""
    if population == OPTDIGITS:
        sources, _ = optdigits_split(count, 0, seed)
        truth_u8 = _optdigits_labels()[sources]
        mnist_sources = np.zeros(0, dtype=np.int64)
    else:
        data = load_mnist(DataSettings().mnist_dir)
        order = np.random.default_rng(VALIDATION_SEED).permutation(len(data.x_train))
        sources = np.random.default_rng(seed + 7).choice(order[VALIDATION_SIZE:], size=count, replace=False)
        truth_u8 = data.y_train[sources]
        mnist_sources = sources.astype(np.int64)
    truth = truth_u8.astype(np.int64)
    given, wrong = wrong_labels(truth_u8, seed)
    path = cache / f"feedback-{population}-{count}-seed{seed}.jsonl"
    if not path.is_file():
        log(f"drawing {count} {population} of the users (cached in {path})")
        if population == OPTDIGITS:
            images = _optdigits_images(sources)
        else:
            images = draw(population, data.x_train[sources], data.y_train[sources], seed=seed + 100)
        records = []
        for i, image in enumerate(images):
            records.append(
                feedback_record(
                    id=f"{population}-{i:05d}",
                    image=preprocess_bytes(image).image,
                    label=int(given[i]),
                    client=f"user-{i % CLIENTS:02d}",
                    created_at=T0 + dt.timedelta(minutes=7 * i),
                    original=image,
                    model_version="champion",
                )
            )
        write_jsonl(path, records)
    return path, truth, wrong, mnist_sources


def heldout_drawings(
    population: str, heldout: int, users: int, seed: int, cache: Path, log: Any
) -> tuple[NDArray[np.float32], NDArray[np.uint8]]:
    """The population's held-out drawings, preprocessed ((N, 28, 28) float32 in [0, 1]), and labels:
    for optdigits the ``heldout`` digits after the ``users``' ones in the draw ``seed``
    (:func:`optdigits_split`); else the first ``heldout`` MNIST test digits drawn as the population
    (seed 0: the README's evaluation set). Cached under ``cache``."""
    if population == OPTDIGITS:
        _, held = optdigits_split(users, heldout, seed)
        path = cache / f"heldout-{population}-{len(held)}-after{users}-seed{seed}.npz"
        labels = _optdigits_labels()[held]
    else:
        data = load_mnist(DataSettings().mnist_dir)
        path = cache / f"heldout-{population}-{heldout}.npz"
        labels = data.y_test[:heldout]
    if path.is_file():
        x = np.load(path)["x"]
    else:
        log(f"drawing {len(labels)} held-out {population} (cached in {path})")
        if population == OPTDIGITS:
            images = _optdigits_images(held)
        else:
            images = draw(population, data.x_test[:heldout], labels, seed=0)
        x = preprocess_all(images)
        np.savez_compressed(path, x=x)
    return x, labels


def evaluation_data(
    population: str, heldout: int, count: int, cache: Path, log: Any, *, users: int = 0, seed: int = 0
) -> OpenSetData:
    """MNIST test, the population's held-out drawings (:func:`heldout_drawings`), validation digits
    and non-digits that choose each model's verdict thresholds, and ``3 * count`` held-out
    non-digit drawings."""
    from digits.data.negatives import negative_drawings

    data = load_mnist(DataSettings().mnist_dir)
    held, held_labels = heldout_drawings(population, heldout, users, seed, cache, log)
    order = np.random.default_rng(VALIDATION_SEED).permutation(len(data.x_train))
    x_val = data.x_train[order[:VALIDATION_SIZE]]
    _, negatives = negative_drawings(
        count, seed=NEGATIVES_VALIDATION_SEED, split="validation", mnist_images=x_val[:count]
    )
    held_out = non_digit_sets(3 * count, NEGATIVES_TEST_SEED, data.x_test[heldout : heldout + count])
    return OpenSetData(
        validation_digits=preprocess_mnist(x_val)[..., None],
        validation_not_digits=preprocess_all(negatives),
        digit_sets={"mnist": preprocess_mnist(data.x_test)[..., None], population: held},
        not_digit_sets={name: preprocess_all(drawings) for name, drawings in held_out.items()},
        digit_labels={"mnist": data.y_test, population: held_labels},
    )


def run_loop(
    sizes: Sequence[int],
    output: Path,
    cache: Path,
    heldout: int,
    base: FinetuneConfig,
    non_digits: int,
    seeds: Sequence[int] = (0,),
    log: Any = print,
    command: str | None = None,
    population: str | None = None,
) -> dict[str, Any]:
    """The experiment of the module docstring; writes and returns the JSON result (``command``: the
    command line recorded in it).

    The first of ``seeds`` is the learning curve (every size of ``sizes``, and the largest again
    without the label filter); each further seed is another draw of users (other feedback, other
    held-out drawings for optdigits, another split) at the largest size only. The target is judged
    on all draws pooled: the held-out errors after fine-tuning against those before, summed.
    """
    started = time.perf_counter()
    cache.mkdir(parents=True, exist_ok=True)
    chosen, candidates = choose_population(ModelCard.for_model(base.champion))
    population = population or chosen
    log(f"population: {population} (champion's card: {candidates})")
    largest = max(sizes)
    runs: list[dict[str, Any]] = []
    draws: list[dict[str, Any]] = []
    first: dict[str, Any] = {}
    for k, seed in enumerate(seeds):
        plan = [(n, "agreement") for n in sorted(sizes)] + [(largest, "none")] if k == 0 else [(largest, "agreement")]
        draw_runs, champion, held, replay_sizes = _one_draw(
            population, seed, plan, cache, heldout, base, non_digits, log
        )
        runs += draw_runs
        if k == 0:
            first = {"champion": champion, "held": held, "replay": replay_sizes}
        at = next(r for r in draw_runs if r["feedback"] == largest and r["label_filter"] == "agreement")
        draws.append(
            {
                "seed": seed,
                "heldout": held[population],
                "errors_before": round((1 - champion[population]) * held[population]),
                "errors_after": round(at["population_error"] * held[population]),
                "population_error_reduction": at["population_error_reduction"],
                "mnist_change": at["mnist_change"],
                "promoted": at["promoted"],
            }
        )
        log(f"draw {seed}: {json.dumps(draws[-1])}")

    before = sum(d["errors_before"] for d in draws)
    after = sum(d["errors_after"] for d in draws)
    pooled = round(1 - after / before, 4) if before else None
    worst_mnist = min(d["mnist_change"] for d in draws)
    champion = first["champion"]
    result_json: dict[str, Any] = {
        "population": population,
        "candidates": candidates,
        "champion": portable_path(base.champion),
        "champion_scores": champion,
        "champion_population_error": round(1 - champion[population], 5),
        "heldout": {"population": first["held"][population], "mnist": first["held"]["mnist"]},
        "wrong_label_share": 0.1,
        "clients": CLIENTS,
        "config": {
            "epochs": base.epochs,
            "learning_rate": base.learning_rate,
            "batch_size": base.batch_size,
            "replay_mnist": first["replay"][0],
            "replay_not_a_digit": first["replay"][1],
            "feedback_share": base.feedback_share,
            "min_label_probability": base.min_label_probability,
            "mnist_tolerance": base.mnist_tolerance,
            "seed": seeds[0],
            "freeze_batch_norm": base.freeze_batch_norm,
        },
        "runs": [r for r in runs if r["seed"] == seeds[0]],
        "draws": draws,
        "target": {
            "population_error_reduction_at": largest,
            "required": 0.30,
            "measured": pooled,
            "over": "all draws pooled: 1 - errors after / errors before, summed over the held-out drawings",
            "mnist_change": worst_mnist,
            "mnist_tolerance": base.mnist_tolerance,
            "met": bool((pooled or 0) >= 0.30 and worst_mnist >= -base.mnist_tolerance - 1e-12),
        },
        "seconds": round(time.perf_counter() - started, 1),
        "machine": _machine(),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": command or portable_command("digits.finetune.loop", []),
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result_json, indent=2) + "\n")
    log(f"wrote {output} in {result_json['seconds']:.0f} s")
    return result_json


def _one_draw(
    population: str,
    seed: int,
    plan: Sequence[tuple[int, str]],
    cache: Path,
    heldout: int,
    base: FinetuneConfig,
    non_digits: int,
    log: Any,
) -> tuple[list[dict[str, Any]], dict[str, float], dict[str, int], tuple[int, int]]:
    """One draw of users (``seed``): its feedback fine-tuned on at each (records, label filter) of
    ``plan``. Returns (one result per run, the champion's scores, the held-out drawings of the
    population and of MNIST, the replayed MNIST digits and non-digits)."""
    started = time.perf_counter()
    largest = max(n for n, _ in plan)
    pool, _truth, wrong, sources = users_feedback(population, largest, seed, cache, log)
    records = read_jsonl(pool)
    evaluation = evaluation_data(population, heldout, non_digits, cache, log, users=largest, seed=seed)
    replay = replay_data(base.mnist_dir, base.replay_mnist, base.replay_not_a_digit, base.seed, exclude=sources)
    log(f"draw {seed}: data ready in {time.perf_counter() - started:.0f} s")

    runs: list[dict[str, Any]] = []
    champion: dict[str, float] = {}
    champion_cache: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n, label_filter in plan:
            export = cache / f"feedback-{population}-{n}of{largest}-seed{seed}.jsonl"
            if not export.is_file():
                lines = pool.read_text().splitlines(keepends=True)[:n]
                export.write_text("".join(lines))
            config = replace(
                base,
                feedback=export,
                label_filter=label_filter,  # type: ignore[arg-type]
                models_dir=Path(tmp) / f"models-{n}-{label_filter}",
                work_dir=cache / "runs",
                promote=False,  # the decision is recorded; nothing is served from an experiment
                export=False,
                track=False,
                command=portable_command("digits.finetune.loop", []),
            )
            t0 = time.perf_counter()
            result = run_finetune(config, evaluation, replay, log=log, champion_cache=champion_cache)
            ids = {r.id: i for i, r in enumerate(records[:n])}
            train_ids = [r.id for r in result.split.train]
            train_wrong = [i for i in train_ids if wrong[ids[i]]]
            train_right = [i for i in train_ids if not wrong[ids[i]]]
            champion = result.scores["champion"]
            challenger = result.scores["challenger"]
            error_before, error_after = 1 - champion[population], 1 - challenger[population]
            runs.append(
                {
                    "seed": seed,
                    "feedback": n,
                    "label_filter": label_filter,
                    "wrong_labels": int(wrong[:n].sum()),
                    "split": result.split.sizes(),
                    "split_by": result.split.by,
                    "train_wrong_labels": len(train_wrong),
                    "wrong_labels_filtered": sum(i not in result.kept for i in train_wrong),
                    "right_labels_filtered": sum(i not in result.kept for i in train_right),
                    "kept": len(result.kept),
                    "feedback_repeat": result.card.finetune.feedback_repeat if result.card.finetune else None,
                    "challenger": challenger,
                    "population_error": round(error_after, 5),
                    "population_error_reduction": round(1 - error_after / error_before, 4) if error_before else None,
                    "mnist_change": round(challenger["mnist"] - champion["mnist"], 5),
                    "promoted": result.promoted,
                    "reason": result.reason,
                    "seconds": round(time.perf_counter() - t0, 1),
                }
            )
            log(f"{n} records, filter {label_filter}: {json.dumps(runs[-1])}")
    held = {name: len(evaluation.digit_labels[name]) for name in (population, "mnist")}
    return runs, champion, held, (replay.mnist_images, len(replay.x) - replay.mnist_images)


def _machine() -> str:
    import os
    import platform

    return f"{platform.machine()}, {os.cpu_count()} CPU cores"


def main(argv: list[str] | None = None) -> int:
    settings = DataSettings()
    d = FinetuneConfig(feedback=Path("unused.jsonl"))
    parser = argparse.ArgumentParser(prog="python -m digits.finetune.loop", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 300, 1000], help="feedback records per run")
    parser.add_argument("--heldout", type=int, default=1000, help="held-out drawings of the population")
    parser.add_argument("--non-digits", type=int, default=300, help="validation non-digits (3x held out)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--champion", type=Path, default=settings.model_path)
    # make finetune's gentle fine-tune (3 epochs at 1e-4, 12,000 MNIST digits replayed); the
    # feedback a larger share of each epoch, as the loop's users bring only a few hundred records.
    parser.add_argument("--epochs", type=int, default=d.epochs)
    parser.add_argument("--learning-rate", type=float, default=d.learning_rate)
    parser.add_argument("--replay-mnist", type=int, default=d.replay_mnist)
    parser.add_argument("--replay-not-a-digit", type=int, default=1000)
    parser.add_argument("--feedback-share", type=float, default=0.3)
    parser.add_argument(
        "--seeds",
        type=int,
        nargs="+",
        default=[0, 1, 2, 3, 4],
        help="draws of users; the first gives the learning curve",
    )
    parser.add_argument(
        "--freeze-batch-norm", action="store_true", help="fine-tune with batch normalization in inference mode"
    )
    parser.add_argument(
        "--population",
        choices=[*POPULATIONS, *OTHER_POPULATIONS],
        default=None,
        help="the users' population (default: of POPULATIONS, the one the champion's card reads worst)",
    )
    args = parser.parse_args(argv)
    base = replace(
        d,
        champion=args.champion,
        epochs=args.epochs,
        learning_rate=args.learning_rate,
        replay_mnist=args.replay_mnist,
        replay_not_a_digit=args.replay_not_a_digit,
        feedback_share=args.feedback_share,
        freeze_batch_norm=args.freeze_batch_norm,
    )
    command = portable_command("digits.finetune.loop", argv)
    run_loop(
        args.sizes,
        args.output,
        args.cache,
        args.heldout,
        base,
        args.non_digits,
        args.seeds,
        command=command,
        population=args.population,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
