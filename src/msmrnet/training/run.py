"""The main job: train on a data set's training file(s), evaluate on the test files, write a run folder.

Run folder layout::

    config.yaml            resolved configuration (re-run with `msmrnet train --config`)
    checkpoints/last.safetensors   per-epoch checkpoint (resume with `--resume`)
    model/                 the model artifact (safetensors + JSON), for evaluate and detect
    history.csv/json       per-epoch losses and validation metrics
    loss_curve.png         training and validation loss per epoch
    metrics.json/.md       test metrics; figures/confusion_*.png
    data_summary.json      rows and class counts of each split, unseen categories, feature columns
    data_quality.json      what each data file needed repaired (msmrnet.data.quality), per file
    split.json             when a test split is carved from the training data: its rows
    run.json               timings, seed, library versions
"""

from __future__ import annotations

import csv
import io
import json
import logging
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from msmrnet.data import datasets, nsl_kdd
from msmrnet.data.table import LabeledTable
from msmrnet.errors import ConfigError, DataError
from msmrnet.estimator import MSMRNetClassifier, library_versions, stratified_split
from msmrnet.evaluation import evaluate_table, metrics_markdown
from msmrnet.evaluation.metrics import balanced_threshold
from msmrnet.evaluation.plots import plot_history
from msmrnet.training.config import ExperimentConfig, dump_config
from msmrnet.utils.io import atomic_write_json, atomic_write_text

log = logging.getLogger(__name__)

CHECKPOINT = "checkpoints/last.safetensors"


def default_run_dir(cfg: ExperimentConfig) -> Path:
    name = cfg.output.name or f"{cfg.model.name}-{cfg.data.task}-seed{cfg.training.seed}-{datetime.now():%Y%m%d-%H%M%S}"
    return Path(cfg.output.dir) / name


def make_estimator(cfg: ExperimentConfig, checkpoint: Path | None = None, resume: bool = False, progress: bool | None = None,
                   numeric: Sequence[str] = nsl_kdd.NUMERIC, categorical: Sequence[str] = nsl_kdd.CATEGORICAL,
                   classes: Sequence[str] | None = None) -> MSMRNetClassifier:  # fmt: skip
    t = cfg.training
    return MSMRNetClassifier(
        model=cfg.model.name, model_options=dict(cfg.model.options), scaling=cfg.preprocessing.scaling,
        numeric=list(numeric), categorical=list(categorical), classes=classes or nsl_kdd.TASKS[cfg.data.task],
        threshold=cfg.model.threshold if isinstance(cfg.model.threshold, float) else 0.5,  # 'auto': set after training
        epochs=t.epochs, batch_size=t.batch_size, lr=t.lr, weight_decay=t.weight_decay, patience=t.patience,
        val_fraction=cfg.data.val_fraction, seed=t.seed, checkpoint=str(checkpoint) if checkpoint else None, resume=resume, progress=progress,
    )  # fmt: skip


