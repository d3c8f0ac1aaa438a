"""Learning from feedback: read the export, split it, filter bad labels, fine-tune the champion,
promote the challenger only when it is better (``python -m digits.finetune``), and the measured
proof that the loop works (``python -m digits.finetune.loop``).

Modules:
    records  -- the export's JSONL records (read and write)
    split    -- train/validation/test by client and time
    noise    -- the label filter (agreement with the champion)
    finetune -- the fine-tune, the evaluation of champion and challenger, the promotion rule
    loop     -- the loop experiment: a population's drawings as feedback, 100 to 1,000 of them
"""

from digits.finetune.finetune import FinetuneConfig, FinetuneResult, decide, run_finetune
from digits.finetune.noise import agreement_filter
from digits.finetune.records import FeedbackFormatError, FeedbackRecord, feedback_record, read_jsonl, write_jsonl
from digits.finetune.split import FeedbackSplit, split_feedback

__all__ = [
    "FeedbackFormatError",
    "FeedbackRecord",
    "FeedbackSplit",
    "FinetuneConfig",
    "FinetuneResult",
    "agreement_filter",
    "decide",
    "feedback_record",
    "read_jsonl",
    "run_finetune",
    "split_feedback",
    "write_jsonl",
]
