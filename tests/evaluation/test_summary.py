import json


from msmrnet.cli.main import main
from msmrnet.evaluation.summary import summarize


def write_run(root, name, acc, macro):
    run = root / name
    run.mkdir()
    binary = {"accuracy": acc, "precision": 0.9, "recall": 0.8, "f1": 0.85, "false_alarm_rate": 0.05, "roc_auc": None}
    multi = {"accuracy": acc - 0.05, "macro_f1": macro, "weighted_f1": 0.7}
    (run / "metrics.json").write_text(json.dumps({"results": [{"dataset": "KDDTest+", "binary": binary, "multiclass": multi}]}))
    return run


def test_mean_and_sample_sd(tmp_path):
    runs = [write_run(tmp_path, f"seed{i}", acc, m) for i, (acc, m) in enumerate([(0.80, 0.5), (0.82, 0.6), (0.84, 0.7)])]
    text = summarize(runs)
    assert "| seed1 | 0.8200 | 0.9000 | 0.8000 | 0.8500 | 0.0500 | n/a |" in text
    assert "| **mean ± sd (3 runs)** | 0.8200 ± 0.0200 |" in text
    assert "### KDDTest+: multi-class view" in text and "0.6000 ± 0.1000" in text


def test_cli_and_bad_path(tmp_path, capsys):
    run = write_run(tmp_path, "a", 0.8, 0.5)
    assert main(["summarize", str(run), "--out", str(tmp_path / "s.md")]) == 0
    assert (tmp_path / "s.md").read_text().startswith("### KDDTest+: binary view")
    assert main(["summarize", str(tmp_path / "absent")]) == 2
    assert "cannot read metrics" in capsys.readouterr().err
