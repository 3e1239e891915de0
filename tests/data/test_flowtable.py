"""One test per kind of bad input: the exact error (file, line, column) or the exact counted repair."""

import gzip

import numpy as np
import pytest

from msmrnet.data.flowtable import FlowTableReader, TableSpec
from msmrnet.data.quality import REPAIRS, DataQuality
from msmrnet.errors import DataError
from tests.synthetic import write_csv

HEADER = ["pkts", "rate", "proto", "label"]
SPEC = TableSpec(labels=("label",), categorical=("proto",), counts=("pkts",))
GOOD = [["3", "0.5", "tcp", "normal"], ["7", "1.5", "udp", "dos"], ["1", "2.0", "tcp", "normal"]]


def read(path, spec=SPEC, **kw):
    reader = FlowTableReader([path], spec, **kw)
    return reader.read(), reader.quality


def test_clean_file_needs_no_repairs(tmp_path):
    chunk, q = read(write_csv(tmp_path / "f.csv", HEADER, GOOD))
    assert list(chunk.features.columns) == ["pkts", "rate", "proto"] and chunk.features["pkts"].tolist() == [3.0, 7.0, 1.0]
    assert chunk.labels["label"].tolist() == ["normal", "dos", "normal"] and chunk.lines.tolist() == [2, 3, 4]
    assert (q.rows_read, q.rows_kept, q.repairs) == (3, 3, {})


def test_empty_file(tmp_path):
    (tmp_path / "e.csv").write_text("")
    with pytest.raises(DataError, match=r"e\.csv: file is empty"):
        read(tmp_path / "e.csv")


def test_header_only(tmp_path):
    path = write_csv(tmp_path / "h.csv", HEADER, [])
    with pytest.raises(DataError, match=r"h\.csv: holds a header but no data rows"):
        read(path)


def test_ragged_row_names_file_and_line(tmp_path):
    rows = GOOD + [["4", "0.1", "tcp"]]
    with pytest.raises(DataError, match=r"r\.csv, line 5: expected 4 comma-separated fields, found 3"):
        read(write_csv(tmp_path / "r.csv", HEADER, rows))


def test_text_in_numeric_column_names_file_line_and_column(tmp_path):
    rows = [GOOD[0], ["12kb", "0.1", "tcp", "dos"]]
    with pytest.raises(DataError, match=r"t\.csv, line 3, column 'pkts': not a number: '12kb'"):
        read(write_csv(tmp_path / "t.csv", HEADER, rows))


def test_nan_and_infinity_rows_are_dropped_and_counted(tmp_path):
    rows = GOOD + [["2", "Infinity", "tcp", "dos"], ["2", "-inf", "tcp", "dos"], ["2", "NaN", "tcp", "dos"], ["", "1", "tcp", "dos"]]
    chunk, q = read(write_csv(tmp_path / "n.csv", HEADER, rows))
    assert (q.rows_read, q.rows_kept, q.rows_dropped) == (7, 3, 4)
    assert q.repairs == {"rows_dropped_infinity": 2, "rows_dropped_nan": 2}
    assert q.columns == {"rate": {"rows_dropped_infinity": 2, "rows_dropped_nan": 1}, "pkts": {"rows_dropped_nan": 1}}
    assert q.first_seen["rows_dropped_infinity"].endswith("n.csv, line 5")
    assert np.isfinite(chunk.features[["pkts", "rate"]].to_numpy()).all()


def test_negative_count_is_dropped_and_counted(tmp_path):
    rows = GOOD + [["-1", "0.5", "tcp", "dos"], ["2", "-0.5", "tcp", "dos"]]  # rate may be negative: not a count
    chunk, q = read(write_csv(tmp_path / "c.csv", HEADER, rows))
    assert q.repairs == {"rows_dropped_negative_count": 1} and q.columns == {"pkts": {"rows_dropped_negative_count": 1}}
    assert len(chunk) == 4


def test_number_beyond_float_range_is_dropped_and_counted(tmp_path):
    rows = GOOD + [["2", "1e400", "tcp", "dos"]]
    chunk, q = read(write_csv(tmp_path / "o.csv", HEADER, rows))
    assert q.repairs == {"rows_dropped_out_of_range": 1} and len(chunk) == 3


def test_missing_label_column_names_the_column(tmp_path):
    path = write_csv(tmp_path / "m.csv", ["pkts", "rate", "proto", "Label"], GOOD)
    with pytest.raises(DataError, match=r"m\.csv, line 1, column 'label': missing label column 'label' \(did you mean 'Label'\?\)"):
        read(path)


def test_missing_feature_column_is_named(tmp_path):
    path = write_csv(tmp_path / "f.csv", ["pkts", "rate", "label"], [r[:2] + r[3:] for r in GOOD])
    with pytest.raises(DataError, match=r"f\.csv, line 1: missing column\(s\) 'proto'"):
        read(path)


def test_empty_label_is_an_error(tmp_path):
    with pytest.raises(DataError, match=r"l\.csv, line 3, column 'label': empty label"):
        read(write_csv(tmp_path / "l.csv", HEADER, [GOOD[0], ["1", "1", "tcp", " "]]))


def test_duplicate_columns_keep_the_first_copy(tmp_path):
    header = ["pkts", "rate", "rate", "proto", "label"]
    rows = [[r[0], r[1], "999", r[2], r[3]] for r in GOOD]
    reader = FlowTableReader([write_csv(tmp_path / "d.csv", header, rows)], TableSpec(labels=("label",), categorical=("proto",)))
    chunk = reader.read()
    assert reader.quality.repairs == {"duplicate_columns_dropped": 1}
    assert reader.schema.excluded == ["rate (copy 2)"] and chunk.features["rate"].tolist() == [0.5, 1.5, 2.0]


