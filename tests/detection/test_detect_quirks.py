"""Detection on CICFlowMeter-style files: duplicated names, repeated headers, missing and extra columns."""

import json

import pandas as pd
import pytest

from msmrnet import MSMRNetClassifier
from msmrnet.detection.detector import detect_file
from msmrnet.errors import DataError
from tests.synthetic import CIC_COLUMNS, make_cic_rows, write_csv

FEATURES = ["Flow Duration", "Total Fwd Packets", "Fwd Header Length"]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    rows = make_cic_rows(200, seed=1, identifiers=False)
    idx = [[c.strip() for c in CIC_COLUMNS].index(f) for f in FEATURES]
    df = pd.DataFrame([[float(r[i]) for i in idx] for r in rows], columns=FEATURES)
    y = ["normal" if r[-1] == "BENIGN" else "attack" for r in rows]
    est = MSMRNetClassifier(model="msmrnet", model_options={"depth": 1, "width": 4, "hidden": 4}, epochs=1,
                            classes=("normal", "attack"), numeric=FEATURES, categorical=[], progress=False)  # fmt: skip
    path = tmp_path_factory.mktemp("m") / "model"
    est.fit(df, y).save(str(path), extra={"dataset": "cicids"})
    return str(path)


def test_duplicate_names_and_repeated_headers(model_dir, tmp_path):
    rows = make_cic_rows(12, seed=2, identifiers=False)
    path = write_csv(tmp_path / "f.csv", CIC_COLUMNS, rows[:5] + [CIC_COLUMNS] + rows[5:])
    s = detect_file(model_dir, path, tmp_path / "o.jsonl", progress=False)
    assert (s.rows, s.scored, s.unparsable, s.repeated_header_rows) == (12, 12, 0, 1)
    assert "Fwd Header Length (copy 2)" in s.ignored_columns and s.labelled_rows == 12  # 'Label': BENIGN -> normal, DDoS -> attack
    lines = [json.loads(x)["line"] for x in (tmp_path / "o.jsonl").read_text().splitlines()]
    assert lines == [2, 3, 4, 5, 6] + list(range(8, 15))


def test_missing_feature_columns_are_listed(model_dir, tmp_path):
    cols = [c for c in CIC_COLUMNS if c.strip() not in ("Flow Duration", "Total Fwd Packets")]
    path = write_csv(tmp_path / "m.csv", cols, [["1"] * len(cols)])
    with pytest.raises(DataError, match=r"m\.csv, line 1: header lacks feature column\(s\) the model needs: Flow Duration, Total Fwd Packets"):
        detect_file(model_dir, path, tmp_path / "o.jsonl", progress=False)
