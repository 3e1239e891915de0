"""The one reader for flow tables (CSV, gzipped CSV, Parquet), streaming in chunks.

Every data-set loader reads through :class:`FlowTableReader`, so each kind of messy input is
handled here, once, the same way for every data set:

===========================================  ===================================================
input                                        outcome
===========================================  ===================================================
empty file; header but no rows               DataError naming the file
missing (or typo'd) file, folder given       DataError naming the path
corrupt or truncated gzip stream             DataError naming the file and the line reached
UTF-16 file                                  DataError (convert to UTF-8)
line not valid UTF-8 (latin-1 labels)        repair: decoded as Windows-1252, counted
BOM, spaces around column names              repair: removed, counted
duplicate column names                       repair: first copy kept, later ones dropped, counted
header line repeated in the data             repair: skipped, counted
blank lines                                  repair: skipped, counted
ragged row (wrong number of fields)          DataError naming file and line
text in a numeric column                     DataError naming file, line and column
NaN / empty numeric value, +-Infinity,       repair: row dropped, counted per column
numbers beyond float range, negative counts
missing label or feature column              DataError naming file, line 1 and the column(s)
empty label                                  DataError naming file, line and column
===========================================  ===================================================

Memory: only one chunk of ``chunk_rows`` rows is parsed at a time; :meth:`FlowTableReader.chunks`
never holds the whole file, :meth:`FlowTableReader.read` concatenates the cleaned chunks.
"""

from __future__ import annotations

import csv
import glob
import io
import logging
import os
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np
import pandas as pd

from msmrnet.data.quality import DataQuality
from msmrnet.data.table import LabeledTable
from msmrnet.errors import DataError
from msmrnet.utils.io import open_binary

log = logging.getLogger(__name__)

CHUNK_ROWS = 50_000
PARQUET_MAGIC = b"PAR1"
MISSING_CATEGORY = "missing"
_NAN_WORDS = frozenset({"", "nan", "na", "n/a", "null", "none"})
_INF_WORDS = frozenset({"inf", "infinity"})
_NAN_TOKENS = ["", "nan", "NaN", "NAN", "NA", "N/A", "n/a", "null", "NULL", "None", "none"]
#: Share of sampled values that must parse as numbers for an undeclared column to be numeric.
NUMERIC_SHARE = 0.9


@dataclass(frozen=True)
class TableSpec:
    """What a data set's files hold. Columns not named anywhere are features (typed by
    inference when ``categorical`` is None)."""

    labels: tuple[str, ...] = ()  # label columns: kept as text, required, never features
    numeric: tuple[str, ...] | None = None  # None: every other column not categorical
    categorical: tuple[str, ...] | None = None  # None: inferred from the first chunk
    drop: tuple[str, ...] = ()  # excluded from the features when present (identifiers)
    counts: tuple[str, ...] = ()  # numeric columns that may not be negative
    names: tuple[str, ...] | None = None  # column names of headerless files
    header: bool | None = True  # None: sniff whether the first line is a header (needs names)
    value_map: dict[str, dict[str, str]] = field(default_factory=dict)  # {"service": {"-": "none"}}
    metadata: tuple[str, ...] = ()  # numeric columns kept beside the features (NSL-KDD difficulty)
    encoding: str = "auto"  # 'auto': UTF-8, undecodable lines as cp1252 (counted); else a codec, strict


@dataclass
class Schema:
    """The columns as resolved from the first file (and required of every later file)."""

    numeric: list[str]
    categorical: list[str]
    labels: list[str]
    metadata: list[str]
    excluded: list[str]  # present in the file, not used as features (identifiers, drop, duplicates)
    inferred: bool = False
    order: list[str] = field(default_factory=list)  # the first file's columns

    @property
    def features(self) -> list[str]:
        """Feature columns in the file's order (NSL-KDD: its 41 features as published)."""
        chosen = set(self.numeric) | set(self.categorical)
        return [c for c in self.order if c in chosen] + [c for c in self.numeric + self.categorical if c not in self.order]

    def to_dict(self) -> dict[str, list[str] | bool]:
        return {"numeric": self.numeric, "categorical": self.categorical, "labels": self.labels,
                "metadata": self.metadata, "excluded": self.excluded, "types_inferred": self.inferred}  # fmt: skip


