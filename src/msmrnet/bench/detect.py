"""Detection at scale: `detect` on a large CSV, parsing included, in a fresh child process.

The CSV is built in a temporary folder by repeating the rows of KDDTest+ (read from the data
folder, never stored in the repository); the model is MSMRNet-5 trained for one epoch on a
few thousand KDDTrain+ rows: its accuracy is irrelevant here, its cost is the real one.
"""

from __future__ import annotations

import gzip
import itertools
import logging
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from msmrnet.bench.run import peak_rss_mb, run_in_child
from msmrnet.data import nsl_kdd, registry

if TYPE_CHECKING:
    from msmrnet.bench.run import BenchConfig

log = logging.getLogger(__name__)


def _write_csv(path: Path, rows: int, data_dir: str | None) -> None:
    source = registry.locate("KDDTest+", data_dir)
    opener = gzip.open if source.suffix == ".gz" else open
    with opener(source, "rt") as f:
        lines = [ln for ln in f.read().splitlines() if ln]
    with open(path, "w") as out:
        for line in itertools.islice(itertools.cycle(lines), rows):
            out.write(line + "\n")


def _detect_child(model_dir: str, csv: str, out: str, queue: Any) -> None:
    from msmrnet.detection.detector import detect_file

    start = time.perf_counter()
    summary = detect_file(model_dir, csv, out, progress=False)
    queue.put((time.perf_counter() - start, summary.rows, peak_rss_mb()))


def bench_detect(cfg: "BenchConfig", raw_flows_per_s: float | None) -> dict[str, Any]:
    from msmrnet.estimator import MSMRNetClassifier

    table = registry.load("KDDTrain+_20Percent", cfg.data_dir)
    sample = table.features.iloc[:3000]
    labels = nsl_kdd.task_labels(table.attack_names.iloc[:3000], "multiclass")
    est = MSMRNetClassifier(numeric=nsl_kdd.NUMERIC, categorical=nsl_kdd.CATEGORICAL, classes=nsl_kdd.TASKS["multiclass"],
                            epochs=1, seed=cfg.seed, progress=False).fit(sample, labels)  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="msmrnet-bench-") as tmp:
        model_dir, csv, out = Path(tmp) / "model", Path(tmp) / "flows.csv", Path(tmp) / "scores.jsonl"
        est.save(model_dir)
        log.info("writing a %d-row CSV to %s", cfg.detect_rows, csv)
        _write_csv(csv, cfg.detect_rows, cfg.data_dir)
        # a fresh interpreter: its peak memory is detect's own
        seconds, rows, peak = run_in_child(_detect_child, str(model_dir), str(csv), str(out))
        size_mb = csv.stat().st_size / 2**20
    rate = rows / seconds
    return {"rows": rows, "csv_mb": round(size_mb, 1), "seconds": seconds, "rows_per_s": rate, "peak_rss_mb": peak,
            "raw_flows_per_s": raw_flows_per_s, "fraction_of_raw": rate / raw_flows_per_s if raw_flows_per_s else None}  # fmt: skip
