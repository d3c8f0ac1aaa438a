"""Retraining from feedback: the export's records, the split, the label filter, the promotion rule,
and a whole fine-tune of a tiny model on a tiny export (into temporary folders only)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from digits.cards import ModelCard
from digits.data.mnist import Mnist
from digits.engines import Engine, predict_batched
from digits.finetune import (
    FeedbackFormatError,
    FinetuneConfig,
    agreement_filter,
    decide,
    feedback_record,
    read_jsonl,
    run_finetune,
    split_feedback,
    write_jsonl,
)
from digits.finetune.finetune import FEEDBACK_TEST
from digits.finetune.records import FeedbackRecord
from digits.preprocessing import preprocess_mnist
from digits.settings import DEFAULT_MODELS_DIR

T0 = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


def _records(mnist: Mnist, count: int, clients: int, wrong: float = 0.0, seed: int = 0) -> list[dict[str, object]]:
    """``count`` MNIST test digits as exported feedback from ``clients`` clients; every tenth has a null
    label drawn as a blank-ish scribble; a share ``wrong`` of the digits carry another digit's label."""
    rng = np.random.default_rng(seed)
    x = preprocess_mnist(mnist.x_test[:count])
    out = []
    for i in range(count):
        label: int | None = int(mnist.y_test[i])
        image = x[i]
        if i % 10 == 9:
            label, image = None, np.triu(np.ones((28, 28), np.float32))[::-1] * (np.arange(28) % 3 == 0)
        elif rng.random() < wrong:
            label = int((mnist.y_test[i] + rng.integers(1, 10)) % 10)
        out.append(
            feedback_record(
                id=f"r{i:04d}",
                image=image,
                label=label,
                client=f"client-{i % clients}",
                created_at=T0 + dt.timedelta(minutes=i),
            )
        )
    return out


def test_records_round_trip_in_the_export_format(mnist: Mnist, tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    assert write_jsonl(path, _records(mnist, 20, clients=3)) == 20
    line = json.loads(path.read_text().splitlines()[0])
    assert set(line) == {
        "id", "created_at", "client", "label", "predicted", "model_version", "probabilities",
        "input_image", "image", "strokes", "canvas", "device",
    }  # fmt: skip
    assert line["created_at"].endswith("Z")
    records = read_jsonl(path)
    assert [r.id for r in records] == [f"r{i:04d}" for i in range(20)]
    assert records[0].image.shape == (28, 28) and records[0].image.dtype == np.float32
    expected = preprocess_mnist(mnist.x_test[:1])[0]
    assert np.abs(records[0].image - expected).max() <= 1 / 255 + 1e-6  # 8-bit PNG
    assert records[9].label is None and records[9].target == 10 and records[0].target == records[0].label
    assert records[1].created_at > records[0].created_at and records[0].created_at.tzinfo is not None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"label": 11}, "label must be 0-9 or null"),
        ({"label": True}, "label must be 0-9 or null"),
        ({"input_image": "not base64!"}, "input_image is not a base64 image"),
        ({"created_at": "yesterday"}, "Invalid isoformat"),
        ({"client": None, "id": None, "drop": "client"}, "missing field 'client'"),
    ],
)
def test_a_bad_line_names_its_number_and_field(
    mnist: Mnist, tmp_path: Path, change: dict[str, object], message: str
) -> None:
    good, bad = _records(mnist, 2, clients=1)
    bad.update(change)
    if "drop" in change:
        del bad["client"], bad["drop"]
    path = tmp_path / "export.jsonl"
    write_jsonl(path, [good, bad])
    with pytest.raises(FeedbackFormatError, match=rf"export.jsonl:2: .*{message}"):
        read_jsonl(path)


def test_an_input_image_of_the_wrong_size_is_refused(tmp_path: Path) -> None:
    record = feedback_record(id="x", image=np.zeros((32, 32), np.float32), label=1, client="c", created_at=T0)
    path = tmp_path / "export.jsonl"
    write_jsonl(path, [record])
    with pytest.raises(FeedbackFormatError, match="32x32, expected 28x28"):
        read_jsonl(path)


def _record(i: int, client: str, minutes: int) -> FeedbackRecord:
    image = np.zeros((28, 28), np.float32)
    return FeedbackRecord(f"r{i}", T0 + dt.timedelta(minutes=minutes), client, i % 10, None, "v", image)


