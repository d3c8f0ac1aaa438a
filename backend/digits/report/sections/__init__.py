"""One module per section of the report; each draws its figures and returns a typed context.

A section function takes a :class:`~digits.report.figures.FigureWriter` and the data it needs,
writes its PNG figures, and returns a frozen dataclass of numbers and figure file names for the
template (``templates/report.md.j2``); no section writes Markdown.

Modules:
    data          -- sample images per class, class distribution (:class:`DataContext`)
    training      -- accuracy and loss per epoch from the model cards (:class:`TrainingContext`)
    evaluation    -- MNIST test accuracy, confusion matrices, per-class stats (:class:`EvaluationContext`)
    robustness    -- shifted, scaled and rotated drawings (:class:`RobustnessContext`)
    beyond_mnist  -- the evaluation sets of :mod:`digits.data.evalsets` (:class:`BeyondMnistContext`)
    open_world    -- refusing what is not a digit: each card's ``open_set`` (:class:`OpenWorldContext`)
    feedback      -- the feedback loop's measured result and learning curve (:class:`FeedbackContext`)
    numbers       -- whole numbers: each card's ``numbers`` (:class:`NumbersContext`)
    variants      -- the CNN's exports (float32, dynamic-range, int8), ensemble, candidates (:class:`VariantsContext`)
    architectures -- candidate architectures compared: ``results/architectures.json`` (:class:`ArchitecturesContext`)
"""

from digits.report.sections.architectures import ArchitecturesContext, architectures_section
from digits.report.sections.beyond_mnist import BeyondMnistContext, beyond_mnist_section
from digits.report.sections.data import DataContext, data_section
from digits.report.sections.evaluation import EvaluationContext, evaluation_section
from digits.report.sections.feedback import FeedbackContext, feedback_section
from digits.report.sections.numbers import NumbersContext, numbers_section
from digits.report.sections.open_world import OpenWorldContext, open_world_section
from digits.report.sections.robustness import RobustnessContext, robustness_section
from digits.report.sections.training import TrainingContext, training_cards, training_section
from digits.report.sections.variants import VariantsContext, variants_section

__all__ = [
    "ArchitecturesContext",
    "BeyondMnistContext",
    "DataContext",
    "EvaluationContext",
    "FeedbackContext",
    "NumbersContext",
    "OpenWorldContext",
    "RobustnessContext",
    "TrainingContext",
    "VariantsContext",
    "architectures_section",
    "beyond_mnist_section",
    "data_section",
    "evaluation_section",
    "feedback_section",
    "numbers_section",
    "open_world_section",
    "robustness_section",
    "training_cards",
    "training_section",
    "variants_section",
]
