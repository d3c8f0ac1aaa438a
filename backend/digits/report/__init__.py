"""The project report: figures and one Markdown page, generated from the committed models and MNIST.

Usage (from ``backend/``; ``make report`` from the project root)::

    python -m digits.report                        # writes ../reports/README.md and PNG figures
    python -m digits.report --output /tmp/r --test-limit 500 --strokes-limit 50   # a quick look

Sections of ``reports/README.md``:
    * data: sample images per class, class distribution of the train and test splits;
    * training: accuracy and loss per epoch (training and validation) from each model card;
    * evaluation, for each served model: MNIST test accuracy, confusion matrix, per-class
      precision / recall / F1, misclassified test images;
    * robustness: accuracy on test digits shifted, scaled down and rotated on a 280x280 canvas,
      sent through the service's preprocessing (:func:`digits.preprocessing.preprocess_bytes`),
      and, for contrast, with the transformed 28x28 frame fed to the model directly;
    * beyond MNIST: the sets of :mod:`digits.evaluation` (UCI optical digits on a canvas, MNIST
      digits re-drawn with round brushes), with examples.

Modules:
    __main__   -- the command line (``python -m digits.report``)
    build      -- :func:`build_report`: loads data and models, computes every section, writes the page
    sections/  -- one module per section: computes its numbers, draws its figures (matplotlib, Agg),
                  returns a typed context (no Markdown)
    figures    -- shared plotting helpers: :class:`FigureWriter`, the image grid, canvas display
    render     -- the Jinja2 environment and filters; renders ``templates/report.md.j2``
    templates/report.md.j2 -- every word and table of the page

Every figure is generated here; nothing is edited by hand. The page names files relative to
``backend/`` or by name only, never by a path of the machine it was made on.
"""

from digits.report.build import DEFAULT_MODELS, DEFAULT_OUTPUT, build_report

__all__ = ["DEFAULT_MODELS", "DEFAULT_OUTPUT", "build_report"]