@dataclass
class Chunk:
    """Clean rows: numeric columns float64, categorical and label columns str (object)."""

    features: pd.DataFrame
    labels: pd.DataFrame
    metadata: pd.DataFrame
    lines: np.ndarray  # line number of each row in its file (row number for Parquet)
    file_index: np.ndarray  # index into FlowTableReader.paths

    def __len__(self) -> int:
        return len(self.features)


def normalise_header(fields: Sequence[str]) -> tuple[list[str], int, list[int]]:
    """Stripped names; how many needed stripping; positions of later copies of a repeated name.

    Later copies are renamed ``NAME (copy N)`` so every name is unique; callers exclude them
    (CIC-IDS2017 holds ``Fwd Header Length`` twice).
    """
    names, stripped, duplicates, seen = [], 0, [], {}
    for i, raw in enumerate(fields):
        name = raw.strip().strip('"').strip()
        stripped += name != raw
        if not name:
            name = f"column_{i + 1}"
        if name in seen:
            seen[name] += 1
            duplicates.append(i)
            name = f"{name} (copy {seen[name]})"
        else:
            seen[name] = 1
        names.append(name)
    return names, stripped, duplicates


def split_fields(text: str) -> list[str]:
    return next(csv.reader([text])) if '"' in text else text.split(",")


def expand_paths(sources: Sequence[str | os.PathLike]) -> list[Path]:
    """Files, folders (their *.csv, *.csv.gz, *.parquet) and glob patterns, in a stable order."""
    out: list[Path] = []
    for src in sources:
        path = Path(src).expanduser()
        if any(ch in str(src) for ch in "*?["):
            found = [Path(p) for p in sorted(glob.glob(str(path)))]
            if not found:
                raise DataError("no file matches this pattern", src)
            out += [p for p in found if p.is_file()]
        elif path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and _is_table_name(p.name))
            if not found:
                raise DataError("folder holds no .csv, .csv.gz or .parquet file", path)
            out += found
        elif path.is_file():
            out.append(path)
        else:
            raise DataError("no such file", path)
    return out


def _is_table_name(name: str) -> bool:
    low = name.lower()
    return low.endswith((".csv", ".csv.gz", ".parquet", ".txt", ".txt.gz", ".gz"))


def file_format(path: Path) -> str:
    """'parquet', 'csv.gz' or 'csv', by content (a '.csv' may be gzipped, or the reverse)."""
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head == PARQUET_MAGIC:
        return "parquet"
    return "csv.gz" if head[:2] == b"\x1f\x8b" else "csv"


