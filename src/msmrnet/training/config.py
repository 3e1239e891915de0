"""Experiment configuration: typed sections, YAML/JSON files, ``key=value`` overrides.

Precedence: defaults < config file < command-line overrides. The resolved configuration is
saved in the run folder, so every run can be repeated exactly.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import yaml

from msmrnet.errors import ConfigError
from msmrnet.training.trainer import TrainConfig


@dataclass
class DataConfig:
    dataset: str = "nsl-kdd"
    data_dir: str | None = None  # default: $MSMRNET_DATA_DIR, else ./data
    train: str = "KDDTrain+"
    test: list[str] = field(default_factory=lambda: ["KDDTest+", "KDDTest-21"])
    task: str = "multiclass"  # 'binary' (normal vs attack) or 'multiclass' (normal, DoS, Probe, R2L, U2R)
    val_fraction: float = 0.1  # stratified validation split carved from the training file
    train_fraction: float = 1.0  # < 1: stratified subsample of the training file (quick runs)
    verify: bool = True  # check row counts and checksums of registered files


@dataclass
class PreprocessingConfig:
    scaling: str = "minmax"  # 'minmax' (the chapter's), 'standard' or 'none'


@dataclass
class ModelConfig:
    name: str = "msmrnet_5"
    options: dict[str, Any] = field(default_factory=dict)  # e.g. width, hidden, kernel_sizes, dropout


@dataclass
class OutputConfig:
    dir: str = "runs"
    name: str | None = None  # default: <model>-<task>-seed<seed>-<timestamp>


@dataclass
class ExperimentConfig:
    data: DataConfig = field(default_factory=DataConfig)
    preprocessing: PreprocessingConfig = field(default_factory=PreprocessingConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    training: TrainConfig = field(default_factory=TrainConfig)
    output: OutputConfig = field(default_factory=OutputConfig)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def read_config_file(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror}") from None
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: not valid {'JSON' if path.suffix == '.json' else 'YAML'}: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of sections")
    return data


def apply_overrides(tree: dict[str, Any], overrides: Sequence[str]) -> dict[str, Any]:
    """Apply ``section.key=value`` strings; values are parsed as YAML (numbers, lists, null)."""
    for item in overrides:
        if "=" not in item:
            raise ConfigError(f"override {item!r} is not of the form section.key=value")
        key, raw = item.split("=", 1)
        set_value(tree, key.strip(), yaml.safe_load(raw))
    return tree


def set_value(tree: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    """Set a dotted ``section.key`` in a nested dict to an already-typed value."""
    parts = key.split(".")
    node = tree
    for p in parts[:-1]:
        node = node.setdefault(p, {})
        if not isinstance(node, dict):
            raise ConfigError(f"{key}: {p!r} is not a section")
    node[parts[-1]] = value
    return tree


def build_config(tree: dict[str, Any]) -> ExperimentConfig:
    """Validate a nested dict against the typed sections; unknown keys are errors."""
    sections = {f.name: f.type for f in dataclasses.fields(ExperimentConfig)}
    kwargs = {}
    for name, value in tree.items():
        if name not in sections:
            raise ConfigError(f"unknown config section {name!r}; sections: {', '.join(sections)}")
        cls = {"data": DataConfig, "preprocessing": PreprocessingConfig, "model": ModelConfig,
               "training": TrainConfig, "output": OutputConfig}[name]  # fmt: skip
        if not isinstance(value, dict):
            raise ConfigError(f"config section {name!r} must be a mapping")
        hints = typing.get_type_hints(cls)
        bad = set(value) - set(hints)
        if bad:
            raise ConfigError(f"unknown key(s) {sorted(bad)} in section {name!r}; known: {sorted(hints)}")
        kwargs[name] = cls(**{k: _typed(f"{name}.{k}", v, hints[k]) for k, v in value.items()})
    cfg = ExperimentConfig(**kwargs)
    _check(cfg)
    return cfg


def _typed(key: str, value: Any, hint: Any) -> Any:
    """Check ``value`` against a field's type hint (YAML gives int, float, bool, str, list, dict)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        hint = next(a for a in args if a is not type(None))
        origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is bool:
        ok = isinstance(value, bool)
    elif hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif hint is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        value = float(value) if ok else value
    elif hint is str:
        ok = isinstance(value, str)
    elif origin is list:
        value = [value] if isinstance(value, str) else value  # `test: KDDTest+` means a list of one
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
    elif origin is dict:
        ok = isinstance(value, dict)
    else:
        ok = True
    if not ok:
        want = {bool: "true or false", int: "a whole number", float: "a number", str: "a string"}.get(hint, _name(hint))
        raise ConfigError(f"{key}: expected {want}, got {value!r}")
    return value


def _name(hint: Any) -> str:
    origin = typing.get_origin(hint)
    return "a list of names" if origin is list else "a mapping" if origin is dict else str(hint)


def _check(cfg: ExperimentConfig) -> None:
    if cfg.data.task not in ("binary", "multiclass"):
        raise ConfigError(f"data.task must be 'binary' or 'multiclass', got {cfg.data.task!r}")
    if not 0 < cfg.data.train_fraction <= 1:
        raise ConfigError(f"data.train_fraction must be in (0, 1], got {cfg.data.train_fraction}")
    if not 0 < cfg.data.val_fraction < 1:
        raise ConfigError(f"data.val_fraction must be in (0, 1), got {cfg.data.val_fraction}")
    t = cfg.training
    if t.epochs < 1 or t.batch_size < 1 or t.lr <= 0 or t.patience < 0:
        raise ConfigError("training: epochs and batch_size must be >= 1, lr > 0, patience >= 0")
    from msmrnet.data import registry
    from msmrnet.errors import DataError
    from msmrnet.models import make_config
    from msmrnet.preprocessing import SCALINGS

    # Every name is checked here, before a run folder exists or any data is read.
    for name in [cfg.data.train, *cfg.data.test]:
        try:
            registry.get_file(name)
        except DataError as exc:
            raise ConfigError(f"data: {exc}") from None
    if cfg.preprocessing.scaling not in SCALINGS:
        raise ConfigError(f"preprocessing.scaling must be one of {', '.join(SCALINGS)}, got {cfg.preprocessing.scaling!r}")
    try:
        make_config(cfg.model.name, **cfg.model.options)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"model.options: {exc}") from None


def load_config(path: str | Path | None = None, overrides: Sequence[str] = (), values: dict[str, Any] | None = None) -> ExperimentConfig:
    """Defaults < file < ``overrides`` (``key=value`` strings) < ``values`` (typed, e.g. from CLI flags)."""
    tree = apply_overrides(read_config_file(path) if path else {}, overrides)
    for key, value in (values or {}).items():
        set_value(tree, key, value)
    try:
        return build_config(tree)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}" if path else str(exc)) from None


def dump_config(cfg: ExperimentConfig) -> str:
    return yaml.safe_dump(cfg.to_dict(), sort_keys=False)
