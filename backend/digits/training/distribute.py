"""Training beyond one device: the ``tf.distribute`` strategy of ``python -m digits.training.train``.

``--distribute`` picks it:

* ``none`` (default): TensorFlow's default strategy, one device (all CPU cores, or the one GPU).
* ``mirrored``: :class:`tf.distribute.MirroredStrategy`, synchronous data parallelism on one
  machine. Every GPU gets a copy of the model and a slice of each batch (``batch_size`` is the
  global batch: 128 on 4 GPUs is 32 per GPU); the gradients are summed across the copies
  (NCCL on GPUs) before each step, so every copy keeps the same weights. With no GPU it mirrors
  over the CPU's logical devices: ``--cpu-devices 2`` splits the CPU into two, which is how the
  tests check it, not a speed-up (the devices share the same cores).
* ``multi-worker``: :class:`tf.distribute.MultiWorkerMirroredStrategy`, the same over several
  machines. Each worker runs the same command with ``TF_CONFIG`` naming the cluster and its own
  index, e.g. on worker 0 of two::

      TF_CONFIG='{"cluster": {"worker": ["trainer-0:12345", "trainer-1:12345"]},
                  "task": {"type": "worker", "index": 0}}' \\
        python -m digits.training.train --distribute multi-worker --batch-size 256

  Gradients are all-reduced over the network (NCCL or gRPC rings); worker 0 is the chief and
  writes the model and its card. Without ``TF_CONFIG`` it runs as a single worker.

Scale ``--learning-rate`` with the global batch (the linear rule of Goyal et al., 2017,
"Accurate, Large Minibatch SGD") when the batch grows with the device count.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import tensorflow as tf

STRATEGIES = ("none", "mirrored", "multi-worker")
"""The values of ``--distribute``."""


def split_cpu(devices: int) -> None:
    """Split the first physical CPU into ``devices`` logical devices (``/device:CPU:0`` ...).

    Must run before TensorFlow initialises its devices (before the first operation).

    Raises:
        ValueError: ``devices`` is less than 1.
        RuntimeError: TensorFlow's devices are already initialised (TensorFlow's own error).
    """
    import tensorflow as tf

    if devices < 1:
        raise ValueError(f"cpu devices must be at least 1, got {devices}")
    (cpu, *_) = tf.config.list_physical_devices("CPU")
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * devices)


def make_strategy(name: str, cpu_devices: int = 1) -> tf.distribute.Strategy:
    """The ``tf.distribute`` strategy called ``name`` (one of :data:`STRATEGIES`).

    Args:
        name: ``none``, ``mirrored`` or ``multi-worker``.
        cpu_devices: with more than 1, first split the CPU into that many logical devices
            (:func:`split_cpu`); ``mirrored`` mirrors over them when there is no GPU.

    Returns:
        The strategy; build and compile the model inside its ``scope()``.

    Raises:
        ValueError: an unknown ``name``, or ``cpu_devices`` < 1.
    """
    import tensorflow as tf

    if name not in STRATEGIES:
        raise ValueError(f"unknown strategy {name!r}; choose from {', '.join(STRATEGIES)}")
    if cpu_devices != 1:
        split_cpu(cpu_devices)
    if name == "none":
        return tf.distribute.get_strategy()
    if name == "multi-worker":
        return tf.distribute.MultiWorkerMirroredStrategy()
    if tf.config.list_logical_devices("GPU"):
        return tf.distribute.MirroredStrategy()  # every GPU
    cpus = [device.name for device in tf.config.list_logical_devices("CPU")]
    return tf.distribute.MirroredStrategy(devices=cpus)
