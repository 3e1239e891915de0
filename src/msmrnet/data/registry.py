"""Where each known data file lives, what it must contain, and how to fetch it.

A data directory (``--data-dir`` or the ``MSMRNET_DATA_DIR`` environment variable, default
``./data``) holds one folder per data set, e.g. ``<data-dir>/nsl-kdd/KDDTrain+.txt``; the
gzipped copy (``KDDTrain+.txt.gz``) is found as well. The registry knows each file's row count
and the SHA-256 of its uncompressed content, so a missing, truncated or altered file is named
clearly instead of producing silently wrong results.

Files whose published names are unreliable (the UNSW-NB15 partitions are swapped in some copies)
are found by row count instead: every CSV in ``<data-dir>/<dataset>/`` is counted, and the one
with the registered number of rows is used, whatever its name.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from msmrnet.data import nsl_kdd
from msmrnet.data.table import LabeledTable
from msmrnet.errors import DataError
from msmrnet.utils.io import open_binary, sha256_and_lines

log = logging.getLogger(__name__)

DATA_DIR_ENV = "MSMRNET_DATA_DIR"


@dataclass(frozen=True)
class DataFile:
    """One published file: its data set, name, expected content and a reader."""

    dataset: str
    name: str
    filename: str
    rows: int  # data rows (a header line comes on top when ``header``)
    sha256: Optional[str]  # of the uncompressed content; None where no published checksum is known
    reader: Optional[Callable[[Path], LabeledTable]] = None  # None: the data set's entry reads it
    urls: tuple[str, ...] = ()
    role: str = "train"  # 'train' or 'test'
    header: bool = False
    by_rows: bool = False  # locate by row count, not by file name

    @property
    def lines(self) -> int:
        return self.rows + int(self.header)


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
        DataFile("unsw-nb15", "UNSW-NB15-82332", "UNSW_NB15_testing-set.csv", 82_332,
                 "734fe6642edf758f7c94d7d9149426b49d202fe8e7bf0bef47392489c3c0a559", role="test", header=True, by_rows=True),
    )
}  # fmt: skip

#: Files known by row count only (no published checksum): located and row-checked, not
#: checksummed, so `msmrnet data verify` without names leaves them out.
ROWS_ONLY: dict[str, DataFile] = {
    f.name: f
    for f in (
        # UNSW-NB15: the official training partition has 175,341 rows, the testing one 82,332
        # (above); some copies swap the names, so each is found by its row count.
        DataFile("unsw-nb15", "UNSW-NB15-175341", "UNSW_NB15_training-set.csv", 175_341, None, header=True, by_rows=True),
        # KDD Cup 1999 (UCI KDD archive)
        DataFile("kdd99", "kddcup.data", "kddcup.data", 4_898_431, None),
        DataFile("kdd99", "kddcup.data_10_percent", "kddcup.data_10_percent", 494_021, None),
        DataFile("kdd99", "corrected", "corrected", 311_029, None, role="test"),
    )
}  # fmt: skip


def data_dir(explicit: str | os.PathLike | None = None) -> Path:
    """The data directory: the explicit argument, else $MSMRNET_DATA_DIR, else ./data."""
    return Path(explicit or os.environ.get(DATA_DIR_ENV) or "data").expanduser()


def get_file(name: str) -> DataFile:
    entry = FILES.get(name) or ROWS_ONLY.get(name)
    if entry is None:
        raise DataError(f"unknown data file {name!r}; known: {', '.join([*FILES, *ROWS_ONLY])}")
    return entry


def files_of(dataset: str) -> list[str]:
    """Registered file names of one data set."""
    return [n for n, f in {**FILES, **ROWS_ONLY}.items() if f.dataset == dataset]


def locate(name: str, root: str | os.PathLike | None = None) -> Path:
    """Path of a registered file under the data directory (plain or .gz); clear error if absent."""
    entry = get_file(name)
    base = data_dir(root)
    if entry.by_rows:
        return _locate_by_rows(entry, base)
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


_LINE_COUNTS: dict[tuple[str, int, float], int] = {}


def count_lines(path: Path) -> int:
    """Lines of the (decompressed) file, cached per path, size and modification time."""
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime)
    if key not in _LINE_COUNTS:
        lines, last = 0, b""
        with open_binary(path) as fh:
            while block := fh.read(1 << 20):
                lines += block.count(b"\n")
                last = block
        _LINE_COUNTS[key] = lines + (1 if last and not last.endswith(b"\n") else 0)
    return _LINE_COUNTS[key]


def _locate_by_rows(entry: DataFile, base: Path) -> Path:
    folders = [base / entry.dataset, base]
    candidates = [p for d in folders if d.is_dir() for p in sorted(d.iterdir())
                  if p.is_file() and p.name.lower().endswith((".csv", ".csv.gz"))]  # fmt: skip
    seen = []
    for path in candidates:
        try:
            lines = count_lines(path)
        except (OSError, EOFError):
            continue  # a damaged candidate is reported when it is the one asked for by path
        if lines == entry.lines:
            if path.name.removesuffix(".gz") != entry.filename:
                log.info("%s holds %s rows, so it is %s (published as %s); file names are swapped in some copies", path, f"{entry.rows:,}", entry.name, entry.filename)
            return path
        seen.append(f"{path} ({lines - int(entry.header):,} rows)")
    looked = "\n  ".join(seen) or "no .csv or .csv.gz files in " + " or ".join(str(d) for d in folders)
    raise DataError(
        f"{entry.name} not found: no file with {entry.rows:,} rows (it is identified by its row count, not its name); "
        f"looked at:\n  {looked}\nSet --data-dir or ${DATA_DIR_ENV}."
    )


def verify(name: str, path: Path) -> None:
    """Check row count and checksum of the uncompressed content; DataError when they differ."""
    entry = get_file(name)
    digest, lines = sha256_and_lines(path)
    if lines != entry.lines:
        kind = "truncated" if lines < entry.lines else "longer than published"
        raise DataError(f"{kind}: {lines - int(entry.header):,} rows, expected {entry.rows:,} for {name}", path)
    if entry.sha256 is not None and digest != entry.sha256:
        raise DataError(
            f"content differs from the published {name} (sha256 {digest}, expected {entry.sha256})",
            path,
        )


def load(name: str, root: str | os.PathLike | None = None, check: bool = True) -> LabeledTable:
    """Locate, verify (unless ``check`` is False) and read a registered file."""
    path = locate(name, root)
    if check:
        verify(name, path)
    entry = get_file(name)
    if entry.reader is not None:
        return entry.reader(path)
    from msmrnet.data import datasets  # the data-set entries import this module

    return datasets.get(entry.dataset).read_paths([path])
