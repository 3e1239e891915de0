import json

import numpy as np
import pandas as pd
import pytest

from msmrnet import MSMRNetClassifier
from msmrnet.data import nsl_kdd
from msmrnet.detection.detector import detect_file
from msmrnet.errors import DataError
from tests.synthetic import make_rows, write_nsl_file


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    rows = make_rows(400, seed=0)
    df = pd.DataFrame([r[:41] for r in rows], columns=nsl_kdd.FEATURES)
    for c in nsl_kdd.NUMERIC:
        df[c] = df[c].astype(float)
    y = nsl_kdd.task_labels(pd.Series([r[41] for r in rows]), "binary")
    est = MSMRNetClassifier(model="msmrnet", model_options={"depth": 1, "width": 4, "hidden": 4}, epochs=3, lr=0.01,
                            classes=nsl_kdd.TASKS["binary"], numeric=nsl_kdd.NUMERIC, categorical=nsl_kdd.CATEGORICAL, progress=False)  # fmt: skip
    path = tmp_path_factory.mktemp("m") / "model"
    est.fit(df, y).save(str(path))
    return str(path)


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_headerless_file_with_bad_rows_accounts_for_every_line(model_dir, tmp_path):
    rows = make_rows(120, seed=5)
    rows[9] = rows[9][:20]  # line 10: ragged
    rows[30][4] = "12kb"  # line 31: text in a numeric column
    rows[50][5] = "inf"  # line 51: infinite
    path = write_nsl_file(tmp_path / "flows.csv.gz", rows, gz=True)
    out = tmp_path / "scores.jsonl"
    s = detect_file(model_dir, path, out, chunk_rows=32, progress=False)
    recs = read_jsonl(out)
    assert [r["line"] for r in recs] == list(range(1, 121))
    errors = {r["line"]: r["error"] for r in recs if "error" in r}
    assert errors == {
        10: "expected 43 fields, found 20",
        31: "column 'src_bytes': not a finite number: '12kb'",
        51: "column 'dst_bytes': not a finite number: 'inf'",
    }
    assert (s.rows, s.scored, s.unparsable, s.layout) == (120, 117, 3, "headerless")
    scored = [r for r in recs if "error" not in r]
    assert all(0.0 <= r["attack_probability"] <= 1.0 and r["prediction"] in ("normal", "attack") for r in scored)
    assert all(r["alert"] == (r["attack_probability"] >= 0.5) for r in scored)
    assert s.labelled_rows == 117 and s.binary_metrics["accuracy"] > 0.8
    assert sum(s.predicted.values()) == 117 and s.alerts == sum(r["alert"] for r in scored)


def test_header_layout_extra_columns_and_unseen_categories(model_dir, tmp_path):
    rows = make_rows(40, seed=6)
    cols = ["flow_id"] + list(reversed(nsl_kdd.FEATURES))  # any order, one extra column, no label
    data = [[f"f{i}"] + list(reversed(r[:41])) for i, r in enumerate(rows)]
    data[3][cols.index("service")] = "quic"  # never seen in training
    path = write_nsl_file(tmp_path / "flows.csv", data, header=True, columns=cols)
    s = detect_file(model_dir, path, tmp_path / "o.jsonl", progress=False)
    recs = read_jsonl(tmp_path / "o.jsonl")
    assert s.layout == "header" and s.ignored_columns == ["flow_id"]
    assert s.rows_with_unseen_categories == 1 and s.unseen_categories == {"service": {"quic": 1}}
    assert [r["line"] for r in recs if r.get("unseen_category")] == [5]
    assert "label" not in recs[0] and s.binary_metrics is None


def test_same_scores_as_the_estimator(model_dir, tmp_path):
    rows = make_rows(30, seed=7)
    path = write_nsl_file(tmp_path / "flows.csv", rows)
    detect_file(model_dir, path, tmp_path / "o.jsonl", chunk_rows=7, progress=False)
    est = MSMRNetClassifier.load(model_dir)
    table = nsl_kdd.read_nsl_kdd(path)
    expected = np.round(est.anomaly_score(table.features), 6)
    got = [r["attack_probability"] for r in read_jsonl(tmp_path / "o.jsonl")]
    assert np.allclose(got, expected, atol=1e-6)


