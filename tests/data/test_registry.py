import gzip

import pytest

from msmrnet.data import registry
from msmrnet.errors import DataError
from tests.synthetic import make_rows, write_nsl_file


def test_missing_file_lists_where_it_looked(tmp_path):
    with pytest.raises(DataError, match=r"KDDTest\+ not found; looked for:(.|\n)*nsl-kdd/KDDTest\+\.txt"):
        registry.locate("KDDTest+", tmp_path)


def test_data_dir_from_environment(tmp_path, monkeypatch):
    write_nsl_file(tmp_path / "nsl-kdd" / "KDDTest-21.txt.gz", make_rows(3), gz=True)
    monkeypatch.setenv(registry.DATA_DIR_ENV, str(tmp_path))
    assert registry.locate("KDDTest-21") == tmp_path / "nsl-kdd" / "KDDTest-21.txt.gz"


def test_truncated_and_altered_files_are_named(tmp_path):
    path = write_nsl_file(tmp_path / "nsl-kdd" / "KDDTest-21.txt", make_rows(20))
    with pytest.raises(DataError, match=r"truncated: 20 rows, expected 11,850"):
        registry.verify("KDDTest-21", path)


def test_checksum_mismatch_is_reported(tmp_path, shared_data):
    real = registry.locate("KDDTest-21", shared_data)
    with gzip.open(real, "rb") as fh:
        content = bytearray(fh.read())
    content[100] = ord("9") if content[100] != ord("9") else ord("8")
    path = tmp_path / "KDDTest-21.txt"
    path.write_bytes(bytes(content))
    with pytest.raises(DataError, match="content differs from the published KDDTest-21"):
        registry.verify("KDDTest-21", path)


def test_real_files_verify(shared_data):
    for name in registry.FILES:
        registry.verify(name, registry.locate(name, shared_data))


def test_unknown_name():
    with pytest.raises(DataError, match="unknown data file 'KDDTest\\*'"):
        registry.get_file("KDDTest*")
