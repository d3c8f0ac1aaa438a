"""Training beyond one device: ``--distribute mirrored`` on two logical CPU devices.

TensorFlow's devices can be split only before its first operation, so each check runs in a
fresh interpreter.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from digits.cards import ModelCard
from digits.settings import BACKEND_DIR
from digits.training.distribute import STRATEGIES, make_strategy

pytestmark = pytest.mark.slow  # TensorFlow in a fresh process each

MIRRORED_STEP = """
import json, numpy as np, keras, tensorflow as tf
from digits.training.distribute import make_strategy
mirrored = make_strategy("mirrored", cpu_devices=2)
x = np.random.default_rng(0).normal(size=(64, 8)).astype("float32")
y = np.random.default_rng(1).normal(size=(64, 2)).astype("float32")

def trained(strategy):
    keras.utils.set_random_seed(0)
    with strategy.scope():
        model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(4, activation="tanh"), keras.layers.Dense(2)])
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    before = [w.copy() for w in model.get_weights()]
    model.fit(x, y, batch_size=32, epochs=2, shuffle=False, verbose=0)
    return before, model.get_weights()

start_m, end_m = trained(mirrored)
start_d, end_d = trained(tf.distribute.get_strategy())
print(json.dumps({
    "replicas": mirrored.num_replicas_in_sync,
    "devices": list(mirrored.extended.worker_devices),
    "same_start": all(np.array_equal(a, b) for a, b in zip(start_m, start_d)),
    "moved": max(float(np.abs(a - b).max()) for a, b in zip(start_m, end_m)),
    "max_difference": max(float(np.abs(a - b).max()) for a, b in zip(end_m, end_d)),
}))
"""


def _python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], cwd=BACKEND_DIR, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_mirrored_on_two_cpu_devices_trains_as_one_device_does() -> None:
    """Two replicas, half the batch each, gradients summed: the same weights as one device."""
    result = json.loads(_python(MIRRORED_STEP).strip().splitlines()[-1])
    assert result["replicas"] == 2
    assert [device.rsplit("/", 1)[-1] for device in result["devices"]] == ["device:CPU:0", "device:CPU:1"]
    assert result["same_start"] and result["moved"] > 1e-3  # it trained, from the same start
    assert result["max_difference"] < 1e-5, result


def test_training_command_with_mirrored_strategy(mnist_dir: Path, tmp_path: Path) -> None:
    output = tmp_path / "mirrored.keras"
    command = [sys.executable, "-m", "digits.training.train", "--mnist-dir", str(mnist_dir), "--output", str(output)]
    command += ["--subset", "200", "--epochs", "1", "--batch-size", "32", "--stroke-mix", "0"]
    command += ["--distribute", "mirrored", "--cpu-devices", "2"]
    done = subprocess.run(command, cwd=BACKEND_DIR, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "training on 2 replica(s) (MirroredStrategy)" in done.stdout
    card = ModelCard.load(output.with_suffix(".json"))
    assert card.epochs == 1 and card.test_accuracy is not None and "--distribute mirrored" in (card.command or "")


def test_unknown_strategy_and_device_count_are_refused() -> None:
    assert STRATEGIES == ("none", "mirrored", "multi-worker")
    with pytest.raises(ValueError, match="unknown strategy"):
        make_strategy("parameter-server")
    with pytest.raises(ValueError, match="at least 1"):
        make_strategy("mirrored", cpu_devices=0)
