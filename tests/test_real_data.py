"""A short run on the real NSL-KDD files with a small model (skipped without ../shared/data)."""

import json

import pytest

from msmrnet.cli.main import main


@pytest.mark.slow
def test_small_model_beats_the_majority_baseline_on_kddtest_plus(shared_data, tmp_path):
    code = main([
        "train", "--data-dir", str(shared_data), "--out", str(tmp_path), "--name", "real", "--task", "binary",
        "--set", "data.train=KDDTrain+_20Percent", "--set", "data.test=[KDDTest+]",
        "--set", "model.name=msmrnet", "--set", "model.options={depth: 2, width: 4, hidden: 4}",
        "--set", "training.batch_size=128", "--set", "training.lr=0.003", "--epochs", "2", "--no-progress",
    ])  # fmt: skip
    assert code == 0
    result = json.loads((tmp_path / "real" / "metrics.json").read_text())["results"][0]
    counts = json.loads((tmp_path / "real" / "data_summary.json").read_text())["test"]["KDDTest+"]["class_counts"]
    majority = max(counts.values()) / sum(counts.values())  # always predicting 'attack': 0.5692
    assert result["binary"]["accuracy"] > majority + 0.10
    assert result["binary"]["roc_auc"] > 0.85
