"""A small model registry in the spirit of timm: names map to (config class, builder).

Every model is built from a typed, JSON-serialisable config dataclass; that config is stored in
each checkpoint and model artifact, so a saved model can be rebuilt without any pickle.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import Any, Callable

from torch import nn

from msmrnet.errors import ConfigError
from msmrnet.utils.types import check_type


@dataclass(frozen=True)
class ModelEntry:
    name: str
    config_cls: type
    builder: Callable[[Any], nn.Module]
    defaults: dict[str, Any]
    description: str


_REGISTRY: dict[str, ModelEntry] = {}


def register_model(name: str, config_cls: type, description: str = "", **defaults: Any):
    """Decorator: register ``builder(config) -> nn.Module`` under ``name`` with preset defaults."""

    def wrap(builder: Callable[[Any], nn.Module]) -> Callable[[Any], nn.Module]:
        if name in _REGISTRY:
            raise ValueError(f"model {name!r} registered twice")
        _REGISTRY[name] = ModelEntry(name, config_cls, builder, defaults, description)
        return builder

    return wrap


def list_models() -> list[str]:
    return sorted(_REGISTRY)


def model_entry(name: str) -> ModelEntry:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ConfigError(f"unknown model {name!r}; available: {', '.join(list_models())}") from None


def make_config(name: str, **overrides: Any) -> Any:
    """The typed config of model ``name``: class defaults, then the preset, then ``overrides``."""
    entry = model_entry(name)
    hints = typing.get_type_hints(entry.config_cls)
    unknown = set(overrides) - set(hints)
    if unknown:
        raise ConfigError(f"model {name!r} has no option(s) {sorted(unknown)}; options: {sorted(hints)}")
    overrides = {k: check_type(f"model.options.{k}", v, hints[k]) for k, v in overrides.items()}
    fixed = {k: v for k, v in overrides.items() if k in entry.defaults and _norm(v) != _norm(entry.defaults[k])}
    if fixed:
        raise ConfigError(
            f"model {name!r} fixes {', '.join(f'{k}={entry.defaults[k]!r}' for k in fixed)}; "
            "to change it choose a model that does not fix it (see `msmrnet models`)"
        )
    values = {**entry.defaults, **overrides}
    for key, value in values.items():  # JSON/YAML give lists where the config wants tuples
        if isinstance(value, list):
            values[key] = tuple(value)
    return entry.config_cls(**values)


def _norm(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def create_model(name: str, **overrides: Any) -> nn.Module:
    """Build a registered model: ``create_model("msmrnet_5", in_features=122, num_classes=5)``."""
    entry = model_entry(name)
    model = entry.builder(make_config(name, **overrides))
    model.model_name = name  # type: ignore[assignment]
    return model
