"""Sub-runs: one folder each, written atomically, skipped on restart; one progress bar for all.

A sub-run is one unit of work (a PCA analysis, or one model trained with one seed and scored on
the test sets). Its folder appears only when it has finished (it is built under a temporary
name and renamed), holding ``result.json`` with the settings that produced it. On a restart a
finished sub-run is read back instead of being run again, provided its settings are the same;
different settings are an error rather than a silent mix of two configurations.

Sub-runs can run several at a time (:class:`Parallel`), each in a spawned process: a sub-run
whose settings depend on others (a learning rate chosen by selection runs) waits until they
have finished, and the others are taken in their listed order meanwhile.
"""

from __future__ import annotations

import json
import logging
import multiprocessing as mp
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from tqdm.auto import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

from msmrnet.classical import KINDS as TREE_KINDS
from msmrnet.classical import TreeClassifier
from msmrnet.errors import MsmrnetError
from msmrnet.estimator import MSMRNetClassifier
from msmrnet.estimator import _jsonable  # one JSON clean-up for model files and results
from msmrnet.evaluation import evaluate_table
from msmrnet.experiments.data import ExperimentData
from msmrnet.experiments.profiles import Profile
from msmrnet.models import count_layers, create_model
from msmrnet.utils.io import atomic_directory, atomic_write_json

log = logging.getLogger(__name__)

RESULT = "result.json"


@dataclass
class Task:
    """One sub-run: ``run(folder, settings) -> result`` writes extra files into ``folder``."""

    key: str  # folder under the run folder, e.g. "comparison/binary/mlp/seed0"
    settings: Callable[[], dict[str, Any]]  # resolved when the task starts (may read earlier results)
    run: Callable[[Path, dict[str, Any]], dict[str, Any]]
    estimate: float = 1.0  # seconds, for the time estimate and the progress bar


class NotReady(MsmrnetError):
    """A sub-run's settings depend on sub-runs that have not finished yet."""


@dataclass
class Parallel:
    """How to run sub-runs ``jobs`` at a time: spawned workers start with ``initializer(*initargs)``
    and run a sub-run with ``run_task(key, settings)`` (module-level functions: they are pickled)."""

    jobs: int
    initializer: Callable[..., None]
    initargs: tuple[Any, ...]
    run_task: Callable[[str, dict[str, Any]], None]


def is_done(root: Path, key: str) -> bool:
    return (root / key / RESULT).is_file()


def read_result(root: Path, key: str) -> dict[str, Any]:
    return json.loads((root / key / RESULT).read_text(encoding="utf-8"))


def execute(tasks: Sequence[Task], root: Path, progress: bool | None = None,
            parallel: Parallel | None = None) -> dict[str, dict[str, Any]]:  # fmt: skip
    """Run ``tasks`` in order under ``root`` (``parallel``: several at a time); finished ones are
    read back. Results by key."""
    results: dict[str, dict[str, Any]] = {}
    todo = []
    for task in tasks:
        if not is_done(root, task.key):
            todo.append(task)
            continue
        stored = read_result(root, task.key)
        if stored.get("settings") != resolve(task):
            raise MsmrnetError(
                f"{root / task.key} was made with other settings; use another output folder, "
                "or delete that sub-run folder to redo it"
            )
        log.info("skipping finished sub-run %s", task.key)
        results[task.key] = stored
    disable = None if progress is None else not progress
    fmt = "reproduce {percentage:3.0f}%|{bar}| {elapsed} elapsed, about {remaining} left | {desc}"
    with logging_redirect_tqdm(), tqdm(total=round(sum(t.estimate for t in todo)), desc="starting", bar_format=fmt,
                                       disable=disable) as bar:  # fmt: skip
        if parallel is None or parallel.jobs < 2 or len(todo) < 2:
            for task in todo:
                bar.set_description_str(task.key)
                run_one(task, root, resolve(task))
                results[task.key] = read_result(root, task.key)
                _advance(bar, task)
        else:
            _execute_parallel(todo, root, parallel, bar, results)
    return {t.key: results[t.key] for t in tasks}  # in the listed order