def test_corrupt_gzip_names_the_line_reached(tmp_path):
    rows = [[str(i), "0.5", "tcp", "normal"] for i in range(20000)]
    full = write_csv(tmp_path / "f.csv.gz", HEADER, rows, gz=True).read_bytes()
    (tmp_path / "cut.csv.gz").write_bytes(full[: len(full) // 2])
    with pytest.raises(DataError, match=r"cut\.csv\.gz, line \d+: the compressed stream is damaged or truncated after line \d+"):
        read(tmp_path / "cut.csv.gz")
    (tmp_path / "bad.csv.gz").write_bytes(b"\x1f\x8b" + b"\x00" * 40)
    with pytest.raises(DataError, match=r"bad\.csv\.gz, line 1: "):
        read(tmp_path / "bad.csv.gz")


def test_latin1_labels_are_decoded_and_counted(tmp_path):
    rows = GOOD + [["1", "1", "tcp", "Web Attack \u2013 Brute Force"]]
    path = write_csv(tmp_path / "w.csv", HEADER, rows, encoding="cp1252")  # the en dash is byte 0x96
    chunk, q = read(path)
    assert q.repairs == {"lines_decoded_as_cp1252": 1} and q.first_seen["lines_decoded_as_cp1252"].endswith("w.csv, line 5")
    assert chunk.labels["label"].iloc[-1] == "Web Attack \u2013 Brute Force"
    strict = TableSpec(labels=("label",), categorical=("proto",), encoding="utf-8")
    with pytest.raises(DataError, match=r"w\.csv, line 5: not valid utf-8: byte b'\\x96' in field 4 \(byte 20 of the line\)"):
        read(path, strict)
    (tmp_path / "u16.csv").write_bytes("pkts,rate,proto,label\n".encode("utf-16"))
    with pytest.raises(DataError, match=r"u16\.csv, line 1: file is UTF-16 encoded"):
        read(tmp_path / "u16.csv")


def test_bom_and_spaced_header_are_repaired_and_counted(tmp_path):
    path = write_csv(tmp_path / "b.csv", ["pkts", " rate", "proto ", " label"], GOOD, bom=True)
    chunk, q = read(path)
    assert q.repairs == {"bom_removed": 1, "header_names_stripped": 3} and len(chunk) == 3


def test_repeated_header_rows_and_blank_lines_are_skipped_and_counted(tmp_path):
    rows = [GOOD[0], HEADER, GOOD[1], [" pkts", "rate", "proto", "label "], GOOD[2]]
    path = write_csv(tmp_path / "r.csv", HEADER, rows)
    path.write_bytes(path.read_bytes() + b"\r\n\r\n")
    chunk, q = read(path)
    assert q.repairs == {"repeated_header_rows_skipped": 2, "blank_lines_skipped": 2}
    assert chunk.lines.tolist() == [2, 4, 6]


def test_chunks_stream_and_agree_with_one_read(tmp_path):
    rows = [[str(i), f"{i / 7:.3f}", "tcp" if i % 3 else "udp", "normal" if i % 2 else "dos"] for i in range(1000)]
    rows[500][1] = "inf"
    path = write_csv(tmp_path / "s.csv", HEADER, rows)
    reader = FlowTableReader([path], SPEC, chunk_rows=64)
    sizes = [len(c) for c in reader.chunks()]
    assert max(sizes) <= 64 and sum(sizes) == 999 and reader.quality.repairs == {"rows_dropped_infinity": 1}
    whole, _ = read(path)
    assert len(whole) == 999


def test_quality_summary_serialises_and_prints(tmp_path):
    q = DataQuality(files=["x.csv"], rows_read=5, rows_kept=4, rows_dropped=1)
    q.add("rows_dropped_infinity", 1, "Flow Bytes/s", "x.csv, line 3")
    assert DataQuality.from_dict(q.to_dict()) == q and '"rows_dropped_infinity": 1' in q.to_json()
    text = q.table()
    assert "5 rows read, 4 kept, 1 dropped" in text and REPAIRS["rows_dropped_infinity"] in text and "Flow Bytes/s 1" in text
    with pytest.raises(KeyError, match="undocumented repair"):
        q.add("made_up")


def test_all_rows_dropped_is_an_error(tmp_path):
    with pytest.raises(DataError, match=r"no rows left after repairs \(1 read, all dropped\)"):
        read(write_csv(tmp_path / "a.csv", HEADER, [["1", "inf", "tcp", "dos"]]))


def test_missing_file_and_folder_and_pattern(tmp_path):
    with pytest.raises(DataError, match="absent.csv: no such file"):
        FlowTableReader([tmp_path / "absent.csv"], SPEC)
    with pytest.raises(DataError, match="folder holds no .csv"):
        FlowTableReader([tmp_path], SPEC)
    with pytest.raises(DataError, match="no file matches this pattern"):
        FlowTableReader([str(tmp_path / "*.csv")], SPEC)


def test_gzip_by_content_not_name(tmp_path):
    path = tmp_path / "plain-name.csv"
    path.write_bytes(gzip.compress(("\n".join(",".join(r) for r in [HEADER, *GOOD]) + "\n").encode()))
    chunk, _ = read(path)
    assert len(chunk) == 3
