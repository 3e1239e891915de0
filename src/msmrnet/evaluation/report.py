"""Evaluate a fitted estimator on a labelled table and format the results."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from msmrnet.evaluation.metrics import binary_metrics, multiclass_metrics
from msmrnet.evaluation.plots import plot_confusion_matrix

log = logging.getLogger(__name__)


def evaluate_table(estimator: Any, features: pd.DataFrame, labels: Sequence[str], name: str,
                   figure_dir: str | Path | None = None, threshold: float | None = None) -> dict[str, Any]:  # fmt: skip
    """Metrics of ``estimator`` on one labelled table.

    ``labels`` are in the estimator's label space (e.g. the 5 categories). Always reports the
    binary view: the attack probability is the summed probability of every non-normal class,
    and a flow counts as an attack when it is at least ``threshold`` (the rule ``detect`` uses
    for alerts; None: the estimator's own ``threshold``, else 0.5). With more than two classes, also the multi-class metrics (argmax class). Writes confusion-matrix PNGs into ``figure_dir`` when given.
    """
    if threshold is None:
        threshold = float(getattr(estimator, "threshold", 0.5))
    t0 = time.perf_counter()
    proba = estimator.predict_proba(features)
    seconds = time.perf_counter() - t0
    classes = list(estimator.classes_)
    pred = np.asarray(classes, dtype=object)[proba.argmax(axis=1)]
    truth = np.asarray(labels, dtype=object)
    normal = estimator.normal_label
    attack_probability = estimator.attack_probability(proba)
    result: dict[str, Any] = {
        "dataset": name,
        "rows": int(len(truth)),
        "rows_with_unseen_categories": estimator.preprocessor_.last_report.get("rows_with_unseen_categories", 0),
        "unseen_categories": estimator.preprocessor_.last_report.get("unseen_categories", {}),
        "inference_seconds": round(seconds, 3),
        "threshold": threshold,
        "binary": binary_metrics(truth != normal, attack_probability >= threshold, attack_probability),
    }
    if len(classes) > 2:
        result["multiclass"] = multiclass_metrics(truth, pred, classes)
    if figure_dir is not None:
        slug = name.replace("+", "plus").replace(" ", "_")
        cm = result["binary"]["confusion_matrix"]
        plot_confusion_matrix(cm["matrix"], cm["labels"], f"{name}: normal vs attack", Path(figure_dir) / f"confusion_{slug}_binary.png")
        if "multiclass" in result:
            cm = result["multiclass"]["confusion_matrix"]
            plot_confusion_matrix(cm["matrix"], cm["labels"], f"{name}: {len(classes)} classes", Path(figure_dir) / f"confusion_{slug}_multiclass.png")
    b = result["binary"]
    log.info("%s: binary accuracy %.4f, F1 %.4f, false-alarm rate %.4f%s", name, b["accuracy"], b["f1"], b["false_alarm_rate"],
             f", {len(classes)}-class accuracy {result['multiclass']['accuracy']:.4f}" if "multiclass" in result else "")  # fmt: skip
    return result


def _fmt(v: Any) -> str:
    return "n/a" if v is None else f"{v:.4f}" if isinstance(v, float) else str(v)


def metrics_markdown(results: Sequence[dict[str, Any]]) -> str:
    """One Markdown document: a binary table, a multi-class table and per-class tables."""
    cut = ", ".join(sorted({f"{r.get('threshold', 0.5):.4g}" for r in results})) or "0.5"
    lines = [f"## Binary view (normal vs attack; attack when the attack classes' summed probability >= {cut})", "",
             "| data set | rows | accuracy | precision | recall | F1 | false-alarm rate | ROC-AUC |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for r in results:
        b = r["binary"]
        lines.append(f"| {r['dataset']} | {r['rows']:,} | " + " | ".join(_fmt(b[k]) for k in ("accuracy", "precision", "recall", "f1", "false_alarm_rate", "roc_auc")) + " |")
    multi = [r for r in results if "multiclass" in r]
    if multi:
        lines += ["", "## Multi-class view", "", "| data set | accuracy | macro F1 | weighted F1 |", "|---|---:|---:|---:|"]
        for r in multi:
            m = r["multiclass"]
            lines.append(f"| {r['dataset']} | {_fmt(m['accuracy'])} | {_fmt(m['macro_f1'])} | {_fmt(m['weighted_f1'])} |")
        for r in multi:
            lines += ["", f"### {r['dataset']}: per class", "", "| class | precision | recall | F1 | support |", "|---|---:|---:|---:|---:|"]
            for c, v in r["multiclass"]["per_class"].items():
                lines.append(f"| {c} | {_fmt(v['precision'])} | {_fmt(v['recall'])} | {_fmt(v['f1'])} | {v['support']:,} |")
    unseen = [r for r in results if r.get("rows_with_unseen_categories")]
    if unseen:
        lines += ["", "Rows with categories never seen in training (scored with an all-zero one-hot block):"]
        lines += [f"- {r['dataset']}: {r['rows_with_unseen_categories']:,} rows ({r['unseen_categories']})" for r in unseen]
    return "\n".join(lines) + "\n"
