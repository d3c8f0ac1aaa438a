"""digits: the ML core of the product (no web imports).

Modules:
    settings       -- pydantic-settings for paths shared by training and serving
    data           -- MNIST IDX loader with validation and checksums
    preprocessing  -- the one transform from a user's drawing to the model's 28x28 input
    models         -- Keras model definitions
    augmentation   -- tf.data augmentation used in training
    train          -- the training command (``python -m digits.training.train``)
    engines        -- inference engines that load a model once and predict
    numpy_engine   -- the MLP in plain NumPy (matrix products, ReLU, softmax) from a .npz
    export_npz     -- export the Keras MLP's weights to that .npz (``python -m digits.training.export_npz``)
    rendering      -- turning 28x28 digits into canvas-like PNGs (tests, benchmark)
    report         -- figures and reports/README.md (``python -m digits.report``, ``make report``)
"""

__version__ = "1.0.0"
