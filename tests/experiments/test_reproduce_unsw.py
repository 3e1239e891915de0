"""All three experiments on a generated UNSW-NB15 partition: the held-out split, 10 classes, the report."""

from __future__ import annotations

import json

import pytest

from msmrnet.cli.main import main
from msmrnet.data import datasets, registry
from msmrnet.experiments import ExperimentData
from msmrnet.experiments.profiles import COMPARISON_MODELS
from msmrnet.experiments.reproduce import plan, reproduce
from tests.experiments.test_reproduce import _table_after
from tests.experiments.tiny import small_unsw_partition, tiny_profile, tiny_unsw_dir

ROWS = 300
TEST_NAME = "UNSW-NB15-82332 (test split)"
TEN = "10-class (normal, Generic, Exploits, Fuzzers, DoS, Reconnaissance, Analysis, Backdoor, Shellcode, Worms)"
SMALL_TRAIN = ["--set", "model.name=msmrnet", "--set", "model.options={depth: 1, width: 2, hidden: 2}", "--epochs", "1",
               "--set", "training.batch_size=64", "--no-progress"]  # fmt: skip


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("unsw")
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(registry.FILES, "UNSW-NB15-82332", small_unsw_partition(ROWS))
        data_dir = tiny_unsw_dir(root / "data", ROWS)
        data = ExperimentData.from_dataset("unsw-nb15", str(data_dir))
        calls: list[str] = []
        loaders = dict(data.test_loaders)
        data.test_loaders = {n: (lambda n=n: calls.append(n) or loaders[n]()) for n in loaders}
        profile = tiny_profile(seeds=(0,), validity_seeds=(0,))
        the_plan = plan(data, profile, root / "run")
        read_before_training = list(calls)
        reproduce(data, profile, root / "run", progress=False, command="msmrnet reproduce --dataset unsw-nb15 (test)", the_plan=the_plan)
        # `msmrnet train` on the same file with its defaults: its split.json must name the same held-out rows
        assert main(["train", "--dataset", "unsw-nb15", "--task", "binary", "--data-dir", str(data_dir),
                     "--out", str(root / "train"), "--name", "t", *SMALL_TRAIN]) == 0  # fmt: skip
    return {"out": root / "run", "data": data, "plan": the_plan, "calls": calls, "before": read_before_training,
            "train_split": json.loads((root / "train" / "t" / "split.json").read_text())}  # fmt: skip


def test_data_comes_from_the_unsw_entry(run):
    data = run["data"]
    assert data.dataset == "unsw-nb15" and data.title == "UNSW-NB15" and data.test_names == [TEST_NAME]
    assert data.categorical == ("proto", "service", "state") and "id" not in data.numeric and len(data.numeric) == 39
    assert data.classes("multiclass") == datasets.UNSW_CLASSES and data.classes("binary") == ("normal", "attack")
    assert set(data.train_labels("multiclass")) == set(datasets.UNSW_CLASSES)
    assert data.split is not None and data.split["test_fraction"] == 0.2 and data.split["seed"] == 0
    assert len(data.train) + data.test_rows == ROWS and data.split["train_rows"] == len(data.train)
    assert run["plan"].estimate_seconds > 0


def test_split_is_the_one_train_makes_and_is_read_only_by_evaluation(run):
    out, data = run["out"], run["data"]
    split = json.loads((out / "split.json").read_text())
    for k in ("test_positions", "test_lines", "test_rows", "train_rows", "test_fraction", "seed"):
        assert split[k] == run["train_split"][k], k
    assert not set(split["test_lines"]) & set(data.train.lines.tolist())  # no held-out row among the training rows
    assert run["before"] == [] and run["calls"] == [TEST_NAME]  # not at plan time; once (cached), by evaluation
    meta = json.loads((out / "reproduce.json").read_text())
    assert meta["dataset"] == "unsw-nb15" and meta["split"]["test_rows"] == split["test_rows"]


def test_comparison_has_every_model_for_both_tasks_and_ten_classes(run):
    out = run["out"]
    md = (out / "report.md").read_text()
    labels = [label for label, _ in COMPARISON_MODELS]
    for task in ("binary (normal vs attack)", TEN):
        rows = _table_after(md, f"### {task}: {TEST_NAME}")
        assert [r.split("|")[1].strip() for r in rows] == [f"{label} (1 seed)" for label in labels]
    assert len(_table_after(md, "### Cost: training time")) == len(labels)
    r = json.loads((out / "comparison" / "multiclass" / "random_forest" / "seed0" / "result.json").read_text())
    assert list(r["test"]) == [TEST_NAME]
    assert set(r["test"][TEST_NAME]["multiclass"]["per_class"]) == set(datasets.UNSW_CLASSES)
    assert r["settings"]["task"] == "multiclass" and "UNSW-NB15" in r["settings"]["data"]


def test_report_names_the_data_set_and_the_split(run):
    md = (run["out"] / "report.md").read_text()
    assert md.startswith("# MSMRNet: the chapter's experiments, reproduced on UNSW-NB15")
    assert "KDDTest" not in md.replace("NSL-KDD's KDDTest+ and KDDTest-21", "")  # only where it says why no references
    assert "None shown: the published results collected here are accuracies on NSL-KDD's" in md
    assert "a stratified 20% of UNSW-NB15-82332 held out with seed 0" in md and "`split.json`" in md
    assert "run `msmrnet reproduce --dataset unsw-nb15 --profile full`" in md
    assert "## 1. Preprocessing views" in md and "## 2. Validity" in md and "## 3. Comparison" in md
