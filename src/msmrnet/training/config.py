"""Experiment configuration: typed sections, YAML/JSON files, ``key=value`` overrides.

Precedence: defaults < config file < command-line overrides. The resolved configuration is
saved in the run folder, so every run can be repeated exactly.
"""

from __future__ import annotations

import dataclasses
import json
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import yaml

from msmrnet.errors import ConfigError
from msmrnet.training.trainer import TrainConfig
from msmrnet.utils.types import check_type


@dataclass
class DataConfig:
    dataset: str = "nsl-kdd"  # nsl-kdd, kdd99, unsw-nb15, cicids or table (msmrnet.data.datasets)
    data_dir: str | None = None  # default: $MSMRNET_DATA_DIR, else ./data
    train: str | None = None  # registered file name, or file/folder/glob; None: the data set's default
    test: list[str] | None = None  # likewise; None: the data set's default test files
    task: str = "multiclass"  # 'binary' (normal vs attack) or 'multiclass' (the data set's classes)
    val_fraction: float = 0.1  # stratified validation split carved from the training file
    train_fraction: float = 1.0  # < 1: stratified subsample of the training file (quick runs)
    test_fraction: float | None = None  # > 0: stratified test split of the training data (stored in the run)
    # labels (as written in the training file, e.g. attack names) whose rows are never trained on: they all
    # go to validation, so model selection sees attacks the model has not learned, as the test files hold
    holdout_labels: list[str] = field(default_factory=list)
    verify: bool = True  # check row counts and checksums of registered files
    options: dict[str, Any] = field(default_factory=dict)  # data-set options, e.g. label_column, categorical, drop


@dataclass
class PreprocessingConfig:
    scaling: str = "minmax"  # 'minmax' (the chapter's), 'log-minmax', 'standard' or 'none'


@dataclass
class ModelConfig:
    name: str = "msmrnet_5"
    options: dict[str, Any] = field(default_factory=dict)  # e.g. width, hidden, kernel_sizes, dropout
    # attack probability from which a flow is an attack (binary view, detect's alerts); 'auto': the
    # threshold with the best balanced accuracy on the validation rows (data.holdout_labels' when set)
    threshold: float | str = 0.5


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
        kwargs[name] = cls(**{k: check_type(f"{name}.{k}", v, hints[k]) for k, v in value.items()})
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
    if t.epochs < 1 or t.batch_size < 1 or t.lr <= 0 or t.patience < 0 or t.seed < 0 or t.weight_decay < 0:
        raise ConfigError("training: epochs and batch_size must be >= 1, lr > 0, patience, seed and weight_decay >= 0")
    name = cfg.output.name
    if name is not None and (not name or "/" in name or "\\" in name or name in (".", "..")):
        raise ConfigError(f"output.name must be a plain folder name (no path separators), got {name!r}")
    from msmrnet.models import make_config
    from msmrnet.preprocessing import SCALINGS

    _check_data(cfg.data)
    if cfg.preprocessing.scaling not in SCALINGS:
        raise ConfigError(f"preprocessing.scaling must be one of {', '.join(SCALINGS)}, got {cfg.preprocessing.scaling!r}")
    threshold = cfg.model.threshold
    if threshold != "auto" and not (isinstance(threshold, float) and 0.0 <= threshold <= 1.0):
        raise ConfigError(f"model.threshold must be a probability in [0, 1] or 'auto', got {threshold!r}")
    from_data = sorted({"in_features", "num_classes"} & set(cfg.model.options))
    if from_data:
        raise ConfigError(f"model.options: {', '.join(from_data)} come from the data and cannot be set")
    try:
        make_config(cfg.model.name, **cfg.model.options)
    except ConfigError:
        raise
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"model.options: {exc}") from None


def _check_data(data: DataConfig) -> None:
    """Data set, options and file names, checked (and defaults filled in) before anything runs."""
    from msmrnet.data import datasets, registry
    from msmrnet.errors import DataError

    try:
        ds = datasets.get(data.dataset)
    except DataError as exc:
        raise ConfigError(f"data.dataset: {exc}") from None
    unknown = sorted(set(data.options) - set(ds.options))
    if unknown:
        known = ", ".join(ds.options) or "none"
        raise ConfigError(f"data.options: {data.dataset} has no option(s) {unknown}; its options: {known}")
    data.options = {k: check_type(f"data.options.{k}", v, ds.options[k]) for k, v in data.options.items()}
    if data.train is None or data.test is None:
        train, test, fraction = datasets.default_files(ds, data.data_dir)
        if data.train is None:
            if train is None:
                raise ConfigError(f"data.train: the {data.dataset} data set has no default files; name the file(s), folder or pattern")
            data.train = train
        if data.test is None:
            data.test = test
        if data.test_fraction is None and not data.test:
            data.test_fraction = fraction
    if data.test_fraction is None:
        data.test_fraction = 0.0 if data.test or data.dataset == "nsl-kdd" else 0.2
    if not 0 <= data.test_fraction < 1:
        raise ConfigError(f"data.test_fraction must be in [0, 1), got {data.test_fraction}")
    # Registered names are checked here, before a run folder exists or any data is read; paths
    # are checked when the run starts (still before its folder is made).
    for name in [data.train, *data.test]:
        if data.dataset == "nsl-kdd" or name in registry.FILES or name in registry.ROWS_ONLY:
            try:
                entry = registry.get_file(name)
            except DataError as exc:
                raise ConfigError(f"data: {exc}") from None
            if entry.dataset != data.dataset:
                raise ConfigError(f"data: {name} is a file of {entry.dataset}, not of {data.dataset} (set data.dataset)")


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
