"""Benchmark: stream a large CICFlowMeter-style CSV through the shared reader; print peak RSS and rows/s.

Generates the file in a temporary folder (nothing is kept), with the usual defects sprinkled in
(Infinity and NaN rates, repeated header lines, a duplicated column, spaced names), then runs
`msmrnet inspect`'s code path: chunked reading, class counts and the data-quality summary.
Memory should stay flat: compare --rows 100000 with the default 1,000,000.

    OMP_NUM_THREADS=1 python benchmarks/stream_flow_csv.py [--rows 1000000] [--chunk-rows 50000] [--gzip]
"""

from __future__ import annotations

import argparse
import gzip
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

COLUMNS = [" Destination Port", " Flow Duration", " Total Fwd Packets", " Total Backward Packets",
           "Total Length of Fwd Packets", " Total Length of Bwd Packets", "Flow Bytes/s", " Flow Packets/s",
           " Fwd Header Length", " Bwd Header Length", " Fwd Header Length", " Fwd Packet Length Max",
           " Fwd Packet Length Min", " Fwd Packet Length Mean", " Bwd Packet Length Max", " Bwd Packet Length Min",
           " Flow IAT Mean", " Flow IAT Std", " Flow IAT Max", " Flow IAT Min", " Label"]  # fmt: skip


def generate(path: Path, rows: int, gz: bool, block: int = 100_000) -> None:
    rng = np.random.default_rng(0)
    opener = gzip.open if gz else open
    with opener(path, "wt", encoding="utf-8", newline="") as fh:  # type: ignore[operator]
        fh.write(",".join(COLUMNS) + "\n")
        for start in range(0, rows, block):
            n = min(block, rows - start)
            ints = rng.integers(0, 10**6, size=(n, 6))
            floats = rng.uniform(0, 1e4, size=(n, 14)).round(3)
            labels = np.where(rng.random(n) < 0.2, "DDoS", "BENIGN")
            lines = [",".join(map(str, i)) + "," + ",".join(map(str, f)) + "," + lab for i, f, lab in zip(ints, floats, labels)]
            for k in range(0, n, 50_000):  # the defects of real exports
                for row, col, value in ((k, 6, "Infinity"), (k + 7, 7, "NaN")):  # Flow Bytes/s, Flow Packets/s
                    if row < n:
                        parts = lines[row].split(",")
                        parts[col] = value
                        lines[row] = ",".join(parts)
            if start and start % 500_000 == 0:
                lines.append(",".join(COLUMNS))  # a header repeated where two exports were concatenated
            fh.write("\n".join(lines) + "\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--chunk-rows", type=int, default=50_000)
    ap.add_argument("--gzip", action="store_true", help="write and read a .csv.gz")
    args = ap.parse_args()
    from msmrnet.data.inspect import inspect_files
    from msmrnet.data.quality import DataQuality

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / ("flows.csv.gz" if args.gzip else "flows.csv")
        t0 = time.perf_counter()
        generate(path, args.rows, args.gzip)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"generated {args.rows:,} rows ({path.stat().st_size / 2**20:.0f} MiB) in {time.perf_counter() - t0:.1f}s; "
              f"peak RSS so far {rss_before:.0f} MiB", flush=True)  # fmt: skip
        t0 = time.perf_counter()
        result = inspect_files([path], "cicids", chunk_rows=args.chunk_rows)
        seconds = time.perf_counter() - t0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(DataQuality.from_dict(result["quality"]).table())
    print(f"classes: {result['class_counts']['multiclass']}")
    print(f"read {result['rows']:,} rows in {seconds:.1f}s: {result['rows'] / seconds:,.0f} rows/s; "
          f"peak RSS {peak:.0f} MiB (chunk {args.chunk_rows:,} rows)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