def run_experiment(cfg: ExperimentConfig, run_dir: Path, resume: bool = False, progress: bool | None = None) -> dict[str, Any]:
    d = cfg.data
    ds = datasets.get(d.dataset)
    for name in [d.train, *(d.test or [])]:  # fail before any folder is made or any epoch is run
        ds.resolve(name, d.data_dir)  # type: ignore[arg-type]
    run_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(run_dir / "config.yaml", dump_config(cfg))
    t_start = time.perf_counter()

    train = ds.load(d.train, d.data_dir, d.verify, d.options)  # type: ignore[arg-type]
    quality = {str(d.train): train.quality.to_dict() if train.quality else None}
    if train.quality is not None:
        log.info("%s\n%s", d.train, train.quality.table())
    labels = ds.task_labels(train, d.task, d.options)
    present = sorted(set(labels.tolist()))
    if len(present) < 2:
        column = train.schema.labels[0] if train.schema and train.schema.labels else None
        raise DataError(f"the training data holds one class only ({present[0] if present else 'no rows'!r} for the "
                        f"{d.task} task); a classifier needs two or more", train.source, None, column)  # fmt: skip
    classes = ds.classes(d.task, labels)
    split_test = None
    if d.test_fraction:
        keep, held = holdout_split(train, d.test_fraction, cfg.training.seed)
        record = split_record(train, str(d.train), d.test_fraction, cfg.training.seed, keep, held)
        split_test = train.subset(held)
        train, labels = train.subset(keep), labels[keep]
        atomic_write_text(run_dir / "split.json", json.dumps(record) + "\n")  # one line: the position lists are long
        log.info("stratified test split of %s: %d rows for training, %d held out for testing (run/split.json)", d.train, len(keep), len(held))
    features = train.features
    names = train.attack_names.astype(str).str.strip().to_numpy()
    if d.train_fraction < 1:
        keep, _ = stratified_split(labels, 1 - d.train_fraction, cfg.training.seed)
        features, labels, names = features.iloc[keep].reset_index(drop=True), labels[keep], names[keep]
        log.info("using a stratified %.0f%% subsample of %s: %d rows", 100 * d.train_fraction, d.train, len(keep))
    holdout = holdout_rows(names, d.holdout_labels, str(d.train), d.train_fraction < 1)
    val_rows = None
    if holdout is not None:
        rest = np.flatnonzero(~holdout)
        _, val = stratified_split(labels[rest], d.val_fraction, cfg.training.seed)
        val_rows = np.sort(np.concatenate([rest[val], np.flatnonzero(holdout)]))
        log.info("validation: %d rows of %s never trained on + a stratified %.0f%% of the rest (%d rows)",
                 int(holdout.sum()), ", ".join(d.holdout_labels), 100 * d.val_fraction, len(val))  # fmt: skip

    schema = train.schema
    columns = {"numeric": schema.numeric, "categorical": schema.categorical} if schema else {}
    est = make_estimator(cfg, run_dir / CHECKPOINT, resume, progress, classes=classes, **columns)
    est.fit(features, labels, validation_indices=val_rows)
    train_seconds = sum(h["seconds"] for h in est.history_)  # over all sessions of a resumed run
    threshold_choice = None
    if cfg.model.threshold == "auto":
        threshold_choice = choose_threshold(est, features, labels, est.validation_indices_, holdout)
        est.threshold = threshold_choice["threshold"]
    est.save(str(run_dir / "model"), extra={"task": d.task, "dataset": d.dataset, "trained_on": d.train, "data_options": d.options})
    write_history(est.history_, run_dir)

    val_idx = est.validation_indices_
    summary = {
        "train_file": d.train, "rows_used": int(len(labels)),
        "train_rows": int(len(labels) - len(val_idx)), "validation_rows": int(len(val_idx)),
        "class_counts_train": _counts(np.delete(labels, val_idx)), "class_counts_validation": _counts(labels[val_idx]),
        "features_out": est.preprocessor_.n_features_out, "test": {},
    }  # fmt: skip
    if holdout is not None:
        summary["holdout_labels"] = {name: int((names == name).sum()) for name in d.holdout_labels}
    if schema is not None:
        summary["features"] = {"numeric": schema.numeric, "categorical": schema.categorical, "excluded": schema.excluded,
                               "labels": schema.labels, "metadata": schema.metadata}  # fmt: skip

    # The test files are read only here, after training and model selection are complete.
    tests: list[tuple[str, Any]] = [(f"{d.train} (test split)", split_test)] if split_test is not None else []
    tests += [(name, None) for name in d.test or []]
    results = []
    for name, table in tests:
        if table is None:
            table = ds.load(name, d.data_dir, d.verify, d.options)
            quality[name] = table.quality.to_dict() if table.quality else None
        y = ds.task_labels(table, d.task, d.options)
        results.append(evaluate_table(est, table.features, y, name, run_dir / "figures"))
        summary["test"][name] = {"rows": len(table), "class_counts": _counts(y)}
    atomic_write_json(run_dir / "data_summary.json", summary)
    atomic_write_json(run_dir / "data_quality.json", quality)
    markdown = metrics_markdown(results) if results else "No test sets configured.\n"
    atomic_write_json(run_dir / "metrics.json", {"model": cfg.model.name, "task": d.task, "results": results})
    atomic_write_text(run_dir / "metrics.md", f"# {cfg.model.name} ({d.task}), seed {cfg.training.seed}\n\n" + markdown)
    run_info = {
        "model": cfg.model.name, "task": d.task, "seed": cfg.training.seed,
        "best_epoch": est.best_epoch_, "epochs_run": len(est.history_),
        "threshold": est.threshold, "threshold_choice": threshold_choice,
        "train_seconds": round(train_seconds, 1), "total_seconds": round(time.perf_counter() - t_start, 1),
        "library_versions": library_versions(),
    }  # fmt: skip
    atomic_write_json(run_dir / "run.json", run_info)
    return {"results": results, "markdown": markdown, "run": run_info, "quality": quality}


