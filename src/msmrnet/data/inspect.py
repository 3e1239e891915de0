"""``msmrnet inspect``: what a file holds, streamed, without training anything."""

from __future__ import annotations

import os
from collections import Counter
from typing import Any, Sequence

from msmrnet.data import datasets
from msmrnet.data.flowtable import CHUNK_ROWS, FlowTableReader, expand_paths, to_table
from msmrnet.data.quality import DataQuality


def inspect_files(paths: Sequence[str | os.PathLike], dataset: str | None = None, options: dict[str, Any] | None = None,
                  chunk_rows: int = CHUNK_ROWS) -> dict[str, Any]:  # fmt: skip
    """Detected format and data set, schema with types, class counts and the data-quality summary.

    Reads chunk by chunk: memory does not grow with the files' length.
    """
    opts = dict(options or {})
    files = expand_paths(paths)
    ds = datasets.get(dataset or datasets.sniff(files[0]))
    reader = FlowTableReader(files, ds.spec(opts), chunk_rows)
    raw: dict[str, Counter[str]] = {}
    tasks: dict[str, Counter[str]] = {"binary": Counter(), "multiclass": Counter()}
    rows = 0
    for chunk in reader.chunks():
        table = to_table(reader, chunk)
        if ds.check is not None:
            ds.check(table)
        for col in chunk.labels.columns:
            raw.setdefault(col, Counter()).update(table.labels[col].tolist())  # type: ignore[index]
        for task, counter in tasks.items():
            counter.update(ds.task_labels(table, task, opts).tolist())
        rows += len(chunk)
    assert reader.schema is not None
    s = reader.schema
    return {
        "dataset": ds.name,
        "files": [{"path": p, "format": reader.formats.get(p, "?")} for p in map(str, reader.paths)],
        "rows": rows,
        "schema": {**{c: "numeric" for c in s.numeric}, **{c: "categorical" for c in s.categorical},
                   **{c: "label" for c in s.labels}, **{c: "metadata (not a feature)" for c in s.metadata},
                   **{c: "excluded (not a feature)" for c in s.excluded}},  # fmt: skip
        "features": {"numeric": len(s.numeric), "categorical": len(s.categorical), "types_inferred": s.inferred},
        "label_values": {c: dict(v.most_common()) for c, v in raw.items()},
        "class_counts": {t: dict(v.most_common()) for t, v in tasks.items()},
        "quality": reader.quality.to_dict(),
    }


def format_inspection(result: dict[str, Any]) -> str:
    """The inspection as text for the terminal."""
    out = [f"data set: {result['dataset']}   rows: {result['rows']:,}"]
    out += [f"file: {f['path']} ({f['format']})" for f in result["files"]]
    f = result["features"]
    out.append(f"schema: {f['numeric']} numeric + {f['categorical']} categorical features"
               + (" (types inferred from the first rows)" if f["types_inferred"] else ""))  # fmt: skip
    width = max(len(c) for c in result["schema"])
    out += [f"  {c:<{width}}  {t}" for c, t in result["schema"].items()]
    for col, values in result["label_values"].items():
        shown = list(values.items())[:20]
        out.append(f"label column {col!r} ({len(values)} values): " + ", ".join(f"{k} {v:,}" for k, v in shown)
                   + (", ..." if len(values) > 20 else ""))  # fmt: skip
    for task, counts in result["class_counts"].items():
        out.append(f"{task} classes: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    out.append(DataQuality.from_dict(result["quality"]).table())
    return "\n".join(out)
