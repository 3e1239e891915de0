"""End to end through the command line on a tiny generated data set."""

import json
import subprocess
import sys

import pytest
import yaml

from msmrnet.cli.main import main
from tests.synthetic import make_data_dir

SMALL = ["--set", "data.verify=false", "--set", "model.name=msmrnet", "--set", "model.options={depth: 2, width: 4, hidden: 4}",
         "--set", "training.batch_size=64", "--set", "training.lr=0.01", "--no-progress"]  # fmt: skip


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    data = make_data_dir(root / "data")
    cfg = root / "cfg.yaml"
    cfg.write_text("training:\n  epochs: 3\ndata:\n  task: multiclass\n")
    code = main(["train", "--config", str(cfg), "--data-dir", str(data), "--out", str(root / "runs"), "--name", "r1", "--seed", "5", *SMALL])
    assert code == 0
    return root, data, root / "runs" / "r1"


def test_train_writes_a_complete_run_folder(trained, capsys):
    _, data, run = trained
    for name in ("config.yaml", "history.csv", "history.json", "loss_curve.png", "metrics.json", "metrics.md",
                 "data_summary.json", "run.json", "model/model.safetensors", "model/model.json",
                 "checkpoints/last.safetensors", "figures/confusion_KDDTestplus_multiclass.png",
                 "figures/confusion_KDDTest-21_binary.png"):  # fmt: skip
        assert (run / name).is_file() and (run / name).stat().st_size > 0, name
    cfg = yaml.safe_load((run / "config.yaml").read_text())
    assert cfg["training"]["epochs"] == 3 and cfg["training"]["seed"] == 5 and cfg["data"]["data_dir"] == str(data)
    assert cfg["model"]["options"] == {"depth": 2, "width": 4, "hidden": 4}
    metrics = json.loads((run / "metrics.json").read_text())
    assert [r["dataset"] for r in metrics["results"]] == ["KDDTest+", "KDDTest-21"]
    assert metrics["results"][0]["multiclass"]["accuracy"] > 0.6
    assert len(json.loads((run / "history.json").read_text())) == 3


def test_resume_of_a_finished_run_reproduces_it(trained, capsys):
    _, _, run = trained
    before = json.loads((run / "metrics.json").read_text())
    assert main(["train", "--resume", str(run), "--no-progress"]) == 0
    after = json.loads((run / "metrics.json").read_text())
    strip = lambda m: [{k: v for k, v in r.items() if k != "inference_seconds"} for r in m["results"]]  # noqa: E731
    assert strip(before) == strip(after)


