"""Where the experiments get their data: a registered data set's files, or tables in memory.

Labels, classes and feature columns come from the data set's entry (:mod:`msmrnet.data.datasets`),
so NSL-KDD and UNSW-NB15 go through the same experiments. Test tables are behind loaders that run
on first use, and only evaluation asks for them, so a test file is never read (and held-out rows
are never touched) before the model it scores has finished training and selection.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from msmrnet.data import datasets, nsl_kdd, registry
from msmrnet.data.table import LabeledTable
from msmrnet.estimator import stratified_split

log = logging.getLogger(__name__)

SUBSAMPLE_SEED = 0  # one training subset for every model and seed: "identical data"
#: how the report names each data set the CLI offers
TITLES = {"nsl-kdd": "NSL-KDD", "unsw-nb15": "UNSW-NB15"}


@dataclass
class ExperimentData:
    """A training table and named test tables (loaded lazily), in the label space of ``dataset``."""

    description: str
    train: LabeledTable
    test_loaders: Mapping[str, Callable[[], LabeledTable]]
    numeric: tuple[str, ...] = nsl_kdd.NUMERIC
    categorical: tuple[str, ...] = nsl_kdd.CATEGORICAL
    test_rows: int = 0  # rows of all test tables together, known without reading them (time estimates)
    dataset: str = "nsl-kdd"  # entry of msmrnet.data.datasets: task labels and classes
    options: dict[str, Any] = field(default_factory=dict)  # the entry's data-set options
    split: dict[str, Any] | None = None  # the held-out test split (split_record) when the data set has no test file
    source: tuple[str, str | None, bool] | None = None  # from_dataset's arguments: how another process loads the same data
    _tests: dict[str, LabeledTable] = field(default_factory=dict, repr=False)
    _labels: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    _subsets: dict[float, np.ndarray] = field(default_factory=dict, repr=False)

    @classmethod
    def from_registry(cls, data_dir: str | None = None, train: str = "KDDTrain+",
                      tests: Sequence[str] = ("KDDTest+", "KDDTest-21"), verify: bool = True) -> "ExperimentData":  # fmt: skip
        """The registered NSL-KDD files (checksums verified); fails fast when one is missing."""
        for name in [train, *tests]:
            registry.locate(name, data_dir)
        table = registry.load(train, data_dir, check=verify)
        loaders = {name: (lambda n=name: registry.load(n, data_dir, check=verify)) for name in tests}
        description = f"NSL-KDD: trained on {train} ({len(table):,} rows), tested on {', '.join(tests)}"
        return cls(description, table, loaders, test_rows=sum(registry.get_file(n).rows for n in tests))

    @classmethod
    def from_dataset(cls, name: str, data_dir: str | None = None, verify: bool = True) -> "ExperimentData":
        """A data set's default files, resolved exactly as ``msmrnet train --dataset NAME`` resolves them.

        NSL-KDD: KDDTrain+, tested on KDDTest+ and KDDTest-21. Without a test file (UNSW-NB15 with
        only its 82,332-row partition) the training file is split by :func:`holdout_split` with
        train's default fraction and seed; the held-out rows are reachable through the test loader only.
        """
        if name == "nsl-kdd":
            data = cls.from_registry(data_dir, verify=verify)
            data.source = (name, data_dir, verify)
            return data
        # The training configuration's own defaults (files, test fraction, seed), so a reproduce run
        # tests on the very rows `msmrnet train --dataset NAME` holds out with its default seed.
        from msmrnet.training.config import load_config
        from msmrnet.training.run import holdout_split, split_record

        cfg = load_config(values={"data.dataset": name, **({"data.data_dir": data_dir} if data_dir else {})})
        d, ds, title = cfg.data, datasets.get(name), TITLES.get(name, name)
        for source in [d.train, *(d.test or [])]:  # fail before anything is read
            ds.resolve(str(source), d.data_dir)
        table = ds.load(str(d.train), d.data_dir, verify, d.options)
        columns = _columns(table)
        if not d.test_fraction:
            loaders = {t: (lambda t=t: ds.load(t, d.data_dir, verify, d.options)) for t in d.test or []}
            rows = sum(registry.get_file(t).rows if t in registry.files_of(name) else 0 for t in loaders)
            description = f"{title}: trained on {d.train} ({len(table):,} rows), tested on {', '.join(loaders)}"
            return cls(description, table, loaders, *columns, test_rows=rows, dataset=name, options=d.options,
                       source=(name, data_dir, verify))  # fmt: skip
        seed = cfg.training.seed
        keep, held = holdout_split(table, d.test_fraction, seed)
        split = split_record(table, str(d.train), d.test_fraction, seed, keep, held)
        test_name = f"{d.train} (test split)"  # the name `msmrnet train` gives it
        description = (f"{title}: trained on a stratified {1 - d.test_fraction:.0%} of {d.train} ({len(keep):,} rows), "
                       f"tested on the held-out {d.test_fraction:.0%} ({test_name}, {len(held):,} rows; split seed {seed}, "
                       f"the split of `msmrnet train --dataset {name}`)")  # fmt: skip
        log.info("%s: %d rows for training, %d held out for testing (read by evaluation only)", d.train, len(keep), len(held))
        return cls(description, table.subset(keep), {test_name: lambda: table.subset(held)}, *columns,
                   test_rows=len(held), dataset=name, options=d.options, split=split, source=(name, data_dir, verify))  # fmt: skip

    @classmethod
    def from_tables(cls, train: LabeledTable, tests: Mapping[str, LabeledTable], description: str = "tables in memory",
                    dataset: str = "nsl-kdd") -> "ExperimentData":  # fmt: skip
        columns = _columns(train) if dataset != "nsl-kdd" else (nsl_kdd.NUMERIC, nsl_kdd.CATEGORICAL)
        return cls(description, train, {name: (lambda t=t: t) for name, t in tests.items()}, *columns,
                   test_rows=sum(len(t) for t in tests.values()), dataset=dataset)  # fmt: skip

    @property
    def title(self) -> str:
        """The data set's name as the report writes it (NSL-KDD, UNSW-NB15)."""
        return TITLES.get(self.dataset, self.dataset)

    @property
    def test_names(self) -> list[str]:
        return list(self.test_loaders)

    def labels(self, table: LabeledTable, task: str) -> np.ndarray:
        """``task`` labels of a table, as the data set's entry defines them."""
        return datasets.get(self.dataset).task_labels(table, task, self.options)

    def train_labels(self, task: str) -> np.ndarray:
        if task not in self._labels:
            self._labels[task] = self.labels(self.train, task)
        return self._labels[task]

    def classes(self, task: str) -> tuple[str, ...]:
        return datasets.get(self.dataset).classes(task, self.train_labels(task))

    def in_features(self) -> int:
        """Width of the one-hot encoded vector (for time estimates; the estimator finds its own)."""
        return len(self.numeric) + sum(self.train.features[c].nunique() for c in self.categorical)

    def training_rows(self, fraction: float, val_fraction: float) -> int:
        """About how many rows a model trains on (for time estimates)."""
        return int(len(self.train) * min(fraction, 1.0) * (1 - val_fraction))

    def training(self, task: str, fraction: float = 1.0) -> tuple[pd.DataFrame, np.ndarray]:
        """Training features and ``task`` labels; ``fraction`` < 1: a stratified subset.

        The subset is stratified on the multi-class labels and drawn with a fixed seed, so the
        binary and multi-class tasks, every model and every seed see the same rows.
        """
        labels = self.train_labels(task)
        if fraction >= 1:
            return self.train.features, labels
        if fraction not in self._subsets:
            keep, _ = stratified_split(self.train_labels("multiclass"), 1 - fraction, SUBSAMPLE_SEED)
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
        return self.labels(self.test(name), task)


def _columns(table: LabeledTable) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(numeric, categorical) feature columns as the reader resolved them from the file."""
    if table.schema is None:
        raise ValueError(f"{table.source or 'table'}: no schema; read it through its data set's entry")
    return tuple(table.schema.numeric), tuple(table.schema.categorical)