def resolve(task: Task) -> dict[str, Any]:
    """A task's settings after a JSON round trip, so they compare equal to the stored copy."""
    return json.loads(json.dumps(task.settings()))


def run_one(task: Task, root: Path, settings: dict[str, Any]) -> None:
    """Run one sub-run into a temporary folder that becomes ``root/key`` once ``result.json`` is in."""
    log.info("sub-run %s", task.key)
    t0 = time.perf_counter()
    with atomic_directory(root / task.key) as tmp:
        result = {"settings": settings, **task.run(tmp, settings), "wall_seconds": 0.0}
        result["wall_seconds"] = round(time.perf_counter() - t0, 2)
        atomic_write_json(tmp / RESULT, _jsonable(result))


def _advance(bar: tqdm, task: Task) -> None:
    bar.n = round(bar.n + task.estimate)  # the bar advances by estimates, so its "left" is an estimate
    bar.refresh()


def _execute_parallel(todo: list[Task], root: Path, parallel: Parallel, bar: tqdm, results: dict[str, dict[str, Any]]) -> None:
    """Keep ``parallel.jobs`` workers busy with the first tasks whose settings can be resolved."""
    pending = list(todo)
    running: dict[Future[None], Task] = {}
    error: BaseException | None = None
    # Spawned, not forked: OpenMP thread pools do not survive fork.
    pool = ProcessPoolExecutor(min(parallel.jobs, len(todo)), mp_context=mp.get_context("spawn"),
                               initializer=parallel.initializer, initargs=parallel.initargs)  # fmt: skip
    try:
        while pending or running:
            for task in [] if error else list(pending):
                if len(running) >= parallel.jobs:
                    break
                try:
                    settings = resolve(task)
                except NotReady:
                    continue  # its inputs are still running; a later task takes the worker
                pending.remove(task)
                running[pool.submit(parallel.run_task, task.key, settings)] = task
            if not running:
                if error is None:  # cannot happen with tasks listed after the ones they read
                    raise MsmrnetError(f"sub-runs {[t.key for t in pending]} wait on sub-runs that are not listed")
                break
            bar.set_description_str(", ".join(t.key for t in running.values()))
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                task = running.pop(future)
                try:
                    future.result()
                except Exception as exc:  # let the running sub-runs finish (they are kept), start no more
                    log.error("sub-run %s failed: %s", task.key, exc)
                    error = error or exc
                    continue
                results[task.key] = read_result(root, task.key)
                _advance(bar, task)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    if error is not None:
        raise error


# -- training and scoring one model ----------------------------------------------------------


def run_settings(experiment: str, data: ExperimentData, profile: Profile, model: str, task: str, seed: int, *,
                 fraction: float, epochs: int, patience: int, lr: float) -> dict[str, Any]:  # fmt: skip
    """Everything that determines one training sub-run (stored with it; compared on resume)."""
    return {
        "experiment": experiment, "data": data.description, "model": model, "task": task, "seed": seed,
        "train_fraction": fraction, "val_fraction": profile.val_fraction, "epochs": epochs, "patience": patience,
        "lr": lr, "batch_size": profile.batch_size, "options": profile.options(model) if not is_tree(model) else {},
        "tree_estimators": profile.tree_estimators if is_tree(model) else None,
    }  # fmt: skip


def is_tree(model: str) -> bool:
    return model in TREE_KINDS


def make_estimator(data: ExperimentData, model: str, task: str, seed: int, *, epochs: int, patience: int,
                   lr: float, batch_size: int, val_fraction: float, options: dict[str, Any],
                   tree_estimators: int) -> MSMRNetClassifier | TreeClassifier:  # fmt: skip
    """The same estimator contract for networks and trees: same columns, classes and split."""
    common = dict(numeric=data.numeric, categorical=data.categorical, classes=data.classes(task), val_fraction=val_fraction, seed=seed)
    if is_tree(model):
        return TreeClassifier(kind=model, n_estimators=tree_estimators, **common)
    return MSMRNetClassifier(model=model, model_options=options, epochs=epochs, batch_size=batch_size, lr=lr,
                             patience=patience, progress=False, **common)  # fmt: skip