def test_evaluate_and_detect(trained, tmp_path, capsys):
    _, data, run = trained
    # a generated KDDTest-21 is not the published one: the registry check says so
    assert main(["evaluate", "--model", str(run / "model"), "--dataset", "KDDTest-21", "--data-dir", str(data)]) == 2
    assert "truncated: 150 rows, expected 11,850" in capsys.readouterr().err
    assert main(["evaluate", "--model", str(run / "model"), "--input", str(data / "nsl-kdd" / "KDDTest-21.txt"), "--out", str(tmp_path / "ev")]) == 0
    assert "## Multi-class view" in capsys.readouterr().out
    assert (tmp_path / "ev" / "metrics.json").is_file()
    out = tmp_path / "scores.jsonl"
    assert main(["detect", "--model", str(run / "model"), "--input", str(data / "nsl-kdd" / "KDDTest+.txt.gz"), "--output", str(out), "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "300 rows: 300 scored, 0 unparsable" in printed
    summary = json.loads((tmp_path / "scores.jsonl.summary.json").read_text())
    assert summary["rows"] == 300 and len(out.read_text().splitlines()) == 300


def test_errors_are_reported_without_traceback(tmp_path, capsys):
    assert main(["train", "--data-dir", str(tmp_path), "--out", str(tmp_path / "runs"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "msmrnet train: error:" in err and "KDDTrain+ not found" in err and "Traceback" not in err
    assert main(["train", "--set", "training.epoch=2"]) == 2
    assert "unknown key(s) ['epoch']" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["train", "evaluate", "detect", "models", "data", "reproduce"])
def test_help(command):
    result = subprocess.run([sys.executable, "-m", "msmrnet.cli.main", command, "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "usage: msmrnet" in result.stdout


def test_existing_run_folder_is_not_overwritten_silently(trained, capsys):
    root, data, run = trained
    args = ["train", "--data-dir", str(data), "--out", str(root / "runs"), "--name", "r1", "--epochs", "1", *SMALL]
    assert main(args) == 2
    assert "holds a run already" in capsys.readouterr().err


def test_a_killed_training_process_resumes(tmp_path):
    """SIGKILL the CLI mid-run, then --resume: the run completes with every epoch exactly once."""
    import os
    import signal
    import time

    from msmrnet.training.checkpoint import load_checkpoint

    data = make_data_dir(tmp_path / "data", n_train=1500)
    run = tmp_path / "runs" / "k"
    cmd = [sys.executable, "-m", "msmrnet", "train", "--data-dir", str(data), "--out", str(tmp_path / "runs"), "--name", "k",
           "--epochs", "8", "--set", "training.patience=0", "-q", *SMALL]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ckpt = run / "checkpoints" / "last.safetensors"
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        if ckpt.exists() and load_checkpoint(ckpt)[1]["epoch"] >= 2:
            break
        time.sleep(0.2)
    assert proc.poll() is None, "training finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    killed_at = load_checkpoint(ckpt)[1]["epoch"]
    assert 2 <= killed_at < 8 and not (run / "metrics.json").exists()

    assert main(["train", "--resume", str(run), "--no-progress"]) == 0
    history = json.loads((run / "history.json").read_text())
    assert [h["epoch"] for h in history] == list(range(1, 9))
    assert (run / "metrics.json").is_file()


def test_resume_takes_data_dir_and_refuses_other_flags(trained, tmp_path, capsys, monkeypatch):
    import shutil

    root, data, run = trained
    moved = tmp_path / "moved"
    shutil.copytree(data, moved)
    copy = tmp_path / "run"
    shutil.copytree(run, copy)
    monkeypatch.delenv("MSMRNET_DATA_DIR", raising=False)
    cfg = yaml.safe_load((copy / "config.yaml").read_text())
    cfg["data"]["data_dir"] = str(tmp_path / "gone")  # the data moved since the run started
    (copy / "config.yaml").write_text(yaml.safe_dump(cfg))
    assert main(["train", "--resume", str(copy), "--no-progress"]) == 2
    assert "KDDTrain+ not found" in capsys.readouterr().err
    assert main(["train", "--resume", str(copy), "--data-dir", str(moved), "--no-progress"]) == 0
    capsys.readouterr()
    assert main(["train", "--resume", str(copy), "--epochs", "9"]) == 2
    assert "it takes only --data-dir, not --epochs" in capsys.readouterr().err


def test_bad_names_leave_no_run_folder(tmp_path, capsys):
    assert main(["train", "--set", "data.test=[KDDTest]", "--out", str(tmp_path), "--name", "x"]) == 2
    assert main(["train", "--data-dir", str(tmp_path / "nowhere"), "--out", str(tmp_path), "--name", "x"]) == 2
    assert not (tmp_path / "x").exists()


def test_detect_argument_checks(trained, tmp_path, capsys):
    _, data, run = trained
    src = data / "nsl-kdd" / "KDDTest-21.txt"
    for extra in (["--chunk-rows", "0"], ["--threshold", "2"]):
        with pytest.raises(SystemExit):
            main(["detect", "--model", str(run / "model"), "--input", str(src), *extra])
    assert "must be" in capsys.readouterr().err
    assert main(["detect", "--model", str(run / "model"), "--input", str(tmp_path)]) == 2
    assert "is a folder, not a file" in capsys.readouterr().err


def test_detect_default_output_goes_to_the_working_folder(trained, tmp_path, monkeypatch, capsys):
    _, data, run = trained
    monkeypatch.chdir(tmp_path)
    assert main(["detect", "--model", str(run / "model"), "--input", str(data / "nsl-kdd" / "KDDTest+.txt.gz"), "--no-progress"]) == 0
    assert (tmp_path / "KDDTest+.scores.jsonl").is_file() and (tmp_path / "KDDTest+.scores.jsonl.summary.json").is_file()


def test_damaged_model_folder_is_named(trained, tmp_path, capsys):
    import shutil

    _, data, run = trained
    bad = tmp_path / "model"
    shutil.copytree(run / "model", bad)
    (bad / "model.safetensors").write_bytes((bad / "model.safetensors").read_bytes()[:50])
    assert main(["evaluate", "--model", str(bad), "--input", str(data / "nsl-kdd" / "KDDTest-21.txt")]) == 2
    assert "model.safetensors: damaged weights file" in capsys.readouterr().err
    (bad / "model.json").write_text("{broken")
    assert main(["evaluate", "--model", str(bad), "--input", str(data / "nsl-kdd" / "KDDTest-21.txt")]) == 2
    assert "model.json: damaged model metadata" in capsys.readouterr().err


def test_holdout_labels_and_automatic_threshold(tmp_path, capsys):
    """Held-out attack types are never trained on, the threshold is chosen on them, and
    evaluation and detect use the model's threshold by default."""
    data = make_data_dir(tmp_path / "data")
    args = ["train", "--data-dir", str(data), "--out", str(tmp_path / "runs"), "--name", "h", "--epochs", "2", "--task", "binary",
            "--set", "data.holdout_labels=[smurf, guess_passwd]", "--set", "model.threshold=auto", *SMALL]  # fmt: skip
    assert main(args) == 0
    run = tmp_path / "runs" / "h"
    info = json.loads((run / "run.json").read_text())
    choice = info["threshold_choice"]
    assert info["threshold"] == choice["threshold"] and 0 < choice["threshold"] < 1
    assert choice["attack_rows_are"] == "held-out labels"
    summary = json.loads((run / "data_summary.json").read_text())
    held = sum(summary["holdout_labels"].values())
    assert set(summary["holdout_labels"]) == {"smurf", "guess_passwd"} and held > 0
    # every held-out row is in validation, none in training
    assert summary["validation_rows"] > held and summary["train_rows"] + summary["validation_rows"] == summary["rows_used"]
    assert choice["attack_rows"] == held
    model = json.loads((run / "model" / "model.json").read_text())
    assert model["hyperparameters"]["threshold"] == choice["threshold"]
    metrics = json.loads((run / "metrics.json").read_text())
    assert all(r["threshold"] == choice["threshold"] for r in metrics["results"])
    capsys.readouterr()
    assert main(["detect", "--model", str(run / "model"), "--input", str(data / "nsl-kdd" / "KDDTest+.txt.gz"),
                 "--output", str(tmp_path / "s.jsonl"), "--no-progress"]) == 0  # fmt: skip
    assert f"(attack probability >= {choice['threshold']})" in capsys.readouterr().out


@pytest.mark.parametrize("setting, message", [
    ("data.holdout_labels=[teleport]", "no row of KDDTrain+ has the label 'teleport'"),
    ("model.threshold=1.5", "model.threshold must be a probability in [0, 1] or 'auto'"),
    ("model.threshold=sometimes", "model.threshold must be a probability in [0, 1] or 'auto'"),
])  # fmt: skip
def test_holdout_and_threshold_settings_are_checked(tmp_path, capsys, setting, message):
    data = make_data_dir(tmp_path / "data")
    args = ["train", "--data-dir", str(data), "--out", str(tmp_path / "runs"), "--epochs", "1", "--set", setting, *SMALL]
    assert main(args) == 2
    assert message in capsys.readouterr().err
