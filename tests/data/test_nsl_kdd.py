import pytest

from msmrnet.data import nsl_kdd, registry
from msmrnet.errors import DataError
from tests.synthetic import make_rows, write_nsl_file


def test_reads_plain_and_gzip_with_difficulty_as_metadata(tmp_path):
    rows = make_rows(50, seed=0)
    for gz in (False, True):
        path = write_nsl_file(tmp_path / f"f{int(gz)}.txt", rows, gz=gz)
        table = nsl_kdd.read_nsl_kdd(path)
        assert list(table.features.columns) == list(nsl_kdd.FEATURES)
        assert "difficulty" not in table.features.columns and "label" not in table.features.columns
        assert table.difficulty.tolist() == [float(r[42]) for r in rows]
        assert table.attack_names.tolist() == [r[41] for r in rows]
        assert table.features["src_bytes"].dtype.kind == "f"


def test_wrong_field_count_names_the_line(tmp_path):
    rows = make_rows(10)
    rows[6] = rows[6][:30]
    path = write_nsl_file(tmp_path / "bad.txt", rows)
    with pytest.raises(DataError, match=r"bad\.txt, line 7: expected 43 comma-separated fields, found 30"):
        nsl_kdd.read_nsl_kdd(path)


def test_non_numeric_value_names_line_and_column(tmp_path):
    rows = make_rows(10)
    rows[3][4] = "lots"  # src_bytes
    path = write_nsl_file(tmp_path / "bad.txt", rows)
    with pytest.raises(DataError, match=r"line 4, column 'src_bytes': not a number: 'lots'"):
        nsl_kdd.read_nsl_kdd(path)


def test_unknown_attack_name_names_the_line(tmp_path):
    rows = make_rows(5)
    rows[2][41] = "teleport"
    path = write_nsl_file(tmp_path / "bad.txt", rows)
    with pytest.raises(DataError, match=r"line 3, column 'label': attack name 'teleport' has no category"):
        nsl_kdd.read_nsl_kdd(path)


def test_empty_file_is_an_error(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text("")
    with pytest.raises(DataError, match="empty.txt"):
        nsl_kdd.read_nsl_kdd(path)


def test_task_labels_and_kdd99_trailing_dot():
    import pandas as pd

    names = pd.Series(["normal", "smurf.", "ipsweep", "guess_passwd", "rootkit", "mscan", "httptunnel"])
    assert nsl_kdd.task_labels(names, "multiclass").tolist() == ["normal", "DoS", "Probe", "R2L", "U2R", "Probe", "U2R"]
    assert nsl_kdd.task_labels(names, "binary").tolist() == ["normal"] + ["attack"] * 6
    with pytest.raises(ValueError, match="unknown task"):
        nsl_kdd.task_labels(names, "ternary")


def test_every_category_is_one_of_the_five():
    assert set(nsl_kdd.ATTACK_CATEGORY.values()) == set(nsl_kdd.CATEGORIES)
    assert len(nsl_kdd.ATTACK_CATEGORY) == 1 + 22 + 17  # normal, training attacks, test-only attacks


def test_every_real_attack_name_is_mapped(shared_data):
    train = registry.load("KDDTrain+", shared_data)
    test = registry.load("KDDTest+", shared_data)
    train_names, test_names = set(train.attack_names), set(test.attack_names)
    assert all(n in nsl_kdd.ATTACK_CATEGORY for n in train_names | test_names)
    novel = test_names - train_names
    assert len(novel) == 17
    assert int(test.attack_names.isin(novel).sum()) == 3750
    counts = nsl_kdd.task_labels(test.attack_names, "multiclass").value_counts().to_dict()
    assert counts == {"normal": 9711, "DoS": 7458, "R2L": 2754, "Probe": 2421, "U2R": 200}
    assert train.features.shape == (125_973, 41)
