"""Inference engines: load a model once, then map preprocessed images to probabilities.

Modules:
    base           -- the :class:`Engine` protocol, :class:`ModelLoadError`, :func:`predict_batched`
    litert_engine  -- LiteRT flatbuffers (``ai_edge_litert``, no TensorFlow): the served default
    numpy_mlp      -- the MLP in plain NumPy (matrix products, ReLU, softmax) from a ``.npz``
    keras_engine   -- ``.keras`` models through TensorFlow (loaded only when named in ``MODELS``)
    tta            -- test-time augmentation over another engine
    registry       -- which served name is which file and engine (:data:`MODEL_SPECS`)
"""

from digits.engines.base import Engine, ModelLoadError, PredictProba, predict_batched
from digits.engines.registry import MODEL_SPECS, ModelSpec, load_engine, load_engines

__all__ = [
    "MODEL_SPECS",
    "Engine",
    "ModelLoadError",
    "ModelSpec",
    "PredictProba",
    "load_engine",
    "load_engines",
    "predict_batched",
]
