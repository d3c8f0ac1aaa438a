"""Training: Keras architectures, augmentation, the training command and the exports.

Modules:
    architectures  -- the enhanced CNN and the MLP (Keras)
    augmentation   -- random affine and drawing augmentation in the ``tf.data`` pipeline
    train          -- ``python -m digits.training.train``: train and write the model and its card
    export_litert  -- ``python -m digits.training.export_litert``: LiteRT float32 and dynamic-range exports
    export_npz     -- ``python -m digits.training.export_npz``: the MLP's weights for the NumPy engine
"""
