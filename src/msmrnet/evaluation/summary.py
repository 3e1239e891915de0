"""Mean and spread of test metrics over several runs (seeds), as a Markdown table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from msmrnet.errors import MsmrnetError

BINARY = ("accuracy", "precision", "recall", "f1", "false_alarm_rate", "roc_auc")
MULTI = ("accuracy", "macro_f1", "weighted_f1")


def read_metrics(path: str | Path) -> dict[str, Any]:
    """``metrics.json`` of a run folder (or the file itself)."""
    path = Path(path)
    file = path / "metrics.json" if path.is_dir() else path
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise MsmrnetError(f"{file}: cannot read metrics: {exc}") from None


def summarize(paths: Sequence[str | Path]) -> str:
    """Per-run rows and a mean +- sample standard deviation row, per test set and view."""
    runs = [(Path(p), read_metrics(p)) for p in paths]
    datasets = list(dict.fromkeys(r["dataset"] for _, m in runs for r in m["results"]))
    out = []
    for view, keys in (("binary", BINARY), ("multiclass", MULTI)):
        for ds in datasets:
            rows = [(p, next((r[view] for r in m["results"] if r["dataset"] == ds and view in r), None)) for p, m in runs]
            rows = [(p, v) for p, v in rows if v is not None]
            if not rows:
                continue
            out += [f"### {ds}: {'binary view' if view == 'binary' else 'multi-class view'}", "",
                    "| run | " + " | ".join(keys) + " |", "|---|" + "---:|" * len(keys)]  # fmt: skip
            for p, v in rows:
                out.append(f"| {p.name if p.is_dir() else p.parent.name} | " + " | ".join(_f(v.get(k)) for k in keys) + " |")
            if len(rows) > 1:
                cells = []
                for k in keys:
                    vals = [v[k] for _, v in rows if v.get(k) is not None]
                    cells.append(mean_sd(vals) if len(vals) > 1 else "n/a")
                out.append(f"| **mean ± sd ({len(rows)} runs)** | " + " | ".join(cells) + " |")
            out.append("")
    return "\n".join(out)


def mean_sd(values: Sequence[float | None], digits: int = 4, scale: float = 1.0) -> str:
    """``mean ± sample sd`` of the values that are not None (``scale`` e.g. 100 for percent);
    one value: the value alone; none: "n/a"."""
    vals = np.array([v for v in values if v is not None], dtype=float) * scale
    if len(vals) == 0:
        return "n/a"
    if len(vals) == 1:
        return f"{vals[0]:.{digits}f}"
    return f"{vals.mean():.{digits}f} ± {vals.std(ddof=1):.{digits}f}"


def _f(v: Any) -> str:
    return "n/a" if v is None else f"{v:.4f}"
