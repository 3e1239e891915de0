"""The data sets msmrnet knows: one small entry each, all read by the shared flow-table reader.

An entry says what the files hold (a :class:`~msmrnet.data.flowtable.TableSpec`: label columns,
categorical columns, identifiers to exclude, count columns), how its labels become the labels of
a task ('binary' or 'multiclass'), and its default training and test files. Everything else
(parsing, repairs, the data-quality summary, training, evaluation, detection) is shared.

``options`` are the data-set options a user may set (``data.options`` in a config,
``--label-column``/``--categorical``/``--drop`` on the command line), with their types.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

from msmrnet.data import nsl_kdd, registry
from msmrnet.data.flowtable import FlowTableReader, TableSpec, expand_paths, to_table
from msmrnet.data.table import LabeledTable
from msmrnet.errors import DataError

log = logging.getLogger(__name__)

NORMAL = "normal"
ATTACK = "attack"
BINARY = (NORMAL, ATTACK)
#: Raw label values that mean normal traffic when a data set does not say otherwise.
NORMAL_WORDS = frozenset({"normal", "benign", "0"})


@dataclass(frozen=True)
class Dataset:
    """One data set: its file layout, its labels per task, its default files."""

    name: str
    description: str
    spec: Callable[[dict[str, Any]], TableSpec]  # options -> what the files hold
    task_labels: Callable[[LabeledTable, str, dict[str, Any]], np.ndarray]  # labels of a task
    classes: Callable[[str, np.ndarray], tuple[str, ...]]  # task, training labels -> class order
    options: dict[str, Any] = field(default_factory=dict)  # option name -> type hint
    default_train: str | None = None
    default_test: tuple[str, ...] = ()
    check: Callable[[LabeledTable], None] | None = None  # label checks that need file and line
    detection_labels: dict[str, str] = field(default_factory=dict)  # task -> label column `detect` prefers

    def read_paths(self, sources: Sequence[str | os.PathLike], options: dict[str, Any] | None = None,
                   chunk_rows: int | None = None) -> LabeledTable:  # fmt: skip
        """Read files, folders or glob patterns of this data set into one table."""
        opts = options or {}
        reader = FlowTableReader(sources, self.spec(opts), **({"chunk_rows": chunk_rows} if chunk_rows else {}))
        table = to_table(reader, reader.read())
        if self.check is not None:
            self.check(table)
        log.info("read %s: %s rows (%s)", self.name, f"{len(table):,}", table.source)
        return table

    def resolve(self, source: str, root: str | os.PathLike | None = None) -> list[Path]:
        """Paths behind a source: a registered file name of this data set, else files/folders/globs.

        A relative path that does not exist is also looked for under ``<data-dir>/<data set>/``.
        """
        if source in registry.files_of(self.name):
            return [registry.locate(source, root)]
        if source in registry.FILES or source in registry.ROWS_ONLY:
            raise DataError(f"{source} is a file of {registry.get_file(source).dataset}, not of {self.name}")
        path = Path(source).expanduser()
        if not path.is_absolute() and not path.exists() and not any(c in source for c in "*?["):
            alt = registry.data_dir(root) / self.name / path
            if alt.exists():
                return expand_paths([alt])
        return expand_paths([source])

    def load(self, source: str, root: str | os.PathLike | None = None, check: bool = True,
             options: dict[str, Any] | None = None) -> LabeledTable:  # fmt: skip
        """Read a registered file (verified unless ``check`` is False) or files given by path."""
        if source in registry.files_of(self.name):
            path = registry.locate(source, root)
            if check:
                registry.verify(source, path)
            entry = registry.get_file(source)
            return entry.reader(path) if entry.reader is not None else self.read_paths([path], options)
        return self.read_paths(self.resolve(source, root), options)


# -- label helpers (shared by the entries) ---------------------------------------------------------
def _label_error(table: LabeledTable, rows: np.ndarray, column: str, message: str) -> DataError:
    path, line = table.where(int(rows[0]))
    return DataError(message, path, line, column)


def _nsl_labels(table: LabeledTable, task: str, options: dict[str, Any]) -> np.ndarray:
    return nsl_kdd.task_labels(table.attack_names, task).to_numpy(dtype=object)


def _nsl_classes(task: str, labels: np.ndarray) -> tuple[str, ...]:
    return nsl_kdd.TASKS[task]


def _generic_labels(column: str | None = None) -> Callable[[LabeledTable, str, dict[str, Any]], np.ndarray]:
    """One label column; values meaning normal (``normal_label`` option, else normal/benign/0) -> 'normal'."""

    def labels(table: LabeledTable, task: str, options: dict[str, Any]) -> np.ndarray:
        raw = table.attack_names if column is None else table.labels[column]  # type: ignore[index]
        normal_value = options.get("normal_label")
        text = raw.astype(str)
        is_normal = (text == normal_value) if normal_value else text.str.lower().isin(NORMAL_WORDS)
        if task == "binary":
            return np.where(is_normal.to_numpy(), NORMAL, ATTACK).astype(object)
        return text.where(~is_normal, NORMAL).to_numpy(dtype=object)

    return labels


def _data_classes(task: str, labels: np.ndarray) -> tuple[str, ...]:
    """Binary: (normal, attack); multi-class: normal first, then the other labels seen, sorted."""
    if task == "binary":
        return BINARY
    others = sorted({str(v) for v in labels} - {NORMAL})
    return (NORMAL, *others)


# -- NSL-KDD and KDD Cup'99 --------------------------------------------------------------------
def _kdd99_spec(options: dict[str, Any]) -> TableSpec:
    # published without a header; copies with one (the 41 names + 'label') are read as well
    return TableSpec(labels=(nsl_kdd.LABEL_COLUMN,), numeric=nsl_kdd.NUMERIC, categorical=nsl_kdd.CATEGORICAL,
                     names=nsl_kdd.FEATURES + (nsl_kdd.LABEL_COLUMN,), header=None, counts=nsl_kdd.COUNTS,
                     encoding=options.get("encoding", "auto"))  # fmt: skip


def _kdd99_check(table: LabeledTable) -> None:
    # 'smurf.' -> 'smurf': the names then match NSL-KDD's, and so does the 5-class map
    table.attack_names = table.attack_names.map(nsl_kdd.normalise_attack_name).astype(object)
    nsl_kdd.check_attack_names(table)


# -- UNSW-NB15 -------------------------------------------------------------------------------------
UNSW_CLASSES: tuple[str, ...] = (NORMAL, "Generic", "Exploits", "Fuzzers", "DoS", "Reconnaissance", "Analysis",
                                 "Backdoor", "Shellcode", "Worms")  # fmt: skip
#: attack_cat spellings across published copies -> the class names above
UNSW_ALIASES = {"normal": NORMAL, "backdoors": "Backdoor", **{c.lower(): c for c in UNSW_CLASSES[1:]}}
UNSW_COUNTS: tuple[str, ...] = (
    "spkts", "dpkts", "sbytes", "dbytes", "sloss", "dloss", "trans_depth", "response_body_len", "ct_srv_src",
    "ct_state_ttl", "ct_dst_ltm", "ct_src_dport_ltm", "ct_dst_sport_ltm", "ct_dst_src_ltm", "ct_ftp_cmd",
    "ct_flw_http_mthd", "ct_src_ltm", "ct_srv_dst",
)  # fmt: skip


def _unsw_spec(options: dict[str, Any]) -> TableSpec:
    return TableSpec(labels=("attack_cat", "label"), categorical=("proto", "service", "state"), drop=("id",),
                     counts=UNSW_COUNTS, value_map={"service": {"-": "none"}}, encoding=options.get("encoding", "auto"))  # fmt: skip


def _unsw_check(table: LabeledTable) -> None:
    cats = table.attack_names.map(lambda v: UNSW_ALIASES.get(str(v).strip().lower()))
    bad = np.flatnonzero(cats.isna().to_numpy())
    if len(bad):
        raise _label_error(table, bad, "attack_cat", f"unknown attack category {table.attack_names.iloc[bad[0]]!r}; "
                           f"known: {', '.join(UNSW_CLASSES)}")  # fmt: skip
    flag = table.labels["label"]  # type: ignore[index]
    bad = np.flatnonzero(~flag.isin(["0", "1"]).to_numpy())
    if len(bad):
        raise _label_error(table, bad, "label", f"binary label must be 0 or 1, got {flag.iloc[bad[0]]!r}")
    table.attack_names = cats.astype(object)
    table.labels["attack_cat"] = table.attack_names  # type: ignore[index]


def _unsw_labels(table: LabeledTable, task: str, options: dict[str, Any]) -> np.ndarray:
    if task == "binary":  # the published binary column, not a recoding of attack_cat
        return np.where(table.labels["label"].to_numpy() == "0", NORMAL, ATTACK).astype(object)  # type: ignore[index]
    return table.attack_names.to_numpy(dtype=object)


# -- CIC-IDS2017/2018 (CICFlowMeter) ------------------------------------------------------------
#: Identifier columns of CICFlowMeter exports (both spellings): they name a flow, they do not
#: describe it, and a model that learns them does not generalise to another network.
CIC_IDENTIFIERS: tuple[str, ...] = ("Flow ID", "Source IP", "Src IP", "Source Port", "Src Port", "Destination IP",
                                    "Dst IP", "Destination Port", "Dst Port", "Timestamp")  # fmt: skip
CIC_COUNTS: tuple[str, ...] = (
    "Total Fwd Packets", "Total Backward Packets", "Total Length of Fwd Packets", "Total Length of Bwd Packets",
    "Tot Fwd Pkts", "Tot Bwd Pkts", "TotLen Fwd Pkts", "TotLen Bwd Pkts",
)  # fmt: skip


def _cic_spec(options: dict[str, Any]) -> TableSpec:
    categorical = options.get("categorical")
    return TableSpec(labels=(options.get("label_column", "Label"),), categorical=tuple(categorical or ()),
                     drop=CIC_IDENTIFIERS + tuple(options.get("drop", ())), counts=CIC_COUNTS,
                     encoding=options.get("encoding", "auto"))  # fmt: skip


# -- any labelled table ---------------------------------------------------------------------------
def _table_spec(options: dict[str, Any]) -> TableSpec:
    categorical = options.get("categorical")
    return TableSpec(labels=(options.get("label_column", "label"),), categorical=None if categorical is None else tuple(categorical),
                     drop=tuple(options.get("drop", ())), encoding=options.get("encoding", "auto"))  # fmt: skip


_ENCODING = {"encoding": str}
_TABLE_OPTIONS = {"label_column": str, "categorical": list[str], "drop": list[str], "normal_label": str, **_ENCODING}

DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        Dataset("nsl-kdd", "NSL-KDD (headerless, 41 features + attack name + difficulty)", lambda o: nsl_kdd.SPEC,
                _nsl_labels, _nsl_classes, default_train="KDDTrain+", default_test=("KDDTest+", "KDDTest-21"),
                check=nsl_kdd.check_attack_names),
        Dataset("kdd99", "KDD Cup 1999 (10% or full; with or without a header; labels end with a dot)", _kdd99_spec,
                _nsl_labels, _nsl_classes, _ENCODING, default_train="kddcup.data_10_percent", default_test=("corrected",),
                check=_kdd99_check),
        Dataset("unsw-nb15", "UNSW-NB15 partitions (175,341 / 82,332 rows, found by row count)", _unsw_spec,
                _unsw_labels, lambda task, y: BINARY if task == "binary" else UNSW_CLASSES, _ENCODING,
                default_train="UNSW-NB15-175341", default_test=("UNSW-NB15-82332",), check=_unsw_check,
                detection_labels={"binary": "label", "multiclass": "attack_cat"}),
        Dataset("cicids", "CIC-IDS2017/2018 CICFlowMeter CSVs (many files read together; identifiers excluded)",
                _cic_spec, _generic_labels(), _data_classes, {"label_column": str, "drop": list[str],
                "categorical": list[str], "normal_label": str, **_ENCODING}),  # fmt: skip
        Dataset("table", "any labelled CSV, CSV.gz or Parquet table (label_column, categorical, drop options)",
                _table_spec, _generic_labels(), _data_classes, _TABLE_OPTIONS),
    )
}  # fmt: skip


def get(name: str) -> Dataset:
    try:
        return DATASETS[name]
    except KeyError:
        raise DataError(f"unknown data set {name!r}; known: {', '.join(DATASETS)}") from None


def default_files(dataset: Dataset, root: str | os.PathLike | None) -> tuple[str | None, list[str], float]:
    """(train, test, test fraction) when the configuration names none.

    UNSW-NB15 without its 175,341-row partition (as in ``../shared/data``) trains and tests on
    a stratified 80/20 split of the 82,332-row one; data sets without default files need
    ``data.train`` and split it the same way unless test files are given.
    """
    if dataset.name == "unsw-nb15":
        try:
            registry.locate("UNSW-NB15-175341", root)
        except DataError:
            try:
                registry.locate("UNSW-NB15-82332", root)
                log.info("UNSW-NB15: only the 82,332-row partition is present: train and test on a stratified split of it")
                return "UNSW-NB15-82332", [], 0.2
            except DataError:
                pass  # neither: the default names give the clear 'not found' error later
    return dataset.default_train, list(dataset.default_test), 0.0 if dataset.default_test else 0.2


def sniff(path: str | os.PathLike) -> str:
    """The data set a file most likely belongs to, from its first line (for `msmrnet inspect`)."""
    from msmrnet.data.flowtable import file_format, normalise_header, split_fields
    from msmrnet.utils.io import open_binary

    path = Path(path)
    if file_format(path) == "parquet":
        import pyarrow.parquet as pq

        names = normalise_header(pq.ParquetFile(path).schema_arrow.names)[0]
    else:
        with open_binary(path) as fh:
            first = b""
            for first in fh:
                if first.strip():
                    break
        names = normalise_header(split_fields(first.decode("utf-8", "replace").lstrip("\ufeff").rstrip("\r\n")))[0]
    fields = set(names)
    if {"attack_cat", "proto", "sttl"} <= fields:
        return "unsw-nb15"
    if fields & {"Flow Duration", "Flow Bytes/s", "Flow Byts/s"}:
        return "cicids"
    if len(names) in (42, 43) and names[1] in ("tcp", "udp", "icmp"):  # headerless KDD layout
        return "nsl-kdd" if len(names) == 43 and names[42].isdigit() else "kdd99"
    if set(nsl_kdd.FEATURES) <= fields:
        return "kdd99"
    return "table"


def label_counts(table: LabeledTable) -> dict[str, dict[str, int]]:
    """Counts of every label column's values, most frequent first."""
    assert table.labels is not None
    return {c: {str(k): int(v) for k, v in table.labels[c].value_counts().items()} for c in table.labels.columns}


def frame_summary(frame: pd.DataFrame) -> dict[str, str]:
    return {c: str(frame[c].dtype) for c in frame.columns}