def holdout_rows(names: np.ndarray, holdout: Sequence[str], source: str, subsample: bool = False) -> np.ndarray | None:
    """Mask of the rows whose label is in ``holdout`` (None when it is empty); every name must occur."""
    if not holdout:
        return None
    subsample = " (in the subsample data.train_fraction selected)" if subsample else ""
    missing = [h for h in holdout if not (names == h).any()]
    if missing:
        known = ", ".join(sorted(set(names.tolist()))[:40])
        raise ConfigError(f"data.holdout_labels: no row of {source} has the label {' or '.join(map(repr, missing))}"
                          f"{subsample}; its labels: {known}")  # fmt: skip
    mask = np.isin(names, list(holdout))
    if mask.all():
        raise ConfigError(f"data.holdout_labels hold out every row of {source}; nothing is left to train on")
    return mask


def choose_threshold(est: MSMRNetClassifier, features: pd.DataFrame, labels: np.ndarray, val_rows: np.ndarray,
                     holdout: np.ndarray | None) -> dict[str, Any]:  # fmt: skip
    """The attack-probability threshold with the best balanced accuracy on validation rows.

    With held-out labels, the attack side is those rows only: the threshold is then set for
    attacks the model never trained on, not for the familiar ones it already separates well.
    """
    normal = labels[val_rows] == est.normal_label
    attack = ~normal if holdout is None else holdout[val_rows] & ~normal
    rows = val_rows[normal | attack]
    score = est.anomaly_score(features.iloc[rows])
    choice = balanced_threshold(attack[normal | attack], score)
    choice.update(normal_rows=int(normal.sum()), attack_rows=int(attack.sum()),
                  attack_rows_are="held-out labels" if holdout is not None else "all attacks")  # fmt: skip
    log.info("threshold %.4f: balanced accuracy %.4f on validation (%d normal, %d %s rows; %.4f at 0.5)", choice["threshold"],
             choice["balanced_accuracy"], choice["normal_rows"], choice["attack_rows"], choice["attack_rows_are"],
             choice["balanced_accuracy_at_0.5"])  # fmt: skip
    return choice


def holdout_split(table: LabeledTable, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(kept, held-out) row positions: the stratified, seeded test split of data without test files.

    Stratified on the finest label (NSL-KDD attack name, UNSW-NB15 attack_cat), so the binary and
    multi-class runs of one seed hold out the same rows. ``msmrnet train`` and ``msmrnet reproduce``
    both split with this function.
    """
    return stratified_split(table.attack_names.astype(str).to_numpy(), fraction, seed)


def split_record(table: LabeledTable, source: str, fraction: float, seed: int, keep: np.ndarray, held: np.ndarray) -> dict[str, Any]:
    """The held-out rows, by position in ``table`` and by file and line, so the split can be rebuilt (split.json)."""
    return {
        "source": source, "test_fraction": fraction, "seed": seed, "stratified_on": "finest label",
        "train_rows": int(len(keep)), "test_rows": int(len(held)), "files": table.files,
        "test_positions": held.tolist(),
        "test_lines": table.lines[held].tolist() if table.lines is not None else None,
        "test_file_index": table.file_index[held].tolist() if table.file_index is not None and len(table.files) > 1 else None,
    }  # fmt: skip


def write_history(history: list[dict[str, Any]], run_dir: Path) -> None:
    atomic_write_json(run_dir / "history.json", history)
    if not history:
        return
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(history[0]))
    writer.writeheader()
    writer.writerows(history)
    atomic_write_text(run_dir / "history.csv", buf.getvalue())
    plot_history(history, run_dir / "loss_curve.png", title="training and validation loss")


def _counts(labels: np.ndarray) -> dict[str, int]:
    values, counts = np.unique(labels, return_counts=True)
    return {str(v): int(c) for v, c in zip(values, counts)}
