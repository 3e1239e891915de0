"""The main job: train on a registered training file, evaluate on the test files, write a run folder.

Run folder layout::

    config.yaml            resolved configuration (re-run with `msmrnet train --config`)
    checkpoints/last.safetensors   per-epoch checkpoint (resume with `--resume`)
    model/                 the model artifact (safetensors + JSON), for evaluate and detect
    history.csv/json       per-epoch losses and validation metrics
    loss_curve.png         training and validation loss per epoch
    metrics.json/.md       test metrics; figures/confusion_*.png
    data_summary.json      rows and class counts of each split, unseen categories
    run.json               timings, seed, library versions
"""

from __future__ import annotations

import csv
import io
import logging
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from msmrnet.data import nsl_kdd, registry
from msmrnet.errors import ConfigError
from msmrnet.estimator import MSMRNetClassifier, library_versions, stratified_split
from msmrnet.evaluation import evaluate_table, metrics_markdown
from msmrnet.evaluation.plots import plot_history
from msmrnet.training.config import ExperimentConfig, dump_config
from msmrnet.utils.io import atomic_write_json, atomic_write_text

log = logging.getLogger(__name__)

CHECKPOINT = "checkpoints/last.safetensors"


def default_run_dir(cfg: ExperimentConfig) -> Path:
    name = cfg.output.name or f"{cfg.model.name}-{cfg.data.task}-seed{cfg.training.seed}-{datetime.now():%Y%m%d-%H%M%S}"
    return Path(cfg.output.dir) / name


def make_estimator(cfg: ExperimentConfig, checkpoint: Path | None = None, resume: bool = False,
                   progress: bool | None = None) -> MSMRNetClassifier:  # fmt: skip
    t = cfg.training
    return MSMRNetClassifier(
        model=cfg.model.name, model_options=dict(cfg.model.options), scaling=cfg.preprocessing.scaling,
        numeric=nsl_kdd.NUMERIC, categorical=nsl_kdd.CATEGORICAL, classes=nsl_kdd.TASKS[cfg.data.task],
        epochs=t.epochs, batch_size=t.batch_size, lr=t.lr, weight_decay=t.weight_decay, patience=t.patience,
        val_fraction=cfg.data.val_fraction, seed=t.seed, checkpoint=str(checkpoint) if checkpoint else None, resume=resume, progress=progress,
    )  # fmt: skip


def run_experiment(cfg: ExperimentConfig, run_dir: Path, resume: bool = False, progress: bool | None = None) -> dict[str, Any]:
    if cfg.data.dataset != "nsl-kdd":
        raise ConfigError(f"data.dataset {cfg.data.dataset!r} is not supported yet (available: nsl-kdd)")
    for name in [cfg.data.train, *cfg.data.test]:  # fail before any folder is made or any epoch is run
        registry.locate(name, cfg.data.data_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(run_dir / "config.yaml", dump_config(cfg))
    t_start = time.perf_counter()

    train = registry.load(cfg.data.train, cfg.data.data_dir, check=cfg.data.verify)
    labels = nsl_kdd.task_labels(train.attack_names, cfg.data.task).to_numpy()
    features = train.features
    if cfg.data.train_fraction < 1:
        keep, _ = stratified_split(labels, 1 - cfg.data.train_fraction, cfg.training.seed)
        features, labels = features.iloc[keep].reset_index(drop=True), labels[keep]
        log.info("using a stratified %.0f%% subsample of %s: %d rows", 100 * cfg.data.train_fraction, cfg.data.train, len(keep))

    est = make_estimator(cfg, run_dir / CHECKPOINT, resume, progress)
    est.fit(features, labels)
    train_seconds = sum(h["seconds"] for h in est.history_)  # over all sessions of a resumed run
    est.save(str(run_dir / "model"), extra={"task": cfg.data.task, "dataset": cfg.data.dataset, "trained_on": cfg.data.train})
    write_history(est.history_, run_dir)

    val_idx = est.validation_indices_
    summary = {
        "train_file": cfg.data.train, "rows_used": int(len(labels)),
        "train_rows": int(len(labels) - len(val_idx)), "validation_rows": int(len(val_idx)),
        "class_counts_train": _counts(np.delete(labels, val_idx)), "class_counts_validation": _counts(labels[val_idx]),
        "features_out": est.preprocessor_.n_features_out, "test": {},
    }  # fmt: skip

    # The test files are read only here, after training and model selection are complete.
    results = []
    for name in cfg.data.test:
        table = registry.load(name, cfg.data.data_dir, check=cfg.data.verify)
        y = nsl_kdd.task_labels(table.attack_names, cfg.data.task).to_numpy()
        results.append(evaluate_table(est, table.features, y, name, run_dir / "figures"))
        summary["test"][name] = {"rows": len(table), "class_counts": _counts(y)}
    atomic_write_json(run_dir / "data_summary.json", summary)
    markdown = metrics_markdown(results) if results else "No test sets configured.\n"
    atomic_write_json(run_dir / "metrics.json", {"model": cfg.model.name, "task": cfg.data.task, "results": results})
    atomic_write_text(run_dir / "metrics.md", f"# {cfg.model.name} ({cfg.data.task}), seed {cfg.training.seed}\n\n" + markdown)
    run_info = {
        "model": cfg.model.name, "task": cfg.data.task, "seed": cfg.training.seed,
        "best_epoch": est.best_epoch_, "epochs_run": len(est.history_),
        "train_seconds": round(train_seconds, 1), "total_seconds": round(time.perf_counter() - t_start, 1),
        "library_versions": library_versions(),
    }  # fmt: skip
    atomic_write_json(run_dir / "run.json", run_info)
    return {"results": results, "markdown": markdown, "run": run_info}


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
