"""Stream a flow CSV (plain or gzipped) in chunks, keeping every row's line number.

Two layouts are recognised from the first line:

* a header naming at least every feature column the model needs (any order, extra columns
  ignored and reported, optional label column);
* no header, the NSL-KDD layout: the model's raw features in order, optionally followed by the
  attack name and the difficulty level (41, 42 or 43 fields for NSL-KDD).

Rows that cannot be used (wrong field count, a value that is not a finite number in a numeric
column) are returned as errors with their line number and column, never dropped silently.
Header names are normalised by the data layer's :func:`~msmrnet.data.flowtable.normalise_header`
(spaces, repeated names: later copies are extra columns), as in training; a header line
repeated inside the data is skipped and counted.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np
import pandas as pd

from msmrnet.data.flowtable import normalise_header, split_fields
from msmrnet.detection import DEFAULT_CHUNK_ROWS
from msmrnet.errors import DataError
from msmrnet.utils.io import open_text


@dataclass
class FlowChunk:
    features: pd.DataFrame  # valid rows only, raw values (categorical as str, numeric as float)
    lines: np.ndarray  # file line number of each valid row
    labels: np.ndarray | None  # raw label text per valid row, when the file has labels
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, message)
    blank_lines: int = 0
    repeated_headers: int = 0


@dataclass
class Layout:
    header: bool
    columns: list[str]  # names of all fields in the file, in order
    label_column: str | None
    extra_columns: list[str]
    header_fields: list[str] | None = None  # the header line's fields as written, to spot repeats


def sniff_layout(path: Path, numeric: Sequence[str], categorical: Sequence[str], label_column: str | None = None,
                 label_candidates: Sequence[str] = ("label",)) -> Layout:  # fmt: skip
    """``label_column``: None uses the first of ``label_candidates`` in the header; a name given must exist."""
    features = list(numeric) + list(categorical)
    try:
        with open_text(path) as fh:
            first = ""
            for first in fh:
                if first.strip():
                    break
    except (EOFError, OSError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read the first line: {type(exc).__name__}: {exc}", path) from None
    if not first.strip():
        raise DataError("file is empty", path)
    fields = _split(first.rstrip("\r\n"))
    names = normalise_header(fields)[0]
    if set(features) <= set(names):
        if label_column is not None and label_column not in names:
            raise DataError(f"no label column {label_column!r} in the header", path, 1)
        label = label_column or next((c for c in label_candidates if c in names), None)
        extra = [n for n in names if n not in features and n != label]
        return Layout(True, names, label, extra, [f.strip() for f in fields])
    if any(n in features for n in names):
        missing = [f for f in features if f not in names]
        near = {m: n for m in missing for n in names if n not in features and _close(m, n)}
        hint = "; did you mean " + ", ".join(f"{n!r} for {m!r}" for m, n in near.items()) if near else ""
        raise DataError(f"header lacks feature column(s) the model needs: {', '.join(missing)}{hint}", path, 1)
    order = _nsl_order(numeric, categorical)
    n = len(fields)
    if n == len(order):
        return Layout(False, order, None, [])
    if n in (len(order) + 1, len(order) + 2):
        return Layout(False, order + ["label", "difficulty"][: n - len(order)], "label", [])
    delimiter = next((d for d in (";", "\t", "|") if first.count(d) >= len(order) - 1), None)
    hint = f" (the line holds {first.count(delimiter)} {delimiter!r}: only comma-separated files are read)" if delimiter else ""
    raise DataError(
        f"no header naming the model's features, and {n} fields where the headerless layout has "
        f"{len(order)} features (+ label + difficulty){hint}", path, 1,
    )  # fmt: skip


def _close(a: str, b: str) -> bool:
    import difflib

    return a.strip().lower() == b.strip().lower() or difflib.SequenceMatcher(None, a, b).ratio() >= 0.85


def _nsl_order(numeric: Sequence[str], categorical: Sequence[str]) -> list[str]:
    """Headerless files keep the data set's native column order (for NSL-KDD, its 41 features)."""
    from msmrnet.data import nsl_kdd

    if set(numeric) | set(categorical) == set(nsl_kdd.FEATURES):
        return list(nsl_kdd.FEATURES)
    return list(numeric) + list(categorical)


