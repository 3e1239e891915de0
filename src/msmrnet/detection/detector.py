"""``detect_file``: score every flow of a CSV with a trained model, one JSON line per input row.

Memory stays flat for any file size: the file is read, scored and written chunk by chunk.
Each output line is either a scored flow or the reason a row could not be scored, so the
output accounts for every input row. The output file is replaced atomically at the end.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from msmrnet.data import nsl_kdd
from msmrnet.data.datasets import NORMAL_WORDS, UNSW_ALIASES
from msmrnet.detection import DEFAULT_CHUNK_ROWS
from msmrnet.detection.reader import read_flow_chunks
from msmrnet.estimator import MSMRNetClassifier
from msmrnet.errors import DataError
from msmrnet.evaluation.metrics import binary_metrics
from msmrnet.utils.io import atomic_output

log = logging.getLogger(__name__)

MAX_LISTED_ERRORS = 100


@dataclass
class DetectionSummary:
    input: str
    output: str
    model: str
    threshold: float
    layout: str
    rows: int = 0
    scored: int = 0
    unparsable: int = 0
    blank_lines: int = 0
    repeated_header_rows: int = 0
    alerts: int = 0
    predicted: dict[str, int] = field(default_factory=dict)
    rows_with_unseen_categories: int = 0
    unseen_categories: dict[str, dict[str, int]] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)  # the first MAX_LISTED_ERRORS
    labelled_rows: int = 0
    unmapped_labels: int = 0
    binary_metrics: dict[str, Any] | None = None
    seconds: float = 0.0
    rows_per_second: float = 0.0


def detect_file(model: MSMRNetClassifier | str, input_path: str | os.PathLike, output_path: str | os.PathLike,
                threshold: float | None = None, chunk_rows: int = DEFAULT_CHUNK_ROWS, label_column: str | None = None,
                progress: bool | None = None) -> DetectionSummary:  # fmt: skip
    """Score ``input_path`` and write JSON lines to ``output_path``; return the summary.

    ``label_column``: None uses a column named 'label' when the header has one. ``threshold``:
    None uses the model's own (chosen in training, 0.5 unless set).
    """
    if threshold is not None and not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold is a probability: it must be in [0, 1], got {threshold}")
    if Path(output_path).resolve() == Path(input_path).resolve():
        raise DataError("the output would overwrite the input; choose another --output", output_path)
    if Path(output_path).is_dir():
        raise DataError("is a folder; --output needs a file name", output_path)
    est = MSMRNetClassifier.load(model) if isinstance(model, str) else model
    pre = est.preprocessor_
    threshold = float(est.threshold) if threshold is None else threshold
    # the data set the model was trained on: its placeholder values and its label column per task
    value_map, candidates, generic = dataset_conventions(getattr(est, "metadata_", {}), len(est.classes_) > 2)
    layout, chunks = read_flow_chunks(input_path, pre.numeric, pre.categorical, label_column, chunk_rows, candidates)
    summary = DetectionSummary(str(input_path), str(output_path), str(model) if isinstance(model, str) else est.model,
                               threshold, "header" if layout.header else "headerless", ignored_columns=layout.extra_columns)  # fmt: skip
    if layout.extra_columns:
        log.info("ignoring %d column(s) the model does not use: %s", len(layout.extra_columns), ", ".join(layout.extra_columns))
    classes = np.asarray(est.classes_, dtype=object)
    predicted: Counter[str] = Counter()
    unseen: dict[str, Counter[str]] = {}
    # for the binary metrics at the end: one bool and one float32 per labelled row, nothing more
    attack_all: list[np.ndarray] = []
    score_all: list[np.ndarray] = []
    t0 = time.perf_counter()
    with atomic_output(output_path) as out, tqdm(desc="scoring", unit="row", disable=None if progress is None else not progress) as bar:
        for chunk in chunks:
            summary.blank_lines += chunk.blank_lines
            summary.repeated_header_rows += chunk.repeated_headers
            n_rows = len(chunk.features) + len(chunk.errors)
            records: list[tuple[int, str]] = [(line, json.dumps({"line": line, "error": msg})) for line, msg in chunk.errors]
            summary.unparsable += len(chunk.errors)
            if len(summary.errors) < MAX_LISTED_ERRORS:
                summary.errors += [{"line": line, "error": msg} for line, msg in chunk.errors[: MAX_LISTED_ERRORS - len(summary.errors)]]
            for line, msg in chunk.errors[:5]:
                log.warning("%s, line %d: %s", input_path, line, msg)
            if len(chunk.features):
                for col, mapping in value_map.items():
                    if col in chunk.features:
                        chunk.features[col] = chunk.features[col].replace(mapping)
                features = pre.transform(chunk.features, warn_unseen=False)  # totalled in the summary
                report = pre.last_report
                unseen_mask = pre.last_unseen_mask
                for col, counts in report["unseen_categories"].items():
                    unseen.setdefault(col, Counter()).update(counts)
                summary.rows_with_unseen_categories += report["rows_with_unseen_categories"]
                proba = est.predict_proba_features(features)
                score = est.attack_probability(proba)
                pred = classes[proba.argmax(axis=1)]
                predicted.update(pred.tolist())
                alert = score >= threshold
                summary.alerts += int(alert.sum())
                truth = _task_labels(chunk.labels, classes, est.normal_label, generic) if chunk.labels is not None else None
                for i in range(len(pred)):
                    rec: dict[str, Any] = {"line": int(chunk.lines[i]), "prediction": pred[i],
                                           "attack_probability": round(float(score[i]), 6), "alert": bool(alert[i])}  # fmt: skip
                    if truth is not None:
                        rec["label"] = truth[i]
                    if unseen_mask[i]:
                        rec["unseen_category"] = True
                    records.append((rec["line"], json.dumps(rec)))
                if truth is not None:
                    known = truth != None  # noqa: E711  (object array: elementwise)
                    summary.unmapped_labels += int((~known).sum())
                    attack_all.append(truth[known] != est.normal_label)
                    score_all.append(score[known].astype(np.float32))
            records.sort()
            out.write("".join(r + "\n" for _, r in records))
            summary.rows += n_rows
            summary.scored += len(chunk.features)
            bar.update(n_rows)
    summary.seconds = round(time.perf_counter() - t0, 3)
    summary.rows_per_second = round(summary.rows / summary.seconds, 1) if summary.seconds else 0.0
    summary.predicted = dict(predicted.most_common())
    summary.unseen_categories = {c: dict(v.most_common()) for c, v in unseen.items()}
    if attack_all:
        is_attack, score = np.concatenate(attack_all), np.concatenate(score_all)
        summary.labelled_rows = int(len(is_attack))
        if len(is_attack):
            summary.binary_metrics = binary_metrics(is_attack, score >= threshold, score)
    if summary.unmapped_labels:
        log.warning("%d row(s) have a label that maps to none of the model's classes; they are scored but left out "
                    "of the metrics (their 'label' is null in the output)", summary.unmapped_labels)  # fmt: skip
    if summary.unparsable:
        log.warning("%d row(s) could not be scored; their lines are in the output with an 'error' field", summary.unparsable)
    return summary


def _task_labels(raw: np.ndarray, classes: np.ndarray, normal: str, generic: bool = False) -> np.ndarray:
    """Labels in the model's label space: class names as they are (any case), NSL-KDD attack names
    mapped to their category, the usual normal words (normal, BENIGN, 0) as normal, and 1 as an
    attack for binary models (UNSW-NB15's ``label``)."""
    out = np.empty(len(raw), dtype=object)
    known = set(classes)
    folded = {str(c).lower(): c for c in classes} | {k: v for k, v in UNSW_ALIASES.items() if v in known}
    binary = len(classes) == 2
    attack = next((c for c in classes if c != normal), None)
    for i, value in enumerate(raw):
        if value in known:
            out[i] = value
            continue
        low = str(value).strip().lower()
        if low in NORMAL_WORDS:
            out[i] = normal
            continue
        if low in folded:
            out[i] = folded[low]
            continue
        if binary and (low == "1" or generic):
            out[i] = attack
            continue
        cat = nsl_kdd.ATTACK_CATEGORY.get(nsl_kdd.normalise_attack_name(str(value)))
        if cat is None:
            out[i] = None
        elif binary:
            out[i] = normal if cat == normal else next((c for c in classes if c != normal))
        else:
            out[i] = cat if cat in known else None
    return out


def dataset_conventions(metadata: dict[str, Any], multiclass: bool) -> tuple[dict[str, dict[str, str]], tuple[str, ...], bool]:
    """Value renames applied in training (UNSW-NB15 service '-' -> 'none'), label columns to look
    for, and whether every label that is not normal means an attack (as in training on
    cicids/table, whose attack names are free text)."""
    from msmrnet.data import datasets

    name = metadata.get("dataset")
    if name not in datasets.DATASETS:
        return {}, ("label", "Label"), False  # Label: CICFlowMeter's spelling
    ds = datasets.get(name)
    spec = ds.spec(metadata.get("data_options") or {})
    preferred = ds.detection_labels.get("multiclass" if multiclass else "binary")
    labels = tuple(dict.fromkeys([c for c in (preferred, *spec.labels, "label", "Label") if c]))
    return spec.value_map, labels, name in ("cicids", "table")


def summary_dict(summary: DetectionSummary) -> dict[str, Any]:
    return asdict(summary)