def train_and_score(data: ExperimentData, settings: dict[str, Any], evaluate: bool = True) -> dict[str, Any]:
    """Fit the model ``settings`` describe on the training data; then (only then) score the test sets."""
    s = settings
    features, labels = data.training(s["task"], s["train_fraction"])
    est = make_estimator(data, s["model"], s["task"], s["seed"], epochs=s["epochs"], patience=s["patience"], lr=s["lr"],
                         batch_size=s["batch_size"], val_fraction=s["val_fraction"], options=s["options"],
                         tree_estimators=s["tree_estimators"])  # fmt: skip
    t0 = time.perf_counter()
    est.fit(features, labels)
    fit_seconds = time.perf_counter() - t0
    out: dict[str, Any] = {
        "train_seconds": round(fit_seconds, 2),
        "rows": {"train": int(len(labels) - len(est.validation_indices_)), "validation": int(len(est.validation_indices_))},
        "features": int(est.preprocessor_.n_features_out),
        "history": est.history_,
        "best_epoch": est.best_epoch_,
        "counts": count_layers(est.network_) if isinstance(est, MSMRNetClassifier) else None,
        "test": {},
    }
    if evaluate:
        # Model selection for this sub-run is over (weights of the best validation epoch are loaded).
        for name in data.test_names:
            r = evaluate_table(est, data.test(name).features, data.test_labels(name, s["task"]), name)
            r["rows_per_second"] = round(r["rows"] / max(r["inference_seconds"], 1e-9), 1)
            out["test"][name] = r
    return out


# -- time estimates --------------------------------------------------------------------------

# Seconds per training row of the tree baselines, measured on the project's 2-core machine
# (scikit-learn, one thread, NSL-KDD's 122 features): they do not depend on the network speed.
TREE_SECONDS_PER_ROW = {"random_forest": 4e-4, "gradient_boosting": 6e-4}


class CostModel:
    """Seconds per training row of each network, timed now on this machine with a few batches."""

    def __init__(self, in_features: int, batch_size: int, timed: bool = True):
        self.in_features, self.batch_size = in_features, batch_size
        self.timed = timed  # False: every estimate is 0 (a worker process, which only runs tasks)
        self._per_row: dict[tuple[str, str], float] = {}

    def per_row(self, model: str, options: dict[str, Any]) -> float:
        if not self.timed:
            return 0.0
        if is_tree(model):
            return TREE_SECONDS_PER_ROW[model]
        key = (model, json.dumps(options, sort_keys=True))
        if key not in self._per_row:
            self._per_row[key] = _time_batches(model, options, self.in_features, self.batch_size) / self.batch_size
        return self._per_row[key]

    def training(self, model: str, options: dict[str, Any], rows: int, epochs: int, tests_rows: int = 0) -> float:
        """Training (+ validation) and scoring the test rows.

        Scoring a row costs about half a training step per row (measured on NSL-KDD: 0.45-0.55 for
        MSMRNet/MSMNet and the LSTMs, whose sequential steps dominate both); validation adds that
        for a ninth of the rows each epoch (1.06).
        """
        per_row = self.per_row(model, options)
        if is_tree(model):
            return per_row * rows + 1e-5 * tests_rows
        return per_row * epochs * rows * 1.06 + per_row * 0.5 * tests_rows


def _time_batches(model: str, options: dict[str, Any], in_features: int, batch_size: int, batches: int = 2) -> float:
    """Median seconds of one Adam step on random data, after a warm-up step."""
    state = torch.get_rng_state()  # timing must not disturb the seeded runs that follow
    try:
        net = create_model(model, **{**options, "in_features": in_features, "num_classes": 5})
        opt = torch.optim.Adam(net.parameters())
        x, y = torch.rand(batch_size, in_features), torch.randint(0, 5, (batch_size,))
        times = []
        for _ in range(batches + 1):
            t0 = time.perf_counter()
            loss = F.cross_entropy(net(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            times.append(time.perf_counter() - t0)
        return float(np.median(times[1:]))
    finally:
        torch.set_rng_state(state)

