"""NSL-KDD: schema, label mapping and loader.

The files have no header: 41 features, the attack name, then the difficulty level (0-21).
The difficulty is metadata kept beside the frame, never a feature (it leaks the label).
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from msmrnet.data.flowtable import FlowTableReader, TableSpec, to_table
from msmrnet.data.table import LabeledTable
from msmrnet.errors import DataError

log = logging.getLogger(__name__)

FEATURES: tuple[str, ...] = (
    "duration", "protocol_type", "service", "flag", "src_bytes", "dst_bytes", "land",
    "wrong_fragment", "urgent", "hot", "num_failed_logins", "logged_in", "num_compromised",
    "root_shell", "su_attempted", "num_root", "num_file_creations", "num_shells",
    "num_access_files", "num_outbound_cmds", "is_host_login", "is_guest_login", "count",
    "srv_count", "serror_rate", "srv_serror_rate", "rerror_rate", "srv_rerror_rate",
    "same_srv_rate", "diff_srv_rate", "srv_diff_host_rate", "dst_host_count",
    "dst_host_srv_count", "dst_host_same_srv_rate", "dst_host_diff_srv_rate",
    "dst_host_same_src_port_rate", "dst_host_srv_diff_host_rate", "dst_host_serror_rate",
    "dst_host_srv_serror_rate", "dst_host_rerror_rate", "dst_host_srv_rerror_rate",
)  # fmt: skip
CATEGORICAL: tuple[str, ...] = ("protocol_type", "service", "flag")
NUMERIC: tuple[str, ...] = tuple(f for f in FEATURES if f not in CATEGORICAL)
LABEL_COLUMN = "label"
DIFFICULTY_COLUMN = "difficulty"
COLUMNS: tuple[str, ...] = FEATURES + (LABEL_COLUMN, DIFFICULTY_COLUMN)

NORMAL = "normal"
#: The five-class task: normal traffic and the four attack categories of the DARPA 1998/1999
#: evaluations from which KDD'99 and NSL-KDD derive.
CATEGORIES: tuple[str, ...] = (NORMAL, "DoS", "Probe", "R2L", "U2R")

#: Every attack name in KDDTrain+ and KDDTest+ (22 in training, 17 more only in testing) mapped
#: to its category, following the DARPA 1999 attack descriptions as used in the NSL-KDD
#: literature. Sources differ on two names; we follow the mapping behind the widely cited
#: KDDTest+ class counts (normal 9,711, DoS 7,458, Probe 2,421, R2L 2,754, U2R 200):
#: httptunnel is U2R and worm is R2L.
ATTACK_CATEGORY: dict[str, str] = {
    NORMAL: NORMAL,
    # Denial of service
    "back": "DoS", "land": "DoS", "neptune": "DoS", "pod": "DoS", "smurf": "DoS",
    "teardrop": "DoS", "apache2": "DoS", "mailbomb": "DoS", "processtable": "DoS",
    "udpstorm": "DoS",
    # Probing / surveillance
    "ipsweep": "Probe", "nmap": "Probe", "portsweep": "Probe", "satan": "Probe",
    "mscan": "Probe", "saint": "Probe",
    # Remote to local
    "ftp_write": "R2L", "guess_passwd": "R2L", "imap": "R2L", "multihop": "R2L",
    "phf": "R2L", "spy": "R2L", "warezclient": "R2L", "warezmaster": "R2L", "named": "R2L",
    "sendmail": "R2L", "snmpgetattack": "R2L", "snmpguess": "R2L", "xlock": "R2L",
    "xsnoop": "R2L", "worm": "R2L",
    # User to root
    "buffer_overflow": "U2R", "loadmodule": "U2R", "perl": "U2R", "rootkit": "U2R",
    "ps": "U2R", "sqlattack": "U2R", "xterm": "U2R", "httptunnel": "U2R",
}  # fmt: skip

TASKS: dict[str, tuple[str, ...]] = {
    "binary": (NORMAL, "attack"),
    "multiclass": CATEGORIES,
}


def normalise_attack_name(name: str) -> str:
    """KDD'99 writes labels with a trailing dot (``smurf.``); NSL-KDD without."""
    return name.strip().rstrip(".").lower()


def attack_category(name: str) -> str:
    """Category (normal, DoS, Probe, R2L, U2R) of an attack name; KeyError if unknown."""
    return ATTACK_CATEGORY[normalise_attack_name(name)]


def task_labels(attack_names: pd.Series, task: str) -> pd.Series:
    """Map raw attack names to the labels of ``task`` ('binary' or 'multiclass')."""
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; choose from {sorted(TASKS)}")
    cats = attack_names.map(lambda n: ATTACK_CATEGORY.get(normalise_attack_name(n)))
    if task == "binary":
        return cats.where(cats == NORMAL, "attack")
    return cats


#: Features that count things (bytes, connections, files): a negative value is a damaged row.
COUNTS: tuple[str, ...] = (
    "duration", "src_bytes", "dst_bytes", "wrong_fragment", "urgent", "hot", "num_failed_logins",
    "num_compromised", "num_root", "num_file_creations", "num_shells", "num_access_files",
    "num_outbound_cmds", "count", "srv_count", "dst_host_count", "dst_host_srv_count",
)  # fmt: skip

#: How the shared reader sees an NSL-KDD file (see msmrnet.data.flowtable).
SPEC = TableSpec(labels=(LABEL_COLUMN,), numeric=NUMERIC, categorical=CATEGORICAL, names=COLUMNS, header=False,
                 metadata=(DIFFICULTY_COLUMN,), counts=COUNTS)  # fmt: skip


def read_nsl_kdd(path: str | Path) -> LabeledTable:
    """Read an NSL-KDD file (plain or gzipped): 41 features, the label, the difficulty.

    Raises :class:`DataError` naming the line and column of the first malformed row, or the
    line of an attack name that has no category.
    """
    reader = FlowTableReader([path], SPEC)
    table = to_table(reader, reader.read(), LABEL_COLUMN)
    check_attack_names(table)
    log.info("read %s: %d rows", Path(path).name, len(table))
    return table


def check_attack_names(table: LabeledTable) -> None:
    """DataError naming the file, line and column of the first attack name without a category."""
    unknown = ~table.attack_names.map(lambda n: normalise_attack_name(n) in ATTACK_CATEGORY)
    if unknown.any():
        row = int(np.flatnonzero(unknown.to_numpy())[0])
        path, line = table.where(row)
        raise DataError(
            f"attack name {table.attack_names.iloc[row]!r} has no category (normal, DoS, Probe, R2L, U2R)",
            path, line, LABEL_COLUMN,
        )  # fmt: skip
