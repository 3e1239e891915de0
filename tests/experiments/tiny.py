"""A tiny generated data source and profile, so that every experiment runs in seconds."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from msmrnet.data import registry
from msmrnet.data.nsl_kdd import read_nsl_kdd
from msmrnet.experiments import PROFILES, ExperimentData, Profile
from tests.synthetic import UNSW_ALL_PROFILES, UNSW_COLUMNS, make_rows, make_unsw_rows, write_csv, write_nsl_file

TINY_OPTIONS = {
    "msmrnet": {"width": 2, "hidden": 2}, "mlp": {"hidden": [8]}, "cnn1d": {"channels": [4]}, "lstm": {"hidden": 4},
    "cnn_lstm": {"channels": 4, "hidden": 4}, "bilstm_attention": {"hidden": 4, "attention": 4},
    "tcn": {"channels": 4, "dilations": [1, 2]},
}  # fmt: skip


def tiny_data(folder: Path, n_train: int = 200, n_test: int = 60, calls: list[str] | None = None) -> ExperimentData:
    """Generated train/test tables; ``calls`` records every test-table read (name)."""
    train = read_nsl_kdd(write_nsl_file(folder / "train.txt", make_rows(n_train, seed=1)))
    tests = {name: read_nsl_kdd(write_nsl_file(folder / f"test{i}.txt", make_rows(n_test, seed=2 + i)))
             for i, name in enumerate(("KDDTest+", "KDDTest-21"))}  # fmt: skip
    data = ExperimentData.from_tables(train, tests, "generated tables")
    if calls is not None:
        data.test_loaders = {name: (lambda n=name: (calls.append(n), tests[n])[1]) for name in tests}
    return data


def tiny_profile(**changes) -> Profile:
    base = dataclasses.replace(
        PROFILES["quick"], model_options=TINY_OPTIONS, batch_size=64, lr=0.01, pca_sample=150,
        validity_fraction=1.0, validity_epochs=2, train_fraction=1.0, epochs=1, seeds=(0, 1), validity_seeds=(0, 1),
        tree_estimators=5, lr_grid=(0.01,),
    )  # fmt: skip
    return dataclasses.replace(base, **changes)


def tiny_unsw_dir(folder: Path, rows: int) -> Path:
    """A data folder holding one generated UNSW-NB15 partition (all ten categories), gzipped and named
    like the published file; make the registry find it by row count with :func:`small_unsw_partition`."""
    write_csv(folder / "unsw-nb15" / "UNSW_NB15_training-set.csv.gz", UNSW_COLUMNS,
              make_unsw_rows(rows, seed=5, profiles=UNSW_ALL_PROFILES), gz=True, bom=True)  # fmt: skip
    return folder


def small_unsw_partition(rows: int) -> registry.DataFile:
    """The 82,332-row partition's registry entry with ``rows`` rows and no checksum (for generated files)."""
    return dataclasses.replace(registry.FILES["UNSW-NB15-82332"], rows=rows, sha256=None)