def test_missing_feature_columns_are_listed(model_dir, tmp_path):
    cols = [c for c in nsl_kdd.FEATURES if c not in ("flag", "count")]
    path = write_nsl_file(tmp_path / "f.csv", [["0"] * len(cols)], header=True, columns=cols)
    with pytest.raises(DataError, match=r"line 1: header lacks feature column\(s\) the model needs: .*flag.*count|count.*flag"):
        detect_file(model_dir, path, tmp_path / "o.jsonl", progress=False)
    assert not (tmp_path / "o.jsonl").exists()


def test_empty_and_absent_files(model_dir, tmp_path):
    (tmp_path / "e.csv").write_text("\n\n")
    with pytest.raises(DataError, match="e.csv: file is empty"):
        detect_file(model_dir, tmp_path / "e.csv", tmp_path / "o.jsonl", progress=False)
    with pytest.raises(DataError, match="no such file"):
        detect_file(model_dir, tmp_path / "absent.csv", tmp_path / "o.jsonl", progress=False)


def test_label_column_typos_and_delimiters_are_explained(model_dir, tmp_path):
    rows = make_rows(5, seed=8)
    cols = list(nsl_kdd.FEATURES) + ["label", "difficulty"]
    path = write_nsl_file(tmp_path / "h.csv", rows, header=True, columns=cols)
    with pytest.raises(DataError, match="no label column 'lbl' in the header"):
        detect_file(model_dir, path, tmp_path / "o.jsonl", label_column="lbl", progress=False)
    typo = [c if c != "src_bytes" else "src_byte" for c in cols]
    path = write_nsl_file(tmp_path / "t.csv", rows, header=True, columns=typo)
    with pytest.raises(DataError, match="did you mean 'src_byte' for 'src_bytes'"):
        detect_file(model_dir, path, tmp_path / "o.jsonl", progress=False)
    (tmp_path / "s.csv").write_text(";".join(rows[0]) + "\n")
    with pytest.raises(DataError, match="only comma-separated files are read"):
        detect_file(model_dir, tmp_path / "s.csv", tmp_path / "o.jsonl", progress=False)
    with pytest.raises(ValueError, match="threshold is a probability"):
        detect_file(model_dir, path, tmp_path / "o.jsonl", threshold=-1, progress=False)


def test_unmapped_labels_are_counted(model_dir, tmp_path):
    rows = make_rows(6, seed=9)
    rows[2][41] = "foo_attack"
    path = write_nsl_file(tmp_path / "f.csv", rows)
    s = detect_file(model_dir, path, tmp_path / "o.jsonl", progress=False)
    assert s.unmapped_labels == 1 and s.labelled_rows == 5
    assert read_jsonl(tmp_path / "o.jsonl")[2]["label"] is None


def test_damaged_inputs_and_overwriting_the_input_are_refused(model_dir, tmp_path):
    rows = make_rows(2000, seed=10)
    full = write_nsl_file(tmp_path / "f.csv.gz", rows, gz=True).read_bytes()
    (tmp_path / "trunc.csv.gz").write_bytes(full[: len(full) // 2])
    with pytest.raises(DataError, match=r"trunc\.csv\.gz: cannot read past this point: EOFError"):
        detect_file(model_dir, tmp_path / "trunc.csv.gz", tmp_path / "o.jsonl", progress=False)
    assert not (tmp_path / "o.jsonl").exists()
    (tmp_path / "bin.csv").write_bytes(",".join(rows[0]).encode() + b"\n\xff\xfe,1\n")
    with pytest.raises(DataError, match=r"bin\.csv: cannot read .*UnicodeDecodeError"):
        detect_file(model_dir, tmp_path / "bin.csv", tmp_path / "o.jsonl", chunk_rows=1, progress=False)
    src = write_nsl_file(tmp_path / "same.csv", rows[:5])
    with pytest.raises(DataError, match="would overwrite the input"):
        detect_file(model_dir, src, src, progress=False)
    assert src.read_text().startswith(",".join(rows[0]))
