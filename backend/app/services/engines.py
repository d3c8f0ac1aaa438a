"""The engines a running service holds: loaded once at start-up, chosen per request by name."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.errors import ApiError
from digits.engines import MODEL_SPECS, Engine
from digits.numbers import Segmenter
from digits.verdict import Thresholds


@dataclass
class LoadedEngines:
    """The models this process serves.

    Attributes:
        engines: loaded engines by served name (``cnn``, ``mlp-numpy``, ...).
        errors: why a model named in ``MODELS`` could not be loaded, by name.
        default: the name used when a request names no model (``DEFAULT_MODEL``).
    """

    engines: dict[str, Engine] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    default: str = "cnn"

    @property
    def default_engine(self) -> Engine | None:
        """The default model's engine, or ``None`` while it is not loaded."""
        return self.engines.get(self.default)

    def description(self, name: str) -> str:
        """The one-line description of a served model (its ``MODEL_SPECS`` entry)."""
        spec = MODEL_SPECS.get(name)
        return spec.description if spec else name

    def segmenter(self, engine: Engine) -> Segmenter | None:
        """The model that decides how a written number is cut for ``engine``: its
        ``MODEL_SPECS[name].segmenter`` with that model's own calibrated thresholds, when it is
        loaded; else ``None`` (``engine`` decides itself)."""
        spec = MODEL_SPECS.get(engine.name)
        helper = self.engines.get(spec.segmenter) if spec and spec.segmenter else None
        if helper is None:
            return None
        return Segmenter(helper.predict_proba, Thresholds.calibrated(helper.card.open_set))

    def choosable(self) -> list[str]:
        """The served models a request may choose (helpers such as ``cnn-segmenter`` left out), sorted."""
        return sorted(name for name in self.engines if not (name in MODEL_SPECS and MODEL_SPECS[name].helper))

    def select(self, name: str | None) -> Engine:
        """The engine for ``name`` (``None``: the default model).

        Raises:
            ApiError: ``model_unavailable`` (503) for a model that failed to load or while no model
                is loaded; ``unknown_model`` (422) for a name this service does not serve.
        """
        name = name or self.default
        if name in self.engines:
            return self.engines[name]
        if name in self.errors:
            raise ApiError("model_unavailable", f"model {name!r} is not loaded: {self.errors[name]}")
        if name == self.default and not self.engines:
            raise ApiError("model_unavailable", "no model is loaded: train one with `make train`")
        available = ", ".join(self.choosable()) or "none"
        raise ApiError("unknown_model", f"unknown model {name!r}; available: {available} (see GET /models)")
