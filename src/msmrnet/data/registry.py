"""Where each known data file lives, what it must contain, and how to fetch it.

A data directory (``--data-dir`` or the ``MSMRNET_DATA_DIR`` environment variable, default
``./data``) holds one folder per data set, e.g. ``<data-dir>/nsl-kdd/KDDTrain+.txt``; the
gzipped copy (``KDDTrain+.txt.gz``) is found as well. The registry knows each file's row count
and the SHA-256 of its uncompressed content, so a missing, truncated or altered file is named
clearly instead of producing silently wrong results.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from msmrnet.data import nsl_kdd
from msmrnet.data.table import LabeledTable
from msmrnet.errors import DataError
from msmrnet.utils.io import sha256_and_lines

log = logging.getLogger(__name__)

DATA_DIR_ENV = "MSMRNET_DATA_DIR"


@dataclass(frozen=True)
class DataFile:
    """One published file: its data set, name, expected content and a reader."""

    dataset: str
    name: str
    filename: str
    rows: int
    sha256: str
    reader: Callable[[Path], LabeledTable]
    urls: tuple[str, ...] = ()
    role: str = "train"  # 'train' or 'test'


_NSL_MIRROR = "https://raw.githubusercontent.com/defcom17/NSL_KDD/master/"

FILES: dict[str, DataFile] = {
    f.name: f
    for f in (
        DataFile("nsl-kdd", "KDDTrain+", "KDDTrain+.txt", 125_973,
                 "1b86d2f957b33082081bba410fe129b475efebcc13c9014c3f447c8271aadf95",
                 nsl_kdd.read_nsl_kdd, (_NSL_MIRROR + "KDDTrain%2B.txt",)),
        DataFile("nsl-kdd", "KDDTrain+_20Percent", "KDDTrain+_20Percent.txt", 25_192,
                 "7ea86479faab5ca2190b7f18b4982fb058ce5bf2b46e0e1017d0d9ef90f9c16e",
                 nsl_kdd.read_nsl_kdd, (_NSL_MIRROR + "KDDTrain%2B_20Percent.txt",)),
        DataFile("nsl-kdd", "KDDTest+", "KDDTest+.txt", 22_544,
                 "fa46b0935342616aa83b7c2578db355b6a7aaabbc492248172c7a1e8b7ab8f84",
                 nsl_kdd.read_nsl_kdd, (_NSL_MIRROR + "KDDTest%2B.txt",), role="test"),
        DataFile("nsl-kdd", "KDDTest-21", "KDDTest-21.txt", 11_850,
                 "746993ac9e25868827cacf09eab450050a2a1056e1ce48a1ad39f5dc801d531d",
                 nsl_kdd.read_nsl_kdd, (_NSL_MIRROR + "KDDTest-21.txt",), role="test"),
    )
}  # fmt: skip


def data_dir(explicit: str | os.PathLike | None = None) -> Path:
    """The data directory: the explicit argument, else $MSMRNET_DATA_DIR, else ./data."""
    return Path(explicit or os.environ.get(DATA_DIR_ENV) or "data").expanduser()


def get_file(name: str) -> DataFile:
    try:
        return FILES[name]
    except KeyError:
        raise DataError(f"unknown data file {name!r}; known: {', '.join(FILES)}") from None


def locate(name: str, root: str | os.PathLike | None = None) -> Path:
    """Path of a registered file under the data directory (plain or .gz); clear error if absent."""
    entry = get_file(name)
    base = data_dir(root)
    candidates = [
        base / entry.dataset / entry.filename,
        base / entry.dataset / (entry.filename + ".gz"),
        base / entry.filename,
        base / (entry.filename + ".gz"),
    ]
    for path in candidates:
        if path.is_file():
            return path
    tried = "\n  ".join(str(p) for p in candidates)
    raise DataError(
        f"{name} not found; looked for:\n  {tried}\n"
        f"Set --data-dir or ${DATA_DIR_ENV}, or fetch it with `msmrnet data download {name}`."
    )


def verify(name: str, path: Path) -> None:
    """Check row count and checksum of the uncompressed content; DataError when they differ."""
    entry = get_file(name)
    digest, lines = sha256_and_lines(path)
    if lines != entry.rows:
        kind = "truncated" if lines < entry.rows else "longer than published"
        raise DataError(f"{kind}: {lines:,} rows, expected {entry.rows:,} for {name}", path)
    if digest != entry.sha256:
        raise DataError(
            f"content differs from the published {name} (sha256 {digest}, expected {entry.sha256})",
            path,
        )


def load(name: str, root: str | os.PathLike | None = None, check: bool = True) -> LabeledTable:
    """Locate, verify (unless ``check`` is False) and read a registered file."""
    path = locate(name, root)
    if check:
        verify(name, path)
    return get_file(name).reader(path)
