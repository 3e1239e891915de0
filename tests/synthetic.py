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


# -- other flow formats (column names as published; every value generated) -----------------------
UNSW_COLUMNS = (
    "id,dur,proto,service,state,spkts,dpkts,sbytes,dbytes,rate,sttl,dttl,sload,dload,sloss,dloss,sinpkt,dinpkt,"
    "sjit,djit,swin,stcpb,dtcpb,dwin,tcprtt,synack,ackdat,smean,dmean,trans_depth,response_body_len,ct_srv_src,"
    "ct_state_ttl,ct_dst_ltm,ct_src_dport_ltm,ct_dst_sport_ltm,ct_dst_src_ltm,is_ftp_login,ct_ftp_cmd,"
    "ct_flw_http_mthd,ct_src_ltm,ct_srv_dst,is_sm_ips_ports,attack_cat,label"
).split(",")
UNSW_PROFILES = {  # attack_cat -> (proto, service, state, sttl)
    "Normal": ("tcp", "http", "FIN", 31), "Generic": ("udp", "dns", "INT", 254), "Exploits": ("tcp", "-", "FIN", 62),
    "Fuzzers": ("tcp", "-", "INT", 254), "DoS": ("tcp", "http", "FIN", 62),
}  # fmt: skip
#: all ten attack_cat values (spelt as in the 82,332-row partition)
UNSW_ALL_PROFILES = {
    **UNSW_PROFILES, "Reconnaissance": ("tcp", "-", "INT", 254), "Analysis": ("tcp", "http", "INT", 254),
    "Backdoor": ("tcp", "-", "INT", 62), "Shellcode": ("udp", "-", "INT", 254), "Worms": ("tcp", "http", "FIN", 62),
}  # fmt: skip


def make_unsw_rows(n: int, seed: int = 0, start_id: int = 1, profiles: dict = UNSW_PROFILES) -> list[list[str]]:
    """``n`` rows of the 45 UNSW-NB15 columns; attack_cat drawn from ``profiles`` (attack_cat -> values)."""
    rng = np.random.default_rng(seed)
    cats = list(profiles)
    rows = []
    for i in range(n):
        cat = cats[int(rng.integers(len(cats)))]
        proto, service, state, sttl = profiles[cat]
        row = {c: "0" for c in UNSW_COLUMNS}
        row.update(id=str(start_id + i), proto=proto, service=service, state=state, sttl=str(sttl), attack_cat=cat,
                   label="0" if cat == "Normal" else "1", dur=f"{rng.exponential(1.0):.6f}", spkts=str(int(rng.integers(1, 50))),
                   sbytes=str(int(rng.integers(40, 5000))), rate=f"{rng.uniform(0, 1e5):.4f}")  # fmt: skip
        rows.append([row[c] for c in UNSW_COLUMNS])
    return rows


CIC_COLUMNS = [" Destination Port", " Flow Duration", " Total Fwd Packets", " Total Backward Packets",
               "Flow Bytes/s", " Flow Packets/s", " Fwd Header Length", " Bwd Header Length", " Fwd Header Length",
               " Label"]  # fmt: skip
CIC_IDS_COLUMNS = ["Flow ID", " Source IP", " Source Port", " Destination IP", " Timestamp"]


def make_cic_rows(n: int, seed: int = 0, identifiers: bool = True) -> list[list[str]]:
    """CICFlowMeter-style rows: spaced names, a duplicated ' Fwd Header Length', BENIGN/attack labels."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        attack = bool(rng.random() < 0.4)
        fwd_header = str(int(rng.integers(20, 400)))
        row = [str(int(rng.choice([80, 443, 22]))), str(int(rng.integers(1, 10**6))), str(int(rng.integers(1, 20))),
               str(int(rng.integers(0, 20))), f"{rng.uniform(0, 1e6):.3f}", f"{rng.uniform(0, 1e4):.3f}", fwd_header,
               str(int(rng.integers(0, 400))), fwd_header, "DDoS" if attack else "BENIGN"]  # fmt: skip
        ids = [f"10.0.0.{i % 250}-10.0.1.1-{1000 + i}-80-6", f"10.0.0.{i % 250}", str(1000 + i), "10.0.1.1", "3/7/2017 8:55"]
        rows.append((ids if identifiers else []) + row)
    return rows


def write_csv(path: Path, header: list[str] | None, rows: list[list[str]], gz: bool = False, bom: bool = False,
              encoding: str = "utf-8") -> Path:  # fmt: skip
    """Rows as CSV (optionally gzipped, with a UTF-8 byte-order mark, or in another encoding)."""
    lines = ([",".join(header)] if header is not None else []) + [",".join(r) for r in rows]
    data = ("\ufeff" if bom else "").encode("utf-8") + ("\r\n".join(lines) + "\r\n").encode(encoding)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data) if gz else data)
    return path