class FlowTableReader:
    """Read one data set's files (same columns in each) through :class:`TableSpec`."""

    def __init__(self, paths: Sequence[str | os.PathLike], spec: TableSpec, chunk_rows: int = CHUNK_ROWS,
                 quality: DataQuality | None = None) -> None:  # fmt: skip
        if chunk_rows < 1:
            raise ValueError(f"chunk_rows must be at least 1, got {chunk_rows}")
        self.paths = expand_paths(paths)
        self.spec = spec
        self.chunk_rows = chunk_rows
        self.quality = quality or DataQuality()
        self.quality.files += [str(p) for p in self.paths]
        self.schema: Schema | None = None
        self.formats: dict[str, str] = {}

    # -- public --------------------------------------------------------------------------------
    def chunks(self) -> Iterator[Chunk]:
        for index, path in enumerate(self.paths):
            fmt = file_format(path)
            self.formats[str(path)] = fmt
            rows_before = self.quality.rows_read
            reader = self._parquet_chunks if fmt == "parquet" else self._text_chunks
            yield from reader(path, index)
            if self.quality.rows_read == rows_before:
                raise DataError("holds a header but no data rows", path)

    def read(self) -> Chunk:
        parts = list(self.chunks())
        if not parts:
            raise DataError("no files to read")
        out = Chunk(*(pd.concat([getattr(p, f) for p in parts], ignore_index=True) for f in ("features", "labels", "metadata")),
                    np.concatenate([p.lines for p in parts]), np.concatenate([p.file_index for p in parts]))  # fmt: skip
        if len(out) == 0:
            raise DataError(f"no rows left after repairs ({self.quality.rows_read:,} read, all dropped)\n{self.quality.table()}",
                            self.paths[0] if len(self.paths) == 1 else None)  # fmt: skip
        return out

    # -- text files ----------------------------------------------------------------------------
    def _lines(self, path: Path) -> Iterator[tuple[int, str]]:
        """(line number, text) of every line, decoded; damaged streams become DataErrors."""
        q, lineno = self.quality, 0
        codec = None if self.spec.encoding == "auto" else self.spec.encoding
        try:
            with open_binary(path) as fh:
                for raw in fh:
                    lineno += 1
                    if lineno == 1:
                        if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
                            raise DataError("file is UTF-16 encoded; convert it to UTF-8 (or CSV in Windows-1252)", path, 1)
                        if raw.startswith(b"\xef\xbb\xbf"):
                            raw = raw[3:]
                            q.add("bom_removed", where=f"{path}, line 1")
                    raw = raw.rstrip(b"\r\n")
                    if codec is None:
                        try:
                            text = raw.decode("utf-8")
                        except UnicodeDecodeError:
                            text = _decode_legacy(raw)
                            q.add("lines_decoded_as_cp1252", where=f"{path}, line {lineno}")
                    else:
                        try:
                            text = raw.decode(codec)
                        except UnicodeDecodeError as exc:
                            field_no = raw[: exc.start].count(b",") + 1
                            raise DataError(f"not valid {codec}: byte {raw[exc.start:exc.start + 1]!r} in field {field_no} "
                                            f"(byte {exc.start + 1} of the line); set the file's encoding, or 'auto'",
                                            path, lineno) from None  # fmt: skip
                    yield lineno, text
        except (EOFError, zlib.error) as exc:
            raise DataError(f"the compressed stream is damaged or truncated after line {lineno} ({type(exc).__name__}: {exc})",
                            path, lineno + 1) from None  # fmt: skip
        except OSError as exc:  # gzip.BadGzipFile, unreadable file
            if isinstance(exc, DataError):
                raise
            raise DataError(f"cannot read past line {lineno}: {type(exc).__name__}: {exc}", path, lineno + 1) from None

    def _text_chunks(self, path: Path, index: int) -> Iterator[Chunk]:
        q, spec = self.quality, self.spec
        lines = self._lines(path)
        first = None
        for lineno, text in lines:
            if text.strip():
                first = (lineno, text)
                break
            q.add("blank_lines_skipped", where=f"{path}, line {lineno}")
        if first is None:
            raise DataError("file is empty", path)
        header_line, text = first
        fields = split_fields(text)
        has_header = spec.header if spec.header is not None else self._looks_like_header(fields)
        if has_header:
            names, stripped, dupes = normalise_header(fields)
            q.add("header_names_stripped", stripped, where=f"{path}, line {header_line}")
            header_key = [f.strip() for f in fields]
        else:
            if spec.names is None:
                raise DataError("no header line, and the data set defines no column names", path, header_line)
            names, dupes, header_key = list(spec.names), [], None
        width = len(names)
        for i in dupes:
            q.add("duplicate_columns_dropped", column=names[i].split(" (copy")[0], where=f"{path}, line {header_line}")
        self._resolve_schema(path, names, dupes, header_line)
        pending_text: list[str] = [] if has_header else [text]
        pending_lines: list[int] = [] if has_header else [header_line]
        if not has_header and len(fields) != width:
            raise DataError(f"expected {width} comma-separated fields, found {len(fields)}", path, header_line)
        first_name = header_key[0] if header_key else None
        for lineno, text in lines:
            if not text.strip():
                q.add("blank_lines_skipped", where=f"{path}, line {lineno}")
                continue
            n = text.count(",") + 1 if '"' not in text else len(split_fields(text))
            if header_key is not None and text.split(",", 1)[0].strip().strip('"') == first_name and [f.strip() for f in split_fields(text)] == header_key:
                q.add("repeated_header_rows_skipped", where=f"{path}, line {lineno}")
                continue
            if n != width:
                raise DataError(f"expected {width} comma-separated fields, found {n}", path, lineno)
            pending_text.append(text)
            pending_lines.append(lineno)
            if len(pending_text) >= self.chunk_rows:
                yield self._convert_text(path, index, names, pending_text, pending_lines)
                pending_text, pending_lines = [], []
        if pending_text:
            yield self._convert_text(path, index, names, pending_text, pending_lines)

    def _looks_like_header(self, fields: list[str]) -> bool:
        known = {n.lower() for n in self.spec.names or ()}
        names = [f.strip().lower() for f in fields]
        return bool(known) and sum(n in known for n in names) >= max(1, len(names) // 2)

    def _convert_text(self, path: Path, index: int, names: list[str], texts: list[str], lines: list[int]) -> Chunk:
        body, line_arr = "\n".join(texts) + "\n", np.asarray(lines, dtype=np.int64)
        kwargs = dict(header=None, names=list(range(len(names))), skip_blank_lines=False, engine="c")
        raw = None
        if not self._needs_inference:
            # Fast path: the C parser turns numeric columns into float64 directly (it reads
            # Infinity, -inf, 1e400 -> inf and the NaN words below -> NaN). Text in a numeric
            # column makes it fail; the string path below then names the line and the column.
            assert self.schema is not None
            floats = {names.index(c) for c in self.schema.numeric + self.schema.metadata}
            dtypes = {i: (np.float64 if i in floats else object) for i in range(len(names))}
            try:
                raw = pd.read_csv(io.StringIO(body), dtype=dtypes, keep_default_na=False,  # type: ignore[arg-type]
                                  na_values={i: _NAN_TOKENS for i in floats}, **kwargs)  # type: ignore[arg-type]
            except (ValueError, OverflowError):
                raw = None
        if raw is None:
            raw = pd.read_csv(io.StringIO(body), dtype=object, na_filter=False, keep_default_na=False, **kwargs)  # type: ignore[arg-type]
        raw.columns = names
        if len(raw) != len(texts):  # only quoted line breaks could do this; we split on lines first
            raise DataError(f"lines {lines[0]}-{lines[-1]} could not be parsed as CSV rows (quoted line break?)", path, lines[0])
        return self._convert(path, index, raw, line_arr, lambda i, col: split_fields(texts[i])[names.index(col)])

    # -- Parquet -------------------------------------------------------------------------------
    def _parquet_chunks(self, path: Path, index: int) -> Iterator[Chunk]:
        try:
            import pyarrow.parquet as pq
        except ImportError:  # pragma: no cover - pyarrow is a dependency
            raise DataError("reading Parquet needs the 'pyarrow' package", path) from None
        try:
            pf = pq.ParquetFile(path)
        except Exception as exc:  # pyarrow raises ArrowInvalid/OSError for damaged files
            raise DataError(f"not a readable Parquet file: {exc}", path) from None
        names, stripped, dupes = normalise_header(pf.schema_arrow.names)
        self.quality.add("header_names_stripped", stripped, where=f"{path}")
        for i in dupes:
            self.quality.add("duplicate_columns_dropped", column=names[i].split(" (copy")[0], where=str(path))
        self._resolve_schema(path, names, dupes, 1)
        start = 1
        try:
            for batch in pf.iter_batches(batch_size=self.chunk_rows):
                frame = batch.to_pandas()
                frame.columns = names
                lines = np.arange(start, start + len(frame), dtype=np.int64)  # 'line' = row number for Parquet
                start += len(frame)
                yield self._convert(path, index, frame, lines, None)
        except DataError:
            raise
        except Exception as exc:
            raise DataError(f"cannot read past row {start - 1}: {exc}", path, start) from None

    # -- columns -------------------------------------------------------------------------------
    def _resolve_schema(self, path: Path, names: list[str], dupes: list[int], header_line: int) -> None:
        spec = self.spec
        present = [n for i, n in enumerate(names) if i not in set(dupes)]
        missing_labels = [c for c in spec.labels if c not in present]
        if missing_labels:
            close = _close_names(missing_labels[0], present)
            raise DataError(f"missing label column{'s' if len(missing_labels) > 1 else ''} {', '.join(map(repr, missing_labels))}"
                            f"{close}; the columns are: {', '.join(present[:60])}", path, header_line, missing_labels[0])  # fmt: skip
        if self.schema is None:
            dropped = [n for n in spec.drop if n in present]
            excluded = dropped + [names[i] for i in dupes]
            taken = set(spec.labels) | set(spec.metadata) | set(dropped)
            categorical = list(spec.categorical) if spec.categorical is not None else None
            if spec.numeric is not None:
                numeric = list(spec.numeric)
            else:
                numeric = [n for n in present if n not in taken and n not in (categorical or [])]
            self.schema = Schema(numeric, categorical or [], list(spec.labels), list(spec.metadata), excluded,
                                 inferred=categorical is None, order=present)  # fmt: skip
            self._needs_inference = categorical is None
        need = self.schema.features + self.schema.labels + self.schema.metadata
        missing = [c for c in need if c not in present]
        if missing:
            first = self.quality.files[0]
            raise DataError(f"missing column(s) {', '.join(map(repr, missing))}"
                            + (f" (present in {first})" if str(path) != first else ""), path, header_line)  # fmt: skip
        extra = [n for n in present if n not in need and n not in self.schema.excluded]
        if extra and str(path) != self.quality.files[0]:
            self.quality.note(f"{path}: column(s) not in the first file ignored: {', '.join(extra)}")

    def _infer_types(self, raw: pd.DataFrame) -> None:
        """Undeclared columns: numeric when at least NUMERIC_SHARE of the non-empty values parse."""
        assert self.schema is not None
        numeric, categorical = [], []
        for col in self.schema.numeric:
            values = raw[col]
            if values.dtype.kind in "biuf":
                numeric.append(col)
                continue
            text = values.astype(str).str.strip()
            nonempty = text[~text.str.lower().isin(_NAN_WORDS)]
            parsed = pd.to_numeric(nonempty, errors="coerce")
            share = float(parsed.notna().mean()) if len(nonempty) else 1.0
            (numeric if share >= NUMERIC_SHARE else categorical).append(col)
        self.schema.numeric, self.schema.categorical = numeric, categorical
        self._needs_inference = False
        log.info("column types inferred from the first %d rows: %d numeric, %d categorical (%s)",
                 len(raw), len(numeric), len(categorical), ", ".join(categorical) or "none")  # fmt: skip

    def _convert(self, path: Path, index: int, raw: pd.DataFrame, lines: np.ndarray,
                 text_of: Callable[[int, str], str] | None) -> Chunk:
        """Typed, checked columns of one chunk; problem rows dropped and counted, or a DataError."""
        assert self.schema is not None
        if self._needs_inference:
            self._infer_types(raw)
        q, schema, spec = self.quality, self.schema, self.spec
        q.rows_read += len(raw)
        drop = np.zeros(len(raw), dtype=bool)
        features: dict[str, np.ndarray | pd.Series] = {}
        counts = set(spec.counts)
        for col in schema.numeric + schema.metadata:
            values, bad = _to_float(raw[col])
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                hint = f" (declare the column categorical: --categorical {col!r})" if schema.inferred and col in schema.numeric else ""
                raise DataError(f"not a number: {raw[col].iat[i]!r}{hint}", path, int(lines[i]), col)
            if col in schema.metadata:
                features[col] = values
                continue
            problems = {"rows_dropped_nan": np.isnan(values)}
            inf = np.isinf(values)
            if inf.any():
                rows = np.flatnonzero(inf)
                # a float column no longer shows whether the text said 'Infinity' or '1e400'
                texts = [text_of(int(i), col) if text_of else str(raw[col].iat[int(i)]) for i in rows]
                words = np.array([t.strip().lower().lstrip("+-") in _INF_WORDS for t in texts], dtype=bool)
                literal = np.zeros(len(values), dtype=bool)
                literal[rows[words]] = True
                problems["rows_dropped_infinity"] = literal
                problems["rows_dropped_out_of_range"] = inf & ~literal
            if col in counts:
                with np.errstate(invalid="ignore"):
                    problems["rows_dropped_negative_count"] = values < 0
            for kind, mask in problems.items():
                if mask.any():
                    q.add(kind, int(mask.sum()), col, f"{path}, line {int(lines[int(np.flatnonzero(mask)[0])])}")
                    drop |= mask
            features[col] = values
        for col in schema.categorical:
            values = raw[col].fillna("").astype(str).str.strip()
            for old, new in spec.value_map.get(col, {}).items():
                hit = values == old
                if hit.any():
                    q.add("values_mapped", int(hit.sum()), col)
                    values = values.where(~hit, new)
            empty = values == ""
            if empty.any():
                q.add("empty_categories", int(empty.sum()), col, f"{path}, line {int(lines[int(np.flatnonzero(empty)[0])])}")
                values = values.where(~empty, MISSING_CATEGORY)
            features[col] = values.to_numpy(dtype=object)
        labels: dict[str, np.ndarray] = {}
        for col in schema.labels:
            values = raw[col].fillna("").astype(str).str.strip()
            empty = (values == "").to_numpy()
            if empty.any():
                raise DataError("empty label", path, int(lines[int(np.flatnonzero(empty)[0])]), col)
            labels[col] = values.to_numpy(dtype=object)
        n_drop = int(drop.sum())
        q.rows_dropped += n_drop
        keep = ~drop
        q.rows_kept += int(keep.sum())

        def frame(d: dict, cols: list[str]) -> pd.DataFrame:
            # text stays object dtype (as pandas < 3 gave), so every loader returns the same types
            return pd.DataFrame({c: pd.Series(d[c][keep], dtype=d[c].dtype) for c in cols}, columns=cols)

        meta = frame(features, schema.metadata)
        return Chunk(frame(features, schema.features), frame(labels, schema.labels), meta, lines[keep],
                     np.full(int(keep.sum()), index, dtype=np.int32))  # fmt: skip


def _to_float(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """float64 values and a mask of text that is no number at all (NaN/inf words are numbers)."""
    if values.dtype.kind in "biuf":
        return values.to_numpy(dtype=np.float64), np.zeros(len(values), dtype=bool)
    text = values.astype(str)
    out = pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64)
    nan = np.isnan(out)
    bad = np.zeros(len(out), dtype=bool)
    if nan.any():
        words = text[nan].str.strip().str.lower()
        bad[np.flatnonzero(nan)] = ~words.isin(_NAN_WORDS).to_numpy()
    return out, bad


def _decode_legacy(raw: bytes) -> str:
    """Windows-1252 (what CIC-IDS2017 labels use), latin-1 for its five undefined bytes."""
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _close_names(name: str, names: list[str]) -> str:
    import difflib

    near = difflib.get_close_matches(name, names, n=1, cutoff=0.75) or [n for n in names if n.lower() == name.lower()]
    return f" (did you mean {near[0]!r}?)" if near else ""


def to_table(reader: FlowTableReader, chunk: Chunk, primary: str | None = None) -> LabeledTable:
    """A :class:`LabeledTable` of a reader's rows; ``primary`` is the finest label column."""
    primary = primary or (reader.schema.labels[0] if reader.schema and reader.schema.labels else None)
    meta = chunk.metadata
    return LabeledTable(
        features=chunk.features, attack_names=chunk.labels[primary] if primary else pd.Series([], dtype=object),
        difficulty=meta[meta.columns[0]] if len(meta.columns) else None,
        source=", ".join(reader.quality.files[-len(reader.paths):]), labels=chunk.labels, lines=chunk.lines,
        file_index=chunk.file_index, files=[str(p) for p in reader.paths], quality=reader.quality, schema=reader.schema,
    )  # fmt: skip
