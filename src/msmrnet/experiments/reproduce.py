"""The three experiments of the chapter in one run folder, with one report.

Layout of a run folder::

    pca/                          experiment 1 (numbers + the 2-D/3-D scatter plots)
    validity/<model>/seed<N>/     experiment 2, one folder per model and seed
    comparison/<task>/<model>/seed<N>/   experiment 3 (+ comparison/selection/ when lr is searched)
    report.md, figures/*.png      the report (Markdown + figure files)
    report.html                   the same report, self-contained (figures embedded)
    reproduce.json                profile, timings, library versions
    split.json                    when the test table is held out of the training file: its rows

Each sub-run folder holds ``result.json`` and appears only once finished, so running the same
command again resumes: finished sub-runs are read back, the rest run, and the report is redone.
With ``jobs`` > 1 sub-runs run side by side in spawned processes, each loading the data set
itself; ``report_only`` writes a (partial) report from the sub-runs finished so far.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import platform
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

import torch

from msmrnet.errors import ConfigError, MsmrnetError
from msmrnet.estimator import library_versions
from msmrnet.experiments import comparison, pca_views, validity
from msmrnet.experiments.data import ExperimentData
from msmrnet.experiments.profiles import EXPERIMENTS, Profile
from msmrnet.experiments.report import Report
from msmrnet.experiments.runner import CostModel, NotReady, Parallel, Task, execute, is_done, read_result, resolve, run_one
from msmrnet.utils.io import atomic_write_bytes, atomic_write_json, atomic_write_text
from msmrnet.utils.logging import setup_logging

log = logging.getLogger(__name__)


@dataclass
class Plan:
    tasks: list[Task]
    finished: int  # sub-runs already done (a resumed run)
    estimate_seconds: float  # for the sub-runs still to do, on this machine, now

    def describe(self) -> str:
        todo = len(self.tasks) - self.finished
        resumed = f" ({self.finished} already finished, skipped)" if self.finished else ""
        plural = "s" if len(self.tasks) != 1 else ""
        return (f"{len(self.tasks)} sub-run{plural}{resumed}; {todo} to run, estimated {_duration(self.estimate_seconds)} "
                "on this machine (from a timing of a few training batches of each network just now)")  # fmt: skip


def check_only(only: Sequence[str]) -> tuple[str, ...]:
    unknown = sorted(set(only) - set(EXPERIMENTS))
    if unknown or not only:
        raise ConfigError(f"unknown experiment(s) {unknown or only}; choose from {', '.join(EXPERIMENTS)}")
    return tuple(e for e in EXPERIMENTS if e in only)


def build_tasks(data: ExperimentData, profile: Profile, out: Path, only: Sequence[str], cost: CostModel) -> list[Task]:
    """Every sub-run of the selected experiments, in the order they run."""
    tasks: list[Task] = []
    if "pca" in only:
        tasks += pca_views.tasks(data, profile)
    if "validity" in only:
        tasks += validity.tasks(data, profile, cost)
    if "comparison" in only:
        tasks += comparison.tasks(data, profile, cost, out)
    return tasks


def plan(data: ExperimentData, profile: Profile, out: Path, only: Sequence[str] = EXPERIMENTS, timed: bool = True) -> Plan:
    """Every sub-run of the selected experiments, and the time the unfinished ones should take
    (``timed=False``: no estimate, which saves timing each network)."""
    only = check_only(only)
    tasks = build_tasks(data, profile, out, only, CostModel(data.in_features(), profile.batch_size, timed))
    done = [t for t in tasks if is_done(out, t.key)]
    return Plan(tasks, len(done), sum(t.estimate for t in tasks if not is_done(out, t.key)))


def threads_per_job(jobs: int) -> int:
    """PyTorch threads of each of ``jobs`` side-by-side sub-runs: the cores shared out, at least one."""
    return max(1, (os.cpu_count() or 1) // jobs)


def reproduce(data: ExperimentData, profile: Profile, out: Path, only: Sequence[str] = EXPERIMENTS,
              progress: bool | None = None, command: str | None = None, the_plan: Plan | None = None,
              jobs: int = 1, report_only: bool = False) -> Path:  # fmt: skip
    """Run (or resume) the selected experiments and write the report; returns ``report.html``.

    ``jobs`` > 1 runs that many sub-runs at a time, each in its own process with
    :func:`threads_per_job` PyTorch threads (the data must come from :meth:`ExperimentData.from_dataset`).
    ``report_only`` runs nothing: the report covers the sub-runs finished so far and says which are missing.
    """
    only = check_only(only)
    if jobs < 1:
        raise ConfigError(f"jobs must be at least 1, got {jobs}")
    if jobs > 1 and data.source is None:
        raise ConfigError("running sub-runs side by side needs data loaded by name (ExperimentData.from_dataset): "
                          "each worker process loads it again")  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)
    if data.split is not None:  # the held-out rows, as `msmrnet train` records them (one line: long lists)
        atomic_write_text(out / "split.json", json.dumps(data.split) + "\n")
    the_plan = the_plan or plan(data, profile, out, only, timed=not report_only)
    if report_only:
        return write_partial_report(the_plan, data, profile, out, only, command)
    log.info("%s", the_plan.describe())
    parallel = None
    if jobs > 1:
        level = logging.getLogger("msmrnet").getEffectiveLevel()
        args = (data.source, profile, out, tuple(only), threads_per_job(jobs), level)
        parallel = Parallel(jobs, _start_worker, args, _run_in_worker)
    t0 = time.perf_counter()
    results = execute(the_plan.tasks, out, progress, parallel)
    session_seconds = time.perf_counter() - t0
    meta = {
        "profile": dataclasses.asdict(profile), "experiments": list(only), "command": command, "data": data.description,
        "dataset": data.dataset, "split": split_summary(data),
        "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "this_session_seconds": round(session_seconds, 1),
        "sub_run_seconds": round(sum(r.get("wall_seconds", 0.0) for r in results.values()), 1),
        "machine": _machine(jobs), "library_versions": library_versions(),
    }  # fmt: skip
    atomic_write_json(out / "reproduce.json", meta)
    return write_report(results, data, profile, out, only, meta)


def _machine(jobs: int) -> dict[str, Any]:
    threads = torch.get_num_threads() if jobs == 1 else threads_per_job(jobs)
    return {"platform": platform.platform(), "cpus": os.cpu_count(), "torch_threads": threads, "jobs": jobs}


def write_partial_report(the_plan: Plan, data: ExperimentData, profile: Profile, out: Path, only: Sequence[str],
                         command: str | None) -> Path:  # fmt: skip
    """The report of the sub-runs finished so far (a run still going, or stopped); runs nothing."""
    results: dict[str, dict[str, Any]] = {}
    for task in the_plan.tasks:
        if not is_done(out, task.key):
            continue
        stored = read_result(out, task.key)
        try:
            same = stored.get("settings") == resolve(task)
        except NotReady:
            same = False
        if not same:
            raise MsmrnetError(f"{out / task.key} was made with other settings than this command's")
        results[task.key] = stored
    missing = [t.key for t in the_plan.tasks if t.key not in results]
    record = out / "reproduce.json"  # written by the run at its end: the machine that ran the sub-runs
    machine = json.loads(record.read_text(encoding="utf-8")).get("machine") if record.is_file() else None
    meta = {
        "command": command, "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "report_only": True,
        "sub_run_seconds": round(sum(r.get("wall_seconds", 0.0) for r in results.values()), 1),
        "machine": machine or _machine(1), "library_versions": library_versions(),
        "missing": missing, "finished": len(results), "planned": len(the_plan.tasks),
    }  # fmt: skip
    log.info("report of the finished sub-runs: %d of %d", len(results), len(the_plan.tasks))
    return write_report(results, data, profile, out, only, meta)


# -- worker processes (jobs > 1): module-level, so that they can be pickled ---------------------

_WORKER: dict[str, Any] = {}


def _start_worker(source: tuple[str, str | None, bool], profile: Profile, out: Path, only: tuple[str, ...],
                  threads: int, level: int) -> None:  # fmt: skip
    """Load the data set and list the sub-runs once per worker process."""
    setup_logging(0 if level <= logging.INFO else -1)
    logging.getLogger("msmrnet").setLevel(level)
    torch.set_num_threads(threads)
    data = ExperimentData.from_dataset(*source)
    tasks = build_tasks(data, profile, out, only, CostModel(0, profile.batch_size, timed=False))
    _WORKER.update(tasks={t.key: t for t in tasks}, out=out)


def _run_in_worker(key: str, settings: dict[str, Any]) -> None:
    run_one(_WORKER["tasks"][key], _WORKER["out"], settings)


def write_report(results: dict[str, dict[str, Any]], data: ExperimentData, profile: Profile, out: Path,
                 only: Sequence[str], meta: dict[str, Any]) -> Path:  # fmt: skip
    figures = out / "figures"
    title = f"MSMRNet: the chapter's experiments, reproduced on {data.title} ({profile.name} profile)"
    report = Report(title)
    partial = bool(meta.get("missing"))
    if partial:
        shown = ", ".join(meta["missing"][:8]) + (f" and {len(meta['missing']) - 8} more" if len(meta["missing"]) > 8 else "")
        report.note(f"**PARTIAL REPORT: {meta['finished']} of {meta['planned']} sub-runs finished** "
                    f"(not yet: {shown or 'none'}). Means and spreads cover the seeds finished so far; each table row "
                    "says how many. Run the command without `--report-only` to finish the run.")  # fmt: skip
    if profile.indicative:
        if data.dataset == "nsl-kdd":
            rerun = "These numbers are not the published ones: run `msmrnet reproduce --profile full` for those."
        else:  # the published numbers this report quotes are on NSL-KDD
            rerun = f"For full-size numbers run `msmrnet reproduce --dataset {data.dataset} --profile full`."
        report.note(f"**{profile.name.upper()} PROFILE: INDICATIVE ONLY.** {profile.summary}. {rerun}")
    else:
        report.paragraph(f"Profile **{profile.name}**: {profile.summary}.")
    report.bullets([
        f"Data: {data.description}.",
        f"Command: `{meta['command']}`." if meta.get("command") else "Run from the Python API.",
        f"{'Written' if meta.get('report_only') else 'Finished'} {meta['finished_at']}; compute time of all finished sub-runs "
        f"{_duration(meta['sub_run_seconds'])}" + ("." if meta.get("report_only") else f" (this session: {_duration(meta['this_session_seconds'])})."),
        f"Machine: {meta['machine']['platform']}, {meta['machine']['cpus']} CPUs, " + _threads(meta["machine"]) + "; "
        + ", ".join(f"{k} {v}" for k, v in meta["library_versions"].items()) + ".",
        f"Experiments in this report: {', '.join(only)}.",
    ])  # fmt: skip
    report.heading("How the choices were made")
    report.bullets([
        f"The test {describe_test_data(data)} read only by evaluation, after the model being scored has finished "
        "training; no setting in this report was chosen by looking at a test result.",
        "Architecture sizes: the chapter's layer counts for MSMRNet/MSMNet with the project defaults (docs/ARCHITECTURE.md); "
        "the baselines were sized, before any run, so that an epoch costs about as much as MSMRNet-5 or less on a CPU "
        f"(model options of this profile: {profile.model_options or 'defaults'}).",
        "Epochs: each network keeps the weights of its epoch with the lowest validation loss (a stratified "
        f"{profile.val_fraction:.0%} of the training rows, drawn per seed); gradient boosting stops on the same split.",
        ("Learning rate: chosen per network from " + ", ".join(f"{v:g}" for v in profile.lr_grid) + " by validation loss "
         "(table in section 3)." if len(profile.lr_grid) > 1 else
         f"Learning rate: {profile.lr_grid[0]:g} for every network (the project default; not searched in this profile). "
         f"The validity experiment uses {profile.lr:g} for all four models by design (identical hyper-parameters)."),
        "Preprocessing: one-hot + min-max (the chapter's choice), fitted on the training part of each run only.",
    ])  # fmt: skip
    if "pca" in only and pca_views.KEY in results:
        result = results[pca_views.KEY]
        for dims in (2, 3):
            name = f"pca_{dims}d.png"
            atomic_write_bytes(figures / name, (out / pca_views.KEY / name).read_bytes())
        pca_views.add_to_report(report, result, figures)
    if "validity" in only:
        validity.add_to_report(report, validity.summarize(results, profile), profile, figures)
    if "comparison" in only:
        comparison.add_to_report(report, results, data, profile, out, figures)
    report.heading("Files")
    report.paragraph("Every sub-run has its own folder with `result.json` (settings, per-epoch history, test metrics, "
                     "timings): `pca/`, `validity/<model>/seed<N>/`, `comparison/<task>/<model>/seed<N>/`. Running the "
                     "same command again skips finished sub-runs and rewrites this report."
                     + (" `split.json` lists the held-out test rows (positions and file lines)." if data.split else ""))  # fmt: skip
    _, html_path = report.write(out)
    log.info("report: %s and %s", out / "report.md", html_path)
    return html_path


def _threads(machine: dict[str, Any]) -> str:
    jobs = machine.get("jobs", 1)
    if jobs == 1:
        return f"{machine['torch_threads']} PyTorch threads"
    return f"{jobs} sub-runs side by side with {machine['torch_threads']} PyTorch thread(s) each (training times are measured so)"


def split_summary(data: ExperimentData) -> dict[str, Any] | None:
    """The test split without its row lists: source, fraction, seed, row counts (None: test files)."""
    if data.split is None:
        return None
    return {k: data.split[k] for k in ("source", "test_fraction", "seed", "stratified_on", "train_rows", "test_rows")}


def describe_test_data(data: ExperimentData) -> str:
    """What the test data are, for the report: the test files, or the held-out split and how it was drawn."""
    if data.split is None:
        return f"files ({', '.join(data.test_names)}) are"
    s = split_summary(data)
    assert s is not None
    return (f"rows ({', '.join(data.test_names)}: a stratified {s['test_fraction']:.0%} of {s['source']} held out with seed "
            f"{s['seed']}, {s['test_rows']:,} rows, leaving {s['train_rows']:,} for training and validation; the same split "
            f"as `msmrnet train --dataset {data.dataset}` with its default seed; rows listed in `split.json`) are")  # fmt: skip


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    h, rem = divmod(seconds, 3600)
    return f"{h} h {rem // 60:02d} min" if h else f"{rem // 60} min {rem % 60:02d} s"
