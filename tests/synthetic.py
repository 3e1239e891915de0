"""Generated NSL-KDD-format data for tests: learnable, small, and never copied from real files."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from msmrnet.data import nsl_kdd

# attack name -> (protocol, service, flag, log-scale src_bytes centre, count centre)
PROFILES = {
    "normal": ("tcp", "http", "SF", 5.5, 5),
    "neptune": ("tcp", "private", "S0", 0.0, 200),
    "smurf": ("icmp", "ecr_i", "SF", 7.0, 500),
    "satan": ("tcp", "other", "REJ", 0.5, 80),
    "guess_passwd": ("tcp", "telnet", "RSTO", 3.0, 1),
    "buffer_overflow": ("tcp", "ftp_data", "SF", 8.0, 1),
}


def make_rows(n: int, seed: int = 0, names: tuple[str, ...] = tuple(PROFILES), weights=None) -> list[list[str]]:
    """``n`` rows of 43 fields (41 features, attack name, difficulty)."""
    rng = np.random.default_rng(seed)
    w = np.asarray(weights if weights is not None else [1.0] * len(names), dtype=float)
    picks = rng.choice(len(names), size=n, p=w / w.sum())
    rows = []
    for k in picks:
        name = names[k]
        proto, service, flag, log_bytes, count = PROFILES[name]
        row = {f: "0" for f in nsl_kdd.FEATURES}
        row.update(protocol_type=proto, service=service, flag=flag)
        row["src_bytes"] = str(int(np.expm1(max(log_bytes + rng.normal(0, 0.5), 0))))
        row["dst_bytes"] = str(int(rng.integers(0, 3000)) if name == "normal" else 0)
        row["count"] = str(max(int(count + rng.normal(0, 3)), 0))
        row["srv_count"] = str(int(rng.integers(0, 50)))
        row["serror_rate"] = f"{(0.95 if flag == 'S0' else 0.02) + rng.uniform(0, 0.05):.2f}"
        row["logged_in"] = "1" if name in ("normal", "buffer_overflow") else "0"
        row["same_srv_rate"] = f"{rng.uniform(0.5, 1.0) if name == 'normal' else rng.uniform(0, 0.3):.2f}"
        row["dst_host_count"] = str(int(rng.integers(1, 256)))
        rows.append([row[f] for f in nsl_kdd.FEATURES] + [name, str(int(rng.integers(0, 22)))])
    return rows


def write_nsl_file(path: Path, rows: list[list[str]], gz: bool = False, header: bool = False, columns=None) -> Path:
    text = ""
    if header:
        text += ",".join(columns or list(nsl_kdd.FEATURES) + ["label", "difficulty"]) + "\n"
    text += "".join(",".join(r) + "\n" for r in rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    if gz:
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            fh.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def make_data_dir(root: Path, n_train: int = 600, n_test: int = 300) -> Path:
    """A data folder laid out like the real one, with generated KDDTrain+/KDDTest+/KDDTest-21."""
    base = root / "nsl-kdd"
    write_nsl_file(base / "KDDTrain+.txt", make_rows(n_train, seed=1))
    write_nsl_file(base / "KDDTest+.txt.gz", make_rows(n_test, seed=2), gz=True)
    write_nsl_file(base / "KDDTest-21.txt", make_rows(n_test // 2, seed=3))
    return root
