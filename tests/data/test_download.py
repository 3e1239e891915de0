import dataclasses
import hashlib

import pytest

from msmrnet.data import download as dl
from msmrnet.data import registry
from msmrnet.errors import DataError
from tests.synthetic import make_rows, write_nsl_file


def fake_entry(monkeypatch, source, rows, sha256):
    entry = dataclasses.replace(registry.FILES["KDDTest-21"], rows=rows, sha256=sha256, urls=(source.as_uri(),))
    monkeypatch.setitem(registry.FILES, "KDDTest-21", entry)


def test_download_verifies_and_places_the_file(tmp_path, monkeypatch):
    src = write_nsl_file(tmp_path / "remote" / "KDDTest-21.txt", make_rows(25))
    fake_entry(monkeypatch, src, 25, hashlib.sha256(src.read_bytes()).hexdigest())
    path = dl.download("KDDTest-21", tmp_path / "data")
    assert path == tmp_path / "data" / "nsl-kdd" / "KDDTest-21.txt"
    assert path.read_bytes() == src.read_bytes()
    registry.verify("KDDTest-21", registry.locate("KDDTest-21", tmp_path / "data"))


def test_download_with_wrong_checksum_leaves_nothing(tmp_path, monkeypatch):
    src = write_nsl_file(tmp_path / "remote" / "KDDTest-21.txt", make_rows(25))
    fake_entry(monkeypatch, src, 25, "0" * 64)
    with pytest.raises(DataError, match="could not download KDDTest-21(.|\n)*does not match"):
        dl.download("KDDTest-21", tmp_path / "data")
    assert not (tmp_path / "data" / "nsl-kdd" / "KDDTest-21.txt").exists()
