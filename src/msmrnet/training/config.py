"""Experiment configuration: typed sections, YAML/JSON files, ``key=value`` overrides.

Precedence: defaults < config file < command-line overrides. The resolved configuration is
saved in the run folder, so every run can be repeated exactly.
"""

from __future__ import annotations

import dataclasses
import json
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
        parts = key.strip().split(".")
        node = tree
        for p in parts[:-1]:
            node = node.setdefault(p, {})
            if not isinstance(node, dict):
                raise ConfigError(f"override {item!r}: {p!r} is not a section")
        node[parts[-1]] = yaml.safe_load(raw)
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
        known = {f.name: f for f in dataclasses.fields(cls)}
        bad = set(value) - set(known)
        if bad:
            raise ConfigError(f"unknown key(s) {sorted(bad)} in section {name!r}; known: {sorted(known)}")
        try:
            kwargs[name] = cls(**value)
        except TypeError as exc:
            raise ConfigError(f"section {name!r}: {exc}") from None
    cfg = ExperimentConfig(**kwargs)
    _check(cfg)
    return cfg


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
    if isinstance(cfg.data.test, str):
        cfg.data.test = [cfg.data.test]


def load_config(path: str | Path | None = None, overrides: Sequence[str] = ()) -> ExperimentConfig:
    tree = read_config_file(path) if path else {}
    return build_config(apply_overrides(tree, overrides))


def dump_config(cfg: ExperimentConfig) -> str:
    return yaml.safe_dump(cfg.to_dict(), sort_keys=False)
