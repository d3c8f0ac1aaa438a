"""Evaluation: accuracy on every set, the verdict thresholds, inference latency, MNIST's stroke width.

Modules:
    metrics      -- accuracy and an export's agreement with its source, through the API's preprocessing
    evaluate     -- ``python -m digits.evaluation``: every served model on every evaluation set
    open_set     -- ``python -m digits.evaluation.open_set``: the verdict thresholds, refusal and AUROC
    stroke_width -- ``python -m digits.evaluation.stroke_width``: MNIST's stroke widths
    latency      -- ``python -m digits.evaluation.latency``: one image through each model alone
"""
