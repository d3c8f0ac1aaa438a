"""``python -m digits.evaluation``: see :mod:`digits.evaluation.evaluate`."""

from digits.evaluation.evaluate import main

raise SystemExit(main())
