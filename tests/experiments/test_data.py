"""ExperimentData: NSL-KDD exactly as before the data set became a parameter; UNSW-NB15 from its entry."""

from __future__ import annotations

import dataclasses

import pytest

from msmrnet.data import datasets, nsl_kdd, registry
from msmrnet.estimator import stratified_split
from msmrnet.errors import DataError
from msmrnet.experiments import ExperimentData
from msmrnet.experiments.data import SUBSAMPLE_SEED
from tests.experiments.tiny import tiny_data
from tests.synthetic import UNSW_COLUMNS, make_data_dir, make_unsw_rows, write_csv


@pytest.mark.parametrize("task", ["binary", "multiclass"])
def test_nsl_kdd_labels_classes_columns_and_subset_are_unchanged(tmp_path, task):
    data = tiny_data(tmp_path)
    assert data.dataset == "nsl-kdd" and data.numeric == nsl_kdd.NUMERIC and data.categorical == nsl_kdd.CATEGORICAL
    assert data.classes(task) == nsl_kdd.TASKS[task]
    # what the experiments computed with nsl_kdd's constants before
    old = nsl_kdd.task_labels(data.train.attack_names, task).to_numpy()
    keep, _ = stratified_split(nsl_kdd.task_labels(data.train.attack_names, "multiclass").to_numpy(), 0.5, SUBSAMPLE_SEED)
    features, labels = data.training(task)
    assert features is data.train.features and labels.tolist() == old.tolist()
    features, labels = data.training(task, 0.5)
    assert labels.tolist() == old[keep].tolist() and features.equals(data.train.features.iloc[keep].reset_index(drop=True))
    test = data.test("KDDTest+")
    assert data.test_labels("KDDTest+", task).tolist() == nsl_kdd.task_labels(test.attack_names, task).tolist()


def test_nsl_kdd_from_the_registry_is_described_as_before(tmp_path):
    # the description is in every sub-run's stored settings: unchanged, so earlier run folders still resume
    data = ExperimentData.from_dataset("nsl-kdd", str(make_data_dir(tmp_path / "data")), verify=False)
    assert data.description == "NSL-KDD: trained on KDDTrain+ (600 rows), tested on KDDTest+, KDDTest-21"
    assert data.split is None and data.test_rows == 22_544 + 11_850 and data.title == "NSL-KDD"
    assert (data.numeric, data.categorical) == (nsl_kdd.NUMERIC, nsl_kdd.CATEGORICAL)


def test_unsw_with_both_partitions_tests_on_the_82332_one_lazily(tmp_path, monkeypatch):
    for name, rows in (("UNSW-NB15-175341", 60), ("UNSW-NB15-82332", 40)):
        table = registry.FILES if name in registry.FILES else registry.ROWS_ONLY
        monkeypatch.setitem(table, name, dataclasses.replace(table[name], rows=rows, sha256=None))
    write_csv(tmp_path / "unsw-nb15" / "a.csv", UNSW_COLUMNS, make_unsw_rows(40, seed=2), bom=True)
    write_csv(tmp_path / "unsw-nb15" / "b.csv.gz", UNSW_COLUMNS, make_unsw_rows(60, seed=1), gz=True, bom=True)
    data = ExperimentData.from_dataset("unsw-nb15", str(tmp_path))
    assert data.split is None and data.test_names == ["UNSW-NB15-82332"] and data.test_rows == 40 and len(data.train) == 60
    assert data.description == "UNSW-NB15: trained on UNSW-NB15-175341 (60 rows), tested on UNSW-NB15-82332"
    assert not data._tests  # nothing read yet
    assert set(data.test_labels("UNSW-NB15-82332", "multiclass")) <= set(datasets.UNSW_CLASSES)


def test_unsw_without_its_files_names_what_is_missing(tmp_path):
    with pytest.raises(DataError, match="UNSW-NB15-175341 not found: no file with 175,341 rows"):
        ExperimentData.from_dataset("unsw-nb15", str(tmp_path))
