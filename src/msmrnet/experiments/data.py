"""Where the experiments get their data: the registered NSL-KDD files, or tables in memory.

Test tables are behind loaders that run on first use, and only evaluation asks for them, so a
test file is never read before the model it scores has finished training and selection.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from msmrnet.data import nsl_kdd, registry
from msmrnet.data.table import LabeledTable
from msmrnet.estimator import stratified_split

log = logging.getLogger(__name__)

SUBSAMPLE_SEED = 0  # one training subset for every model and seed: "identical data"


@dataclass
class ExperimentData:
    """A training table and named test tables (loaded lazily), in NSL-KDD's label space."""

    description: str
    train: LabeledTable
    test_loaders: Mapping[str, Callable[[], LabeledTable]]
    numeric: tuple[str, ...] = nsl_kdd.NUMERIC
    categorical: tuple[str, ...] = nsl_kdd.CATEGORICAL
    test_rows: int = 0  # rows of all test tables together, known without reading them (time estimates)
    _tests: dict[str, LabeledTable] = field(default_factory=dict, repr=False)
    _subsets: dict[float, np.ndarray] = field(default_factory=dict, repr=False)

    @classmethod
    def from_registry(cls, data_dir: str | None = None, train: str = "KDDTrain+",
                      tests: Sequence[str] = ("KDDTest+", "KDDTest-21"), verify: bool = True) -> "ExperimentData":  # fmt: skip
        """The registered files (checksums verified); fails fast when one is missing."""
        for name in [train, *tests]:
            registry.locate(name, data_dir)
        table = registry.load(train, data_dir, check=verify)
        loaders = {name: (lambda n=name: registry.load(n, data_dir, check=verify)) for name in tests}
        description = f"NSL-KDD: trained on {train} ({len(table):,} rows), tested on {', '.join(tests)}"
        return cls(description, table, loaders, test_rows=sum(registry.get_file(n).rows for n in tests))

    @classmethod
    def from_tables(cls, train: LabeledTable, tests: Mapping[str, LabeledTable], description: str = "tables in memory") -> "ExperimentData":
        return cls(description, train, {name: (lambda t=t: t) for name, t in tests.items()}, test_rows=sum(len(t) for t in tests.values()))

    @property
    def test_names(self) -> list[str]:
        return list(self.test_loaders)

    def classes(self, task: str) -> tuple[str, ...]:
        return nsl_kdd.TASKS[task]

    def in_features(self) -> int:
        """Width of the one-hot encoded vector (for time estimates; the estimator finds its own)."""
        return len(self.numeric) + sum(self.train.features[c].nunique() for c in self.categorical)

    def training_rows(self, fraction: float, val_fraction: float) -> int:
        """About how many rows a model trains on (for time estimates)."""
        return int(len(self.train) * min(fraction, 1.0) * (1 - val_fraction))

    def training(self, task: str, fraction: float = 1.0) -> tuple[pd.DataFrame, np.ndarray]:
        """Training features and ``task`` labels; ``fraction`` < 1: a stratified subset.

        The subset is stratified on the 5 categories and drawn with a fixed seed, so the binary
        and 5-class tasks, every model and every seed see the same rows.
        """
        labels = nsl_kdd.task_labels(self.train.attack_names, task).to_numpy()
        if fraction >= 1:
            return self.train.features, labels
        if fraction not in self._subsets:
            categories = nsl_kdd.task_labels(self.train.attack_names, "multiclass").to_numpy()
            keep, _ = stratified_split(categories, 1 - fraction, SUBSAMPLE_SEED)
            self._subsets[fraction] = keep
            log.info("training subset: a stratified %.0f%% of the training table, %d rows", 100 * fraction, len(keep))
        keep = self._subsets[fraction]
        return self.train.features.iloc[keep].reset_index(drop=True), labels[keep]

    def test(self, name: str) -> LabeledTable:
        """A test table; read on first use (evaluation only)."""
        if name not in self._tests:
            log.info("reading test set %s (evaluation only)", name)
            self._tests[name] = self.test_loaders[name]()
        return self._tests[name]

    def test_labels(self, name: str, task: str) -> np.ndarray:
        return nsl_kdd.task_labels(self.test(name).attack_names, task).to_numpy()