def test_split_keeps_each_client_in_one_part_and_holds_out_the_newest() -> None:
    # 10 clients of 10 records each; client k starts at minute 10k and draws for 100 minutes.
    records = [_record(10 * k + j, f"c{k}", 10 * k + 7 * j) for k in range(10) for j in range(10)]
    split = split_feedback(records[::-1], validation_fraction=0.2, test_fraction=0.3)
    assert split.by == "client" and split.sizes() == {"train": 50, "validation": 20, "test": 30}
    clients = {name: {r.client for r in part} for name, part in vars(split).items() if name != "by"}
    assert clients["test"] == {"c7", "c8", "c9"} and clients["validation"] == {"c5", "c6"}
    assert not (clients["train"] & clients["validation"]) and not (clients["train"] & clients["test"])
    assert split.train == sorted(split.train, key=lambda r: r.created_at)


def test_split_by_time_when_there_are_few_clients() -> None:
    records = [_record(i, f"c{i % 2}", i) for i in range(20)]
    split = split_feedback(records, validation_fraction=0.25, test_fraction=0.25)
    assert split.by == "time" and split.sizes() == {"train": 10, "validation": 5, "test": 5}
    assert max(r.created_at for r in split.train) < min(r.created_at for r in split.validation)
    assert max(r.created_at for r in split.validation) < min(r.created_at for r in split.test)
    with pytest.raises(ValueError, match="sum to less than 1"):
        split_feedback(records, validation_fraction=0.5, test_fraction=0.5)


def test_agreement_filter_drops_wrong_labels_and_keeps_right_ones(mnist: Mnist, engine: Engine) -> None:
    """With the committed champion, 10 % wrong labels on 500 MNIST test digits: nearly all caught,
    nearly no right label lost."""
    rng = np.random.default_rng(3)
    x, y = preprocess_mnist(mnist.x_test[-500:])[..., None], mnist.y_test[-500:].astype(np.int64)
    flipped = rng.random(500) < 0.1
    labels = np.where(flipped, (y + rng.integers(1, 10, 500)) % 10, y)
    result = agreement_filter(predict_batched(engine.predict_proba, x), labels, 0.01)
    assert result.label_probability.shape == (500,) and 0 <= result.label_probability.min() <= 1
    assert (~result.keep[flipped]).mean() >= 0.95  # wrong labels caught
    assert result.keep[~flipped].mean() >= 0.98  # right labels kept
    assert result.filtered_out == int((~result.keep).sum())
    assert agreement_filter(predict_batched(engine.predict_proba, x), labels, 0.0).keep.all()


def test_agreement_filter_judges_a_digit_label_among_the_digits() -> None:
    """A 7 the champion calls "not a digit" (0.9) but, among the digits, a 7 (0.08 of 0.1) is a
    correction to keep; a 3 on the same drawing is a wrong tap; "not a digit" on a clear 7 too."""
    p = np.zeros((3, 11))
    p[:, 10], p[:, 7], p[:, 1] = 0.9, 0.08, 0.02
    p[2] = np.eye(11)[7] * 0.99 + 0.001
    result = agreement_filter(p, np.array([7, 3, 10]), 0.01)
    assert result.keep.tolist() == [True, False, False]
    assert result.label_probability[0] == pytest.approx(0.8)


def test_agreement_filter_checks_its_input() -> None:
    p = np.full((3, 11), 1 / 11)
    with pytest.raises(ValueError, match="targets must be in"):
        agreement_filter(p, np.array([0, 1, 11]), 0.01)
    with pytest.raises(ValueError, match="expected"):
        agreement_filter(p, np.array([0, 1]), 0.01)
    with pytest.raises(ValueError, match="min_label_probability"):
        agreement_filter(p, np.array([0, 1, 2]), 1.5)


def test_promotion_rule_both_ways() -> None:
    champion = {"mnist": 0.9955, FEEDBACK_TEST: 0.90}
    assert decide(champion, {"mnist": 0.9950, FEEDBACK_TEST: 0.93}, 0.0005)[0]  # exactly at the floor
    promote, reason = decide(champion, {"mnist": 0.9949, FEEDBACK_TEST: 0.99}, 0.0005)
    assert not promote and "below the champion's 99.55%" in reason
    promote, reason = decide(champion, {"mnist": 0.9990, FEEDBACK_TEST: 0.90}, 0.0005)
    assert not promote and "not better" in reason
    assert decide({"mnist": 0.99}, {"mnist": 0.999}, 0.0005) == (False, "no held-out feedback to compare on")


