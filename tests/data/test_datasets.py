"""The data-set entries on generated files in each published layout, and on the real UNSW-NB15 file."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from msmrnet.data import datasets, nsl_kdd, registry
from msmrnet.data.inspect import format_inspection, inspect_files
from msmrnet.errors import DataError
from tests.synthetic import (CIC_COLUMNS, CIC_IDS_COLUMNS, UNSW_COLUMNS, make_cic_rows, make_rows, make_unsw_rows,
                             write_csv)  # fmt: skip


@pytest.fixture
def small_unsw_partitions(tmp_path, monkeypatch):
    """Generated partitions of 60 and 40 rows standing in for 175,341 and 82,332, names swapped."""
    for name, rows in (("UNSW-NB15-175341", 60), ("UNSW-NB15-82332", 40)):
        table = registry.FILES if name in registry.FILES else registry.ROWS_ONLY
        monkeypatch.setitem(table, name, dataclasses.replace(table[name], rows=rows, sha256=None))
    base = tmp_path / "unsw-nb15"
    write_csv(base / "UNSW_NB15_training-set.csv", UNSW_COLUMNS, make_unsw_rows(40, seed=2), bom=True)  # the smaller one
    write_csv(base / "UNSW_NB15_testing-set.csv.gz", UNSW_COLUMNS, make_unsw_rows(60, seed=1), gz=True, bom=True)
    return tmp_path


def test_unsw_partitions_are_found_by_row_count_not_name(small_unsw_partitions):
    root = small_unsw_partitions
    assert registry.locate("UNSW-NB15-175341", root).name == "UNSW_NB15_testing-set.csv.gz"
    assert registry.locate("UNSW-NB15-82332", root).name == "UNSW_NB15_training-set.csv"
    unsw = datasets.get("unsw-nb15")
    table = unsw.load("UNSW-NB15-175341", root)
    assert len(table) == 60 and "id" not in table.features.columns and table.schema.excluded == ["id"]
    assert table.schema.categorical == ["proto", "service", "state"] and len(table.schema.numeric) == 39
    assert "none" in set(table.features["service"]) and "-" not in set(table.features["service"])
    assert table.quality.repairs["bom_removed"] == 1 and table.quality.repairs["values_mapped"] > 0
    assert set(unsw.task_labels(table, "multiclass", {})) <= set(datasets.UNSW_CLASSES)
    binary = unsw.task_labels(table, "binary", {})
    assert (binary == "normal").tolist() == (table.labels["label"] == "0").tolist()


def test_unsw_defaults_fall_back_to_a_split_of_the_82332_partition(small_unsw_partitions, tmp_path_factory):
    unsw = datasets.get("unsw-nb15")
    assert datasets.default_files(unsw, small_unsw_partitions) == ("UNSW-NB15-175341", ["UNSW-NB15-82332"], 0.0)
    (small_unsw_partitions / "unsw-nb15" / "UNSW_NB15_testing-set.csv.gz").unlink()
    assert datasets.default_files(unsw, small_unsw_partitions) == ("UNSW-NB15-82332", [], 0.2)
    with pytest.raises(DataError, match=r"UNSW-NB15-175341 not found: no file with 60 rows .*by its row count"):
        registry.locate("UNSW-NB15-175341", small_unsw_partitions)


def test_unsw_unknown_attack_category_names_the_line(tmp_path):
    rows = make_unsw_rows(5)
    rows[3][UNSW_COLUMNS.index("attack_cat")] = "Teleport"
    path = write_csv(tmp_path / "u.csv", UNSW_COLUMNS, rows)
    with pytest.raises(DataError, match=r"u\.csv, line 5, column 'attack_cat': unknown attack category 'Teleport'"):
        datasets.get("unsw-nb15").read_paths([path])


@pytest.mark.parametrize("header", [False, True])
def test_kdd99_with_or_without_header_and_trailing_dots(tmp_path, header):
    rows = [r[:41] + [r[41] + "."] for r in make_rows(30, seed=3)]  # KDD'99: no difficulty, 'smurf.'
    path = write_csv(tmp_path / "kddcup.data_10_percent.gz", list(nsl_kdd.FEATURES) + ["label"] if header else None, rows, gz=True)
    kdd = datasets.get("kdd99")
    table = kdd.read_paths([path])
    assert len(table) == 30 and list(table.features.columns) == list(nsl_kdd.FEATURES)
    assert not any(n.endswith(".") for n in table.attack_names)
    expected = nsl_kdd.task_labels(pd.Series([r[41] for r in rows]), "multiclass").tolist()
    assert kdd.task_labels(table, "multiclass", {}).tolist() == expected
    assert kdd.classes("multiclass", np.array(expected)) == nsl_kdd.CATEGORIES


def test_kdd99_unknown_attack_names_the_line(tmp_path):
    rows = [r[:41] + [r[41] + "."] for r in make_rows(5, seed=3)]
    rows[1][41] = "teleport."
    with pytest.raises(DataError, match=r"k\.txt, line 2, column 'label': attack name 'teleport' has no category"):
        datasets.get("kdd99").read_paths([write_csv(tmp_path / "k.txt", None, rows)])


def test_cicids_files_read_together_with_cic_quirks(tmp_path):
    header = CIC_IDS_COLUMNS + CIC_COLUMNS
    a = make_cic_rows(20, seed=1)
    a[4][len(CIC_IDS_COLUMNS) + 4] = "Infinity"  # Flow Bytes/s of a 0-second flow
    a[5][len(CIC_IDS_COLUMNS) + 5] = "NaN"
    b = make_cic_rows(10, seed=2)
    b[2][-1] = "Web Attack \u2013 Brute Force"
    write_csv(tmp_path / "cic" / "Monday.csv", header, a[:10] + [header] + a[10:])  # header repeated at line 12
    write_csv(tmp_path / "cic" / "Thursday.csv", header, b, encoding="cp1252")
    cic = datasets.get("cicids")
    table = cic.read_paths([tmp_path / "cic"])
    q = table.quality
    assert len(q.files) == 2 and q.rows_read == 30 and len(table) == 28
    assert q.repairs == {"header_names_stripped": 26, "duplicate_columns_dropped": 2, "repeated_header_rows_skipped": 1,
                         "rows_dropped_infinity": 1, "rows_dropped_nan": 1, "lines_decoded_as_cp1252": 1}  # fmt: skip
    assert "Fwd Header Length (copy 2)" in table.schema.excluded
    assert not set(table.features.columns) & {"Flow ID", "Source IP", "Source Port", "Destination IP", "Destination Port", "Timestamp"}
    labels = cic.task_labels(table, "multiclass", {})
    assert set(labels) == {"normal", "DDoS", "Web Attack \u2013 Brute Force"}
    assert cic.classes("multiclass", labels) == ("normal", "DDoS", "Web Attack \u2013 Brute Force")
    assert set(cic.task_labels(table, "binary", {})) == {"normal", "attack"}


def test_cicids_file_without_a_column_of_the_first_is_named(tmp_path):
    header = CIC_COLUMNS
    write_csv(tmp_path / "a.csv", header, make_cic_rows(5, identifiers=False))
    write_csv(tmp_path / "b.csv", header[:1] + header[2:], [r[:1] + r[2:] for r in make_cic_rows(5, identifiers=False)])
    with pytest.raises(DataError, match=r"b\.csv, line 1: missing column\(s\) 'Flow Duration' \(present in .*a\.csv\)"):
        datasets.get("cicids").read_paths([tmp_path / "a.csv", tmp_path / "b.csv"])


def test_any_table_parquet_with_inferred_types_and_options(tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"src_ip": [f"10.0.0.{i}" for i in range(50)], "bytes": rng.integers(0, 999, 50),
                          "proto": rng.choice(["tcp", "udp"], 50), "port": rng.choice([80, 443], 50),
                          "verdict": rng.choice(["benign", "scan"], 50)})  # fmt: skip
    frame.to_parquet(tmp_path / "flows.parquet")
    tab = datasets.get("table")
    opts = {"label_column": "verdict", "drop": ["src_ip"]}
    table = tab.read_paths([tmp_path / "flows.parquet"], opts)
    assert table.schema.numeric == ["bytes", "port"] and table.schema.categorical == ["proto"] and table.schema.inferred
    assert table.schema.excluded == ["src_ip"] and len(table) == 50
    assert set(tab.task_labels(table, "binary", opts)) == {"normal", "attack"}
    table = tab.read_paths([tmp_path / "flows.parquet"], {**opts, "categorical": ["proto", "port"]})
    assert table.schema.categorical == ["proto", "port"] and table.schema.numeric == ["bytes"] and not table.schema.inferred


def test_inferred_numeric_column_with_text_points_at_the_option(tmp_path):
    rows = [[str(i), "tcp", "normal" if i % 2 else "x"] for i in range(40)] + [["12kb", "tcp", "x"]]
    path = write_csv(tmp_path / "t.csv", ["bytes", "proto", "label"], rows)
    with pytest.raises(DataError, match=r"line 42, column 'bytes': not a number: '12kb' \(declare the column categorical"):
        datasets.get("table").read_paths([path], {}, chunk_rows=10)


def test_inspect_streams_and_reports(tmp_path, small_unsw_partitions):
    path = small_unsw_partitions / "unsw-nb15" / "UNSW_NB15_training-set.csv"
    result = inspect_files([path], chunk_rows=7)
    assert result["dataset"] == "unsw-nb15" and result["rows"] == 40 and result["files"][0]["format"] == "csv"
    assert result["schema"]["id"] == "excluded (not a feature)" and result["schema"]["proto"] == "categorical"
    assert sum(result["class_counts"]["binary"].values()) == 40
    text = format_inspection(result)
    assert "data set: unsw-nb15" in text and "bom_removed" in text


def test_sniff_recognises_each_layout(tmp_path):
    assert datasets.sniff(write_csv(tmp_path / "n.txt", None, make_rows(2))) == "nsl-kdd"
    assert datasets.sniff(write_csv(tmp_path / "k.txt", None, [r[:42] for r in make_rows(2)])) == "kdd99"
    assert datasets.sniff(write_csv(tmp_path / "u.csv", UNSW_COLUMNS, make_unsw_rows(2), bom=True)) == "unsw-nb15"
    assert datasets.sniff(write_csv(tmp_path / "c.csv", CIC_COLUMNS, make_cic_rows(2, identifiers=False))) == "cicids"
    assert datasets.sniff(write_csv(tmp_path / "t.csv", ["a", "label"], [["1", "x"]])) == "table"


def test_real_unsw_nb15_partition(shared_data):
    path = registry.locate("UNSW-NB15-82332", shared_data)
    registry.verify("UNSW-NB15-82332", path)
    unsw = datasets.get("unsw-nb15")
    table = unsw.load("UNSW-NB15-82332", shared_data)
    assert len(table) == 82_332 and table.features.shape[1] == 42
    assert "id" not in table.features.columns and "attack_cat" not in table.features.columns
    counts = pd.Series(unsw.task_labels(table, "multiclass", {})).value_counts()
    assert len(counts) == 10 and counts["normal"] == 37_000 and counts["Worms"] == 44
    assert table.quality.rows_dropped == 0 and table.quality.repairs["bom_removed"] == 1
