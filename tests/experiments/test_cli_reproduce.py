"""`msmrnet reproduce` on a generated data folder (the real-data path: registry, loaders)."""

import pytest

from msmrnet.cli.main import main
from msmrnet.data import registry
from tests.experiments.tiny import small_unsw_partition, tiny_unsw_dir
from tests.synthetic import make_data_dir


def test_reproduce_pca_only_through_the_cli(tmp_path, capsys):
    data = make_data_dir(tmp_path / "data")
    args = ["reproduce", "--profile", "quick", "--data-dir", str(data), "--no-verify", "--out", str(tmp_path / "run"),
            "--only", "pca", "--no-progress", "-q"]  # fmt: skip
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "1 sub-run; 1 to run, estimated" in out and "report.html" in out
    md = (tmp_path / "run" / "report.md").read_text()
    assert "## 1. Preprocessing views" in md and "## 2. Validity" not in md
    assert main(args) == 0  # again: resumes, nothing left to run
    assert "1 already finished, skipped" in capsys.readouterr().out


def test_reproduce_reports_bad_arguments(tmp_path, capsys):
    data = make_data_dir(tmp_path / "data")
    assert main(["reproduce", "--data-dir", str(data), "--no-verify", "--out", str(tmp_path / "r"), "--only", "pca,fig3"]) == 2
    assert "unknown experiment(s) ['fig3']" in capsys.readouterr().err
    assert main(["reproduce", "--data-dir", str(tmp_path / "nowhere"), "--out", str(tmp_path / "r")]) == 2
    assert "KDDTrain+ not found" in capsys.readouterr().err


def test_reproduce_unsw_nb15_holds_out_a_split_of_the_82332_partition(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(registry.FILES, "UNSW-NB15-82332", small_unsw_partition(200))
    data = tiny_unsw_dir(tmp_path / "data", 200)
    args = ["reproduce", "--dataset", "unsw-nb15", "--data-dir", str(data), "--out", str(tmp_path / "run"), "--only", "pca",
            "--no-progress", "-q"]  # fmt: skip
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "data: UNSW-NB15: trained on a stratified 80% of UNSW-NB15-82332 (160 rows), tested on the held-out 20%" in out
    assert "split seed 0" in out and "1 sub-run; 1 to run, estimated" in out
    assert (tmp_path / "run" / "split.json").is_file()
    md = (tmp_path / "run" / "report.md").read_text()
    assert "reproduced on UNSW-NB15" in md and "KDDTest" not in md


def test_reproduce_help_names_the_data_sets_and_the_unsw_split(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["reproduce", "--help"])
    assert exit_.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "--dataset {nsl-kdd,unsw-nb15}" in text and "stratified 20% of it held out with seed 0" in text
    assert "the same split `msmrnet train --dataset unsw-nb15` makes" in text
    with pytest.raises(SystemExit):
        main(["reproduce", "--dataset", "cicids"])
    assert "invalid choice: 'cicids'" in capsys.readouterr().err


def test_reproduce_sizes_changed_on_the_command_line_are_used_and_reported(tmp_path, capsys):
    from msmrnet.errors import ConfigError
    from msmrnet.experiments import get_profile

    quick = get_profile("quick")
    changed = quick.with_sizes(epochs=2, train_fraction=0.5)
    assert (changed.epochs, changed.train_fraction, changed.validity_epochs) == (2, 0.5, quick.validity_epochs)
    assert quick.with_sizes() is quick
    with pytest.raises(ConfigError, match="training fraction must be in"):
        quick.with_sizes(train_fraction=1.5)
    data = make_data_dir(tmp_path / "data")
    args = ["reproduce", "--data-dir", str(data), "--no-verify", "--out", str(tmp_path / "run"), "--only", "pca",
            "--epochs", "2", "--train-fraction", "0.5", "--no-progress", "-q"]  # fmt: skip
    assert main(args) == 0
    md = (tmp_path / "run" / "report.md").read_text()
    assert "comparison changed on the command line: epochs 2, train fraction 0.5" in md
    with pytest.raises(SystemExit):
        main(["reproduce", "--train-fraction", "0"])
    assert "must be above 0" in capsys.readouterr().err


def test_seeds_given_on_the_command_line_are_counted_in_the_summary():
    from msmrnet.experiments import get_profile

    quick = get_profile("quick")
    assert "2 seeds" in quick.summary
    three = quick.with_seeds((0, 1, 2))
    assert "3 seeds (0, 1, 2)" in three.summary and "2 seeds" not in three.summary
    assert "1 seed (7)" in quick.with_seeds((7,)).summary
