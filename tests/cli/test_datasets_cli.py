"""Other data sets through the command line: train, inspect, detect, and the checks before a run starts."""

import dataclasses
import json

import pytest

from msmrnet.cli.main import main
from msmrnet.data import registry
from msmrnet.errors import ConfigError
from msmrnet.training.config import load_config
from tests.synthetic import CIC_COLUMNS, UNSW_COLUMNS, make_cic_rows, make_unsw_rows, write_csv

SMALL = ["--set", "model.name=msmrnet", "--set", "model.options={depth: 1, width: 4, hidden: 4}", "--set", "training.batch_size=64",
         "--set", "training.lr=0.01", "--epochs", "2", "--no-progress"]  # fmt: skip


def test_train_unsw_nb15_on_a_split_of_the_82332_partition(tmp_path, monkeypatch, capsys):
    entry = registry.FILES["UNSW-NB15-82332"]
    monkeypatch.setitem(registry.FILES, "UNSW-NB15-82332", dataclasses.replace(entry, rows=400, sha256=None))
    write_csv(tmp_path / "data" / "unsw-nb15" / "UNSW_NB15_training-set.csv.gz", UNSW_COLUMNS, make_unsw_rows(400), gz=True, bom=True)
    args = ["train", "--dataset", "unsw-nb15", "--task", "multiclass", "--data-dir", str(tmp_path / "data"),
            "--out", str(tmp_path / "runs"), "--name", "u", *SMALL]  # fmt: skip
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "UNSW-NB15-82332 (test split)" in out and "bom_removed" in out and "values_mapped" in out
    run = tmp_path / "runs" / "u"
    split = json.loads((run / "split.json").read_text())
    assert split["test_rows"] == 80 and split["train_rows"] == 320 and len(split["test_lines"]) == 80
    quality = json.loads((run / "data_quality.json").read_text())["UNSW-NB15-82332"]
    assert quality["rows_read"] == 400 and quality["repairs"]["bom_removed"] == 1
    summary = json.loads((run / "data_summary.json").read_text())
    assert "id" in summary["features"]["excluded"] and summary["features"]["categorical"] == ["proto", "service", "state"]
    model = json.loads((run / "model" / "model.json").read_text())
    assert model["dataset"] == "unsw-nb15" and len(model["classes"]) == 10

    # detection on the same layout: the model's data set says attack_cat is the label, '-' is the service 'none'

    flows = write_csv(tmp_path / "flows.csv", UNSW_COLUMNS, make_unsw_rows(30, seed=9), bom=True)
    assert main(["detect", "--model", str(run / "model"), "--input", str(flows), "--output", str(tmp_path / "o.jsonl"), "--no-progress"]) == 0
    s = json.loads((tmp_path / "o.jsonl.summary.json").read_text())
    assert s["scored"] == 30 and s["ignored_columns"] == ["id", "label"] and s["unmapped_labels"] == 0
    assert s["rows_with_unseen_categories"] == 0 and s["labelled_rows"] == 30


def test_table_with_one_class_is_refused_before_training(tmp_path, capsys):
    path = write_csv(tmp_path / "one.csv", ["bytes", "proto", "verdict"], [[str(i), "tcp", "benign"] for i in range(30)])
    args = ["train", "--dataset", "table", "--train", str(path), "--label-column", "verdict", "--out", str(tmp_path), "--name", "x", *SMALL]
    assert main(args) == 2
    assert "one.csv, column 'verdict': the training data holds one class only ('normal'" in capsys.readouterr().err


def test_train_cicids_with_options_and_inspect(tmp_path, capsys):
    rows = make_cic_rows(300, seed=4, identifiers=False)
    rows[7][4] = "Infinity"
    path = write_csv(tmp_path / "cic.csv", CIC_COLUMNS, rows)
    args = ["train", "--dataset", "cicids", "--train", str(path), "--task", "binary", "--drop", "Bwd Header Length",
            "--out", str(tmp_path / "runs"), "--name", "c", *SMALL]  # fmt: skip
    assert main(args) == 0
    run = tmp_path / "runs" / "c"
    summary = json.loads((run / "data_summary.json").read_text())
    assert "Bwd Header Length" in summary["features"]["excluded"] and "Destination Port" in summary["features"]["excluded"]
    quality = json.loads((run / "data_quality.json").read_text())[str(path)]
    assert quality["repairs"]["rows_dropped_infinity"] == 1 and quality["rows_kept"] == 299
    capsys.readouterr()
    assert main(["inspect", str(path), "--json", str(tmp_path / "i.json")]) == 0
    out = capsys.readouterr().out
    assert "data set: cicids" in out and "Fwd Header Length (copy 2)  excluded" in out and "rows_dropped_infinity" in out
    assert json.loads((tmp_path / "i.json").read_text())["rows"] == 299


def test_inspect_error_names_the_place(tmp_path, capsys):
    path = write_csv(tmp_path / "bad.csv", ["a", "label"], [["1", "x"], ["2"]])
    assert main(["inspect", str(path)]) == 2
    assert "bad.csv, line 3: expected 2 comma-separated fields, found 1" in capsys.readouterr().err


@pytest.mark.parametrize(
    "overrides, message",
    [
        (["data.dataset=unsw"], "unknown data set 'unsw'; known: nsl-kdd, kdd99, unsw-nb15, cicids, table"),
        (["data.dataset=table"], "data.train: the table data set has no default files"),
        (["data.dataset=table", "data.train=x.csv", "data.options.label=y"], r"table has no option\(s\) \['label'\]"),
        (["data.dataset=table", "data.train=x.csv", "data.options.categorical=5"], "data.options.categorical: expected a list of names"),
        (["data.options.label_column=y"], r"nsl-kdd has no option\(s\) \['label_column'\]; its options: none"),
        (["data.dataset=kdd99", "data.train=KDDTrain+"], "KDDTrain\\+ is a file of nsl-kdd, not of kdd99"),
        (["data.dataset=table", "data.train=x.csv", "data.test_fraction=1"], r"data.test_fraction must be in \[0, 1\)"),
    ],
)
def test_data_set_settings_are_checked_before_anything_runs(overrides, message):
    with pytest.raises(ConfigError, match=message):
        load_config(None, overrides)


def test_defaults_per_data_set(tmp_path):
    cfg = load_config(None, [])
    assert (cfg.data.train, cfg.data.test, cfg.data.test_fraction) == ("KDDTrain+", ["KDDTest+", "KDDTest-21"], 0.0)
    cfg = load_config(None, ["data.dataset=table", "data.train=x.csv"])
    assert (cfg.data.test, cfg.data.test_fraction) == ([], 0.2)
    cfg = load_config(None, ["data.dataset=kdd99"])
    assert (cfg.data.train, cfg.data.test) == ("kddcup.data_10_percent", ["corrected"])


def test_missing_train_file_leaves_no_run_folder(tmp_path, capsys):
    assert main(["train", "--dataset", "table", "--train", str(tmp_path / "absent.csv"), "--out", str(tmp_path), "--name", "x"]) == 2
    assert "absent.csv: no such file" in capsys.readouterr().err and not (tmp_path / "x").exists()
