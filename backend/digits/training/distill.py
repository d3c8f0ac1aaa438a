"""Knowledge distillation: a small student trained on the teacher's softened outputs as well as
the labels (Hinton, Vinyals and Dean, "Distilling the Knowledge in a Neural Network", 2015).

Keras' own :class:`keras.distillation.Distiller` with :class:`keras.distillation.LogitsDistillation`
does the work (Keras >= 3.12; this project pins the version in ``requirements.lock``): the loss is
``student_loss_weight`` times the student's cross-entropy on the labels plus the rest times the
KL divergence between teacher and student at ``temperature``, scaled by its square. The teacher
is frozen. Our models end in a softmax, so both are given to the distiller as log-probabilities,
which are their logits up to a constant per image (a softmax does not change under a shift); the
student's layers are shared, so training the distiller trains the student itself.

``python -m digits.training.train --teacher models/cnn.keras --architecture separable_cnn ...``
distils the served CNN into the depthwise-separable one: the same pipeline, data and
augmentation as any training run (:mod:`digits.training.train`).
"""

from __future__ import annotations

from typing import Any

TEMPERATURE = 4.0
"""Softening of both distributions (Hinton et al. used 2-20; Keras' example uses 3-10)."""
STUDENT_LOSS_WEIGHT = 0.5
"""Weight of the labels' cross-entropy; the teacher's term has the rest (Keras' default)."""
FLOOR = 1e-12
"""Smallest probability taken into a logarithm (a float32 softmax can round to 0)."""


def as_logits(model: Any) -> Any:
    """A model sharing ``model``'s layers whose output is log(its probabilities), clipped at
    :data:`FLOOR`: (N, C) float32 logits up to a constant per row."""
    import keras

    outputs = keras.ops.log(keras.ops.clip(model.output, FLOOR, 1.0))
    return keras.Model(model.inputs, outputs, name=f"{model.name}_logits")


def distiller(
    teacher: Any, student: Any, temperature: float = TEMPERATURE, student_loss_weight: float = STUDENT_LOSS_WEIGHT
) -> Any:
    """A :class:`keras.distillation.Distiller` that trains ``student`` from ``teacher``.

    Args:
        teacher: a trained Keras model, (N, 28, 28, 1) float32 in [0, 1] -> (N, C) probabilities.
        student: a Keras model with the same input and C outputs (softmax), trained in place.
        temperature: see :data:`TEMPERATURE`.
        student_loss_weight: see :data:`STUDENT_LOSS_WEIGHT`, in [0, 1].

    Returns:
        The distiller, to compile with ``loss=keras.losses.CategoricalCrossentropy(from_logits=True)``
        and fit on (images, one-hot targets); its predictions are the student's logits.

    Raises:
        ValueError: the models' inputs or outputs do not match, or a weight outside [0, 1].
    """
    import keras

    return keras.distillation.Distiller(
        teacher=as_logits(teacher),
        student=as_logits(student),
        # The loss as an instance: Keras 3.15 turns the default "kl_divergence" into a plain
        # function, which skips LogitsDistillation's softmax and T**2 branch and clips the scaled
        # logits to [1e-7, 1] instead (log-probabilities are <= 0: no gradient at all).
        distillation_losses=keras.distillation.LogitsDistillation(
            temperature=temperature, loss=keras.losses.KLDivergence()
        ),
        student_loss_weight=student_loss_weight,
    )