@pytest.mark.slow
def test_finetune_a_tiny_model_on_a_tiny_export(
    mnist: Mnist, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The whole command: split, filter, fine-tune an untrained MLP, evaluate, promote into a temporary
    models folder, export, log and register in a temporary MLflow store. The committed models stay."""
    import mlflow

    from digits.evaluation.open_set import OpenSetData
    from digits.finetune.__main__ import main
    from digits.training import tracking
    from digits.training.architectures import build_mlp

    committed = {p.name: p.read_bytes() for p in DEFAULT_MODELS_DIR.iterdir() if p.is_file()}
    export = tmp_path / "export.jsonl"
    write_jsonl(export, _records(mnist, 200, clients=10, wrong=0.1))
    champion = tmp_path / "champion" / "cnn.keras"
    champion.parent.mkdir()
    build_mlp(11).save(champion)  # untrained: any learning beats it
    x_eval = preprocess_mnist(mnist.x_test[200:300])[..., None]
    data = OpenSetData(
        validation_digits=x_eval[:50],
        validation_not_digits=x_eval[:20] * 0.2,
        digit_sets={"mnist": x_eval},
        not_digit_sets={"shapes": x_eval[50:70] * 0.2},
        digit_labels={"mnist": mnist.y_test[200:300]},
    )
    config = FinetuneConfig(
        feedback=export,
        champion=champion,
        models_dir=tmp_path / "models",
        work_dir=tmp_path / "runs",
        epochs=2,
        learning_rate=3e-3,
        replay_mnist=400,
        replay_not_a_digit=20,
        mnist_tolerance=0.5,
        verbose=0,
    )
    result = run_finetune(config, evaluation=data, log=lambda line: None)

    assert result.split.by == "client" and sum(result.split.sizes().values()) == 200
    assert 0 < len(result.kept) <= result.split.sizes()["train"]
    assert result.promoted, result.reason
    assert result.scores["challenger"][FEEDBACK_TEST] > result.scores["champion"][FEEDBACK_TEST]
    promoted = {p.name for p in (tmp_path / "models").iterdir()}
    assert promoted == {
        f"{stem}.{ext}"
        for stem in ("cnn_litert", "cnn_litert_dynamic", "cnn_litert_int8")
        for ext in ("tflite", "json")
    } | {"cnn.keras", "cnn.json"}
    card = ModelCard.load(tmp_path / "models" / "cnn.json")
    assert card.finetune is not None and card.finetune.promoted and card.finetune.records == result.split.sizes()
    assert card.finetune.label_filter == "agreement"
    assert card.finetune.filtered_out == result.split.sizes()["train"] - len(result.kept)
    assert card.open_set is not None and card.evaluations is not None and FEEDBACK_TEST in card.evaluations.sets
    assert card.history is not None and len(card.history["loss"]) == 2
    for export in ("cnn_litert", "cnn_litert_dynamic", "cnn_litert_int8"):  # served with their own thresholds
        exported = ModelCard.load(tmp_path / "models" / f"{export}.json")
        assert exported.open_set is not None and exported.evaluations is not None
        assert exported.source_model_sha256 == card.model_sha256
    assert str(tmp_path) not in card.model_dump_json()  # no machine path in the card
    assert {p.name: p.read_bytes() for p in DEFAULT_MODELS_DIR.iterdir() if p.is_file()} == committed

    assert result.run_id is not None
    run = mlflow.MlflowClient().get_run(result.run_id)
    assert run.data.params["label_filter"] == "agreement" and run.data.params["records.train"] == str(
        result.split.sizes()["train"]
    )
    history = mlflow.MlflowClient().get_metric_history(result.run_id, "val_loss")
    assert [m.step for m in history] == [0, 1]
    assert run.data.metrics[f"eval.{FEEDBACK_TEST}"] == card.evaluations.sets[FEEDBACK_TEST]
    artifacts = {a.path for a in mlflow.MlflowClient().list_artifacts(result.run_id, "model")}
    assert {"model/cnn.keras", "model/cnn_litert.tflite", "model/cnn.json"} <= artifacts
    version = mlflow.MlflowClient().get_model_version_by_alias(tracking.REGISTERED_MODEL, tracking.CHAMPION)
    assert version.run_id == result.run_id

    # The same export again, from the command line, without promotion: nothing changes in models_dir.
    before = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "models").iterdir()}
    assert main(["--feedback", str(export), "--champion", str(tmp_path / "missing.keras"), "--no-track"]) == 1
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    assert main(["--feedback", str(empty), "--champion", str(champion), "--no-track", "--no-promote"]) == 1
    assert "no feedback left" in capsys.readouterr().err
    assert {p.name: p.stat().st_mtime_ns for p in (tmp_path / "models").iterdir()} == before


def test_finetuning_can_keep_batch_normalization_in_inference_mode(tmp_path: Path) -> None:
    """By default the fine-tune's batches move the batch-normalization statistics; with
    ``freeze_batch_norm`` they do not, the other weights still do, and the saved challenger
    trains as usual when fine-tuned again."""
    import keras

    from digits.finetune.finetune import fit

    inputs = keras.Input((28, 28, 1))
    x = keras.layers.Conv2D(4, 3, name="conv")(inputs)
    x = keras.layers.BatchNormalization(name="bn")(x)
    outputs = keras.layers.Dense(11, activation="softmax")(keras.layers.GlobalAveragePooling2D()(x))
    champion = tmp_path / "champion.keras"
    keras.Model(inputs, outputs).save(champion)
    rng = np.random.default_rng(0)
    images = rng.random((64, 28, 28, 1), dtype=np.float32) * 3.0  # far from the fresh statistics (0, 1)
    targets = rng.integers(0, 11, 64)
    config = FinetuneConfig(feedback=tmp_path / "unused.jsonl", epochs=2, learning_rate=1e-2, augment=False, verbose=0)
    fit(champion, images, targets, images[:16], targets[:16], config, tmp_path / "moved.keras")
    moved_bn = keras.models.load_model(tmp_path / "moved.keras").get_layer("bn").get_weights()
    assert not np.array_equal(moved_bn[-2], keras.models.load_model(champion).get_layer("bn").get_weights()[-2])
    config = replace(config, freeze_batch_norm=True)
    fit(champion, images, targets, images[:16], targets[:16], config, tmp_path / "challenger.keras")

    before = keras.models.load_model(champion)
    after = keras.models.load_model(tmp_path / "challenger.keras")

    def statistics(model: keras.Model) -> dict[str, np.ndarray]:
        return {w.path.split("/")[-1]: np.asarray(w) for w in model.get_layer("bn").weights}

    moved = statistics(after)
    for name, value in statistics(before).items():
        assert np.array_equal(moved[name], value), name
    assert not np.array_equal(after.get_layer("conv").get_weights()[0], before.get_layer("conv").get_weights()[0])
    assert all(layer.trainable for layer in after.layers)


def test_wrong_labels_are_exactly_one_in_ten() -> None:
    from digits.finetune.loop import wrong_labels

    labels = np.arange(1000, dtype=np.uint8) % 10
    given, wrong = wrong_labels(labels, seed=0)
    for n in (100, 300, 1000):
        assert wrong[:n].sum() == n // 10
    assert (given[wrong] != labels[wrong]).all() and (given[~wrong] == labels[~wrong]).all()
    assert given.min() >= 0 and given.max() <= 9


def test_the_loop_picks_the_population_read_worst() -> None:
    from digits.cards import Evaluations
    from digits.finetune.loop import choose_population

    card = ModelCard(
        name="m",
        architecture="a",
        evaluations=Evaluations(
            sets={"photos": 0.99, "optdigits-canvas": 0.98, "strokes-28px": 0.97, "mnist": 0.99}, command="c"
        ),
    )
    # The stroke sets are never chosen: the champion trained on drawings of the same kind.
    assert choose_population(card) == ("optdigits-canvas", {"optdigits-canvas": 0.98, "photos": 0.99})
    with pytest.raises(ValueError, match="measures none"):
        choose_population(ModelCard(name="m", architecture="a"))


@pytest.mark.slow
def test_the_loop_command_on_a_few_drawings(tmp_path: Path) -> None:
    """The loop end to end on 20 feedback drawings of the population the committed champion reads
    worst and 20 held-out ones: the JSON the report reads."""
    from digits.finetune.loop import choose_population, main

    output = tmp_path / "loop.json"
    committed = {p.name: p.read_bytes() for p in DEFAULT_MODELS_DIR.iterdir() if p.is_file()}
    args = ["--sizes", "20", "--heldout", "20", "--non-digits", "10", "--output", str(output), "--cache", str(tmp_path)]
    args += ["--seeds", "0"]
    assert main([*args, "--replay-mnist", "200", "--replay-not-a-digit", "10", "--epochs", "1"]) == 0
    result = json.loads(output.read_text())
    worst, _ = choose_population(ModelCard.for_model(DEFAULT_MODELS_DIR / "cnn.keras"))
    assert result["population"] == worst and result["heldout"] == {"population": 20, "mnist": 10000}
    assert [(r["feedback"], r["label_filter"]) for r in result["runs"]] == [(20, "agreement"), (20, "none")]
    assert [d["seed"] for d in result["draws"]] == [0] and result["target"]["over"].startswith("all draws pooled")
    run = result["runs"][0]
    assert run["wrong_labels"] == 2 and sum(run["split"].values()) == 20
    assert run["kept"] + run["wrong_labels_filtered"] + run["right_labels_filtered"] == run["split"]["train"]
    assert set(run["challenger"]) >= {"mnist", worst, "feedback-test"} and result["target"]["required"] == 0.3
    assert str(tmp_path) not in output.read_text()
    assert {p.name: p.read_bytes() for p in DEFAULT_MODELS_DIR.iterdir() if p.is_file()} == committed