_split = split_fields


def read_flow_chunks(
    path: str | os.PathLike, numeric: Sequence[str], categorical: Sequence[str],
    label_column: str | None = None, chunk_rows: int = DEFAULT_CHUNK_ROWS, label_candidates: Sequence[str] = ("label",),
) -> tuple[Layout, Iterator[FlowChunk]]:  # fmt: skip
    """The file's layout, and an iterator of chunks of at most ``chunk_rows`` lines."""
    path = Path(path)
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows must be at least 1, got {chunk_rows}")
    if path.is_dir():
        raise DataError("is a folder, not a file", path)
    if not path.is_file():
        raise DataError("no such file", path)
    layout = sniff_layout(path, numeric, categorical, label_column, label_candidates)
    return layout, _chunks(path, layout, list(numeric), list(categorical), chunk_rows)


def _chunks(path: Path, layout: Layout, numeric: list[str], categorical: list[str], chunk_rows: int) -> Iterator[FlowChunk]:
    """Chunks of the file; a damaged compressed stream or undecodable bytes stop with a DataError."""
    try:
        yield from _chunks_unchecked(path, layout, numeric, categorical, chunk_rows)
    except (EOFError, OSError, UnicodeDecodeError) as exc:  # gzip.BadGzipFile is an OSError
        raise DataError(f"cannot read past this point: {type(exc).__name__}: {exc}", path) from None


def _chunks_unchecked(path: Path, layout: Layout, numeric: list[str], categorical: list[str], chunk_rows: int) -> Iterator[FlowChunk]:
    width = len(layout.columns)
    pos = {name: i for i, name in enumerate(layout.columns)}
    with open_text(path) as fh:
        lineno = 0
        if layout.header:
            for line in fh:  # skip to and past the header line
                lineno += 1
                if line.strip():
                    break
        while True:
            block = list(itertools.islice(fh, chunk_rows))
            if not block:
                return
            rows, lines, errors, blanks, repeats = [], [], [], 0, 0
            for text in block:
                lineno += 1
                text = text.rstrip("\r\n")
                if not text.strip():
                    blanks += 1
                    continue
                fields = _split(text)
                if layout.header_fields is not None and [f.strip() for f in fields] == layout.header_fields:
                    repeats += 1  # a header line repeated inside the data (concatenated exports)
                    continue
                if len(fields) != width:
                    errors.append((lineno, f"expected {width} fields, found {len(fields)}"))
                    continue
                rows.append(fields)
                lines.append(lineno)
            chunk = _to_chunk(rows, np.asarray(lines, dtype=np.int64), errors, blanks, pos, layout, numeric, categorical)
            chunk.repeated_headers = repeats
            yield chunk


def _to_chunk(rows, lines, errors, blanks, pos, layout, numeric, categorical) -> FlowChunk:
    if not rows:
        return FlowChunk(pd.DataFrame(columns=numeric + categorical), lines, None, errors, blanks)
    raw = pd.DataFrame(rows, columns=layout.columns)
    frame = pd.DataFrame(index=raw.index)
    bad = np.zeros(len(raw), dtype=bool)
    reasons: dict[int, str] = {}
    for col in numeric:
        values = pd.to_numeric(raw[col].str.strip(), errors="coerce").to_numpy(dtype=np.float64)
        invalid = ~np.isfinite(values)
        if invalid.any():
            for i in np.flatnonzero(invalid & ~bad):
                reasons[int(i)] = f"column {col!r}: not a finite number: {raw[col].iat[int(i)]!r}"
            bad |= invalid
        frame[col] = values
    for col in categorical:
        frame[col] = raw[col].str.strip()
    labels = raw[layout.label_column].str.strip().to_numpy(dtype=object) if layout.label_column else None
    if bad.any():
        errors = errors + [(int(lines[i]), msg) for i, msg in reasons.items()]
        errors.sort()
        keep = ~bad
        frame, lines = frame[keep].reset_index(drop=True), lines[keep]
        labels = labels[keep] if labels is not None else None
    return FlowChunk(frame, lines, labels, errors, blanks)
