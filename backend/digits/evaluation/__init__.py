"""Evaluation: accuracy on every set, the ``uncertain`` threshold, and inference latency.

Modules:
    metrics      -- accuracy and an export's agreement with its source, through the API's preprocessing
    evaluate     -- ``python -m digits.evaluation``: every served model on every evaluation set
    calibration  -- ``python -m digits.evaluation.calibration``: the ``uncertain`` threshold
    latency      -- ``python -m digits.evaluation.latency``: one image through each model alone
"""
