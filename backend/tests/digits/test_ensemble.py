"""The ensemble: one graph averaging its members' probabilities, exported to one LiteRT file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from digits.cards import ModelCard
from digits.data.mnist import Mnist
from digits.engines.litert_engine import LiteRTEngine
from digits.training import ensemble
from tests.helpers import copy_models, small_mnist

keras = pytest.importorskip("keras")


def test_ensemble_is_the_mean_of_its_members(tmp_path: Path) -> None:
    from digits.training.architectures import build_lenet5

    paths = []
    for seed in (1, 2):
        keras.utils.set_random_seed(seed)
        paths.append(tmp_path / f"m{seed}.keras")
        build_lenet5(11).save(paths[-1])
    x = np.random.default_rng(0).random((4, 28, 28, 1), dtype=np.float32)
    members = [keras.models.load_model(p, compile=False).predict(x, verbose=0) for p in paths]
    assert not np.allclose(members[0], members[1])
    model = ensemble.build_ensemble(paths)
    np.testing.assert_allclose(model.predict(x, verbose=0), (members[0] + members[1]) / 2, atol=1e-6)


def test_members_must_agree_on_classes(tmp_path: Path) -> None:
    from digits.training.architectures import build_lenet5

    build_lenet5(10).save(tmp_path / "ten.keras")
    build_lenet5(11).save(tmp_path / "eleven.keras")
    with pytest.raises(ValueError, match="classes"):
        ensemble.build_ensemble([tmp_path / "ten.keras", tmp_path / "eleven.keras"])
    with pytest.raises(ValueError, match="two members"):
        ensemble.build_ensemble([tmp_path / "ten.keras"])


@pytest.mark.slow  # one TensorFlow conversion
def test_command_writes_one_litert_file_and_its_card(
    tmp_path: Path, mnist: Mnist, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(ensemble, "load_mnist", lambda _directory: small_mnist(mnist, train=0, test=300))
    models = copy_models(tmp_path / "models", ["mlp"])
    twin = models / "mlp_twin.keras"
    twin.write_bytes((models / "mlp.keras").read_bytes())
    twin.with_suffix(".json").write_bytes((models / "mlp.json").read_bytes())
    output = models / "mlp_ensemble_litert.tflite"
    args = ["--member", str(models / "mlp.keras"), "--member", str(twin), "--output", str(output)]
    assert ensemble.main(args) == 0

    card = ModelCard.load(output.with_suffix(".json"))
    assert card.engine == "litert" and card.architecture == "ensemble(mlp+mlp)" and card.classes == 10
    assert card.members == ["mlp.keras", "mlp_twin.keras"] and card.members_sha256 is not None
    assert card.members_sha256[0] == card.members_sha256[1] and card.parameters == 2 * 136_074
    # Two identical members: the ensemble answers exactly as one of them does.
    assert card.members_test_accuracy is not None and card.test_accuracy == card.members_test_accuracy[0]
    engine = LiteRTEngine(output, name="cnn-ensemble")
    probabilities = engine.predict_proba(np.zeros((3, 28, 28, 1), np.float32))
    assert probabilities.shape == (3, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    assert "2 members" in capsys.readouterr().out
