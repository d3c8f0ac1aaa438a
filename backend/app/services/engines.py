"""The engines a running service holds: loaded once at start-up, chosen per request by name."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.errors import ApiError
from digits.engines import MODEL_SPECS, Engine
from digits.engines.base import same_weights


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

    def segment_scorer(self, engine: Engine) -> Engine | None:
        """The engine that reads a written number's candidate segments for ``engine``: its
        quantized twin (``MODEL_SPECS[name].quantized``) when that is loaded and serves the same
        weights (the same version before ``+``), else ``None`` (``engine`` reads them itself)."""
        spec = MODEL_SPECS.get(engine.name)
        twin = self.engines.get(spec.quantized) if spec and spec.quantized else None
        return twin if twin is not None and same_weights(twin, engine) else None

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
        available = ", ".join(sorted(self.engines)) or "none"
        raise ApiError("unknown_model", f"unknown model {name!r}; available: {available} (see GET /models)")
