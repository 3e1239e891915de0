"""`msmrnet reproduce` on a generated data folder (the real-data path: registry, loaders)."""

from msmrnet.cli.main import main
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
