"""Sub-runs side by side (``jobs``) and partial reports (``report_only``)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from msmrnet.cli.main import main
from msmrnet.errors import ConfigError
from msmrnet.experiments import ExperimentData, runner
from msmrnet.experiments.reproduce import reproduce, threads_per_job
from tests.experiments.test_reproduce import _table_after
from tests.experiments.tiny import tiny_data, tiny_profile
from tests.synthetic import make_data_dir

# two learning rates: the comparison runs must wait for the selection runs that choose theirs
PROFILE = tiny_profile(models=("mlp", "cnn1d", "random_forest"), lr_grid=(0.003, 0.03), selection_fraction=0.5,
                       selection_epochs=1, seeds=(0, 1))  # fmt: skip


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    root = make_data_dir(tmp_path_factory.mktemp("data"), n_train=400, n_test=100)
    return ExperimentData.from_dataset("nsl-kdd", str(root), verify=False)


def _results(out):
    return {p.parent.relative_to(out).as_posix(): json.loads(p.read_text()) for p in out.glob("comparison/**/result.json")}


def test_side_by_side_runs_match_one_at_a_time(data, tmp_path, monkeypatch):
    reproduce(data, PROFILE, tmp_path / "seq", only=["comparison"], progress=False)

    def not_here(*args):
        raise AssertionError("a sub-run ran in the main process")

    monkeypatch.setattr(runner, "run_one", not_here)  # workers are spawned: they import their own copy
    reproduce(data, PROFILE, tmp_path / "par", only=["comparison"], progress=False, jobs=2)
    seq, par = _results(tmp_path / "seq"), _results(tmp_path / "par")
    assert sorted(par) == sorted(seq) and len(par) == 2 * 2 + 2 * 2 * 3  # selection (2 networks x 2 lr) + runs
    for key, r in seq.items():
        assert par[key]["settings"] == r["settings"], key  # includes each network's chosen lr
        if r["history"]:
            np.testing.assert_allclose([h["val_loss"] for h in par[key]["history"]], [h["val_loss"] for h in r["history"]], rtol=1e-4)
    meta = json.loads((tmp_path / "par" / "reproduce.json").read_text())
    assert meta["machine"]["jobs"] == 2 and meta["machine"]["torch_threads"] == threads_per_job(2)
    assert "2 sub-runs side by side" in (tmp_path / "par" / "report.md").read_text()


def test_side_by_side_needs_data_loaded_by_name(tmp_path):
    with pytest.raises(ConfigError, match="needs data loaded by name"):
        reproduce(tiny_data(tmp_path), PROFILE, tmp_path / "run", progress=False, jobs=2)


def test_partial_report_covers_finished_sub_runs_and_runs_nothing(data, tmp_path, monkeypatch):
    out = tmp_path / "run"
    reproduce(data, PROFILE, out, only=["comparison"], progress=False)
    import shutil

    shutil.rmtree(out / "comparison" / "binary" / "mlp" / "seed1")
    shutil.rmtree(out / "comparison" / "selection" / "cnn1d")
    for task in ("binary", "multiclass"):
        for seed in (0, 1):
            shutil.rmtree(out / "comparison" / task / "cnn1d" / f"seed{seed}")
    monkeypatch.setattr(runner, "run_one", lambda *a: pytest.fail("--report-only ran a sub-run"))
    reproduce(data, PROFILE, out, only=["comparison"], progress=False, report_only=True)
    md = (out / "report.md").read_text()
    assert "PARTIAL REPORT: 9 of 16 sub-runs finished" in md and "comparison/binary/mlp/seed1" in md
    rows = _table_after(md, "### binary (normal vs attack): KDDTest+")
    assert [r.split("|")[1].strip() for r in rows] == ["MLP (DNN) (1 seed)", "Random forest (2 seeds)"]
    lr_rows = _table_after(md, "### Learning rate chosen on validation loss")
    assert lr_rows[1].split("|")[1:5] == [" 1-D CNN ", " n/a ", " n/a ", " not yet "]


def test_cli_jobs_and_report_only(tmp_path, capsys):
    root = make_data_dir(tmp_path / "data")
    base = ["reproduce", "--data-dir", str(root), "--no-verify", "--out", str(tmp_path / "run"), "--only", "pca", "--no-progress", "-q"]
    assert main([*base, "--report-only"]) == 0
    assert "PARTIAL REPORT: 0 of 1 sub-runs finished" in (tmp_path / "run" / "report.md").read_text()
    assert "to run, estimated" not in capsys.readouterr().out  # nothing planned to run, nothing timed
    assert main([*base, "--jobs", "2"]) == 0  # one sub-run: no worker needed
    assert "PARTIAL" not in (tmp_path / "run" / "report.md").read_text()
    # a report of a finished run: complete, and the machine line is the run's (from reproduce.json)
    record = json.loads((tmp_path / "run" / "reproduce.json").read_text())
    record["machine"].update(jobs=2, torch_threads=1)  # as if it had run side by side
    (tmp_path / "run" / "reproduce.json").write_text(json.dumps(record))
    assert main([*base, "--report-only"]) == 0
    md = (tmp_path / "run" / "report.md").read_text()
    assert "PARTIAL" not in md and "2 sub-runs side by side with 1 PyTorch thread(s) each" in md
    with pytest.raises(SystemExit):
        main([*base, "--jobs", "0"])
