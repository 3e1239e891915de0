"""Experiment 3: MSMRNet-5 against deep-learning and classical baselines, binary and multi-class.

Every model goes through the same estimator contract (same preprocessing fitted on the same
training rows, same stratified validation split per seed) and is scored on the data set's test
tables (NSL-KDD: KDDTest+ and KDDTest-21; UNSW-NB15: the held-out split) after its training ended. Networks keep the weights of their lowest-validation-loss
epoch; gradient boosting picks its number of iterations on the same validation split.

Learning rate: with one value in the profile's ``lr_grid`` every network uses it (the project
default, no search). With several, each network is first trained once per value (seed
``selection_seed``, on a subset, for a few epochs, no test data involved) and the value with
the lowest validation loss is used for all its seeds and both tasks.

Published results (NSL-KDD only) are printed beside ours, marked as reported elsewhere: they come
from other papers' set-ups (their own preprocessing, splits and tuning) and were not reproduced here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from msmrnet.evaluation.plots import save_figure  # noqa: E402
from msmrnet.evaluation.summary import mean_sd  # noqa: E402
from msmrnet.experiments.data import ExperimentData  # noqa: E402
from msmrnet.experiments.profiles import COMPARISON_MODELS, Profile  # noqa: E402
from msmrnet.experiments.report import Report  # noqa: E402
from msmrnet.experiments.runner import CostModel, NotReady, Task, is_done, is_tree, read_result, run_settings, train_and_score  # noqa: E402

LABELS = dict((m, label) for label, m in COMPARISON_MODELS)

#: Accuracy (%) on KDDTest+ / KDDTest-21 as published; None where a paper gives no number.
REFERENCES: tuple[dict[str, Any], ...] = (
    {"model": "RNN-IDS (Yin et al., 2017)", "binary": (83.28, 68.55), "multiclass": (81.29, 64.67)},
    {"model": "BAT-MC (Su et al., 2020)", "binary": None, "multiclass": (84.25, 69.42)},
    {"model": "NB-Tree (Tavallaee et al., 2009, the NSL-KDD authors' best classical learner)", "binary": (82.02, 66.16), "multiclass": None},
)  # fmt: skip
REFERENCE_TESTS = ("KDDTest+", "KDDTest-21")


def label(model: str) -> str:
    return LABELS.get(model, model)


def task_name(task: str, classes: Sequence[str]) -> str:
    """'binary (normal vs attack)', or the classes of the multi-class task: '5-class (normal, DoS, ...)'."""
    return "binary (normal vs attack)" if task == "binary" else f"{len(classes)}-class ({', '.join(classes)})"


def key(task: str, model: str, seed: int) -> str:
    return f"comparison/{task}/{model}/seed{seed}"


def selection_key(model: str, lr: float) -> str:
    return f"comparison/selection/{model}/lr{lr:g}"


def tasks(data: ExperimentData, profile: Profile, cost: CostModel, root: Path) -> list[Task]:
    out = []
    networks = [m for m in profile.models if not is_tree(m)]
    if len(profile.lr_grid) > 1:
        rows = data.training_rows(profile.selection_fraction, profile.val_fraction)
        for model in networks:
            for lr in profile.lr_grid:
                s = run_settings("selection", data, profile, model, profile.selection_task, profile.selection_seed,
                                 fraction=profile.selection_fraction, epochs=profile.selection_epochs, patience=profile.patience, lr=lr)  # fmt: skip
                est = cost.training(model, s["options"], rows, profile.selection_epochs)
                out.append(Task(selection_key(model, lr), lambda s=s: s, lambda folder, s: train_and_score(data, s, evaluate=False), est))
    rows = data.training_rows(profile.train_fraction, profile.val_fraction)
    for seed in profile.seeds:  # seed-major: an interrupted run already has every model once
        for task in profile.tasks:
            for model in profile.models:
                def settings(model: str = model, task: str = task, seed: int = seed) -> dict[str, Any]:
                    lr = None if is_tree(model) else chosen_lr(root, profile, model)
                    return run_settings("comparison", data, profile, model, task, seed, fraction=profile.train_fraction,
                                        epochs=profile.epochs, patience=profile.patience, lr=lr)  # fmt: skip

                est = cost.training(model, profile.options(model), rows, profile.epochs, data.test_rows)
                out.append(Task(key(task, model, seed), settings, lambda folder, s: train_and_score(data, s), est))
    return out


def selection_table(root: Path, profile: Profile, model: str) -> dict[float, float | None]:
    """Best validation loss per learning rate (None: that selection run has not finished)."""
    out: dict[float, float | None] = {}
    for lr in profile.lr_grid:
        k = selection_key(model, lr)
        out[lr] = min(h["val_loss"] for h in read_result(root, k)["history"]) if is_done(root, k) else None
    return out


def chosen_lr(root: Path, profile: Profile, model: str) -> float:
    """The lr with the lowest validation loss in the selection runs (the only value if no grid)."""
    if len(profile.lr_grid) == 1:
        return profile.lr_grid[0]
    table = selection_table(root, profile, model)
    missing = [lr for lr, v in table.items() if v is None]
    if missing:
        raise NotReady(f"learning-rate selection for {model} has not finished (lr {missing})")
    return min(table, key=lambda lr: table[lr])  # type: ignore[arg-type,return-value]


# -- analysis and report -----------------------------------------------------------------------


def collect(results: dict[str, dict[str, Any]], profile: Profile) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """task -> model -> finished runs (one per seed)."""
    out: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for task in profile.tasks:
        for model in profile.models:
            runs = [results[key(task, model, s)] for s in profile.seeds if key(task, model, s) in results]
            if runs:
                out.setdefault(task, {})[model] = runs
    return out


def _metric(r: dict[str, Any], task: str, name: str) -> float | None:
    """One test-set metric; multi-class precision/recall are macro averages over the classes."""
    if task == "binary" or name == "false_alarm_rate":
        return r["binary"][name]
    m = r["multiclass"]
    if name in ("precision", "recall"):
        return float(np.mean([c[name] for c in m["per_class"].values()]))
    return m[name]


METRICS = {
    "binary": (("accuracy", "accuracy %"), ("precision", "precision %"), ("recall", "recall %"), ("f1", "F1 %"),
               ("false_alarm_rate", "false-alarm rate %"), ("roc_auc", "ROC-AUC")),
    "multiclass": (("accuracy", "accuracy %"), ("precision", "macro precision %"), ("recall", "macro recall %"),
                   ("macro_f1", "macro-F1 %"), ("weighted_f1", "weighted F1 %"), ("false_alarm_rate", "false-alarm rate %")),
}  # fmt: skip


def add_to_report(report: Report, results: dict[str, dict[str, Any]], data: ExperimentData, profile: Profile, root: Path,
                  figures: Path) -> None:  # fmt: skip
    runs = collect(results, profile)
    names = {task: task_name(task, data.classes(task)) for task in ("binary", "multiclass")}
    n_classes = len(data.classes("multiclass"))
    report.heading("3. Comparison with other models")
    if not runs:
        report.paragraph("No comparison runs were found.")
        return
    first = next(iter(next(iter(runs.values())).values()))[0]
    tests = list(first["test"])
    report.paragraph(
        f"Seeds {', '.join(map(str, profile.seeds))}; training rows {first['rows']['train']:,} (validation "
        f"{first['rows']['validation']:,}); networks: up to {profile.epochs} epochs, early stopping after {profile.patience} "
        f"epochs without a lower validation loss, Adam, batch {profile.batch_size}; trees: {profile.tree_estimators} trees "
        "(random forest) or at most that many boosting iterations (early stopping on the validation split). "
        f"Metrics in % (ROC-AUC as a fraction), mean ± sample sd over seeds. {n_classes}-class precision and recall are macro "
        "averages; the false-alarm rate is the share of normal flows flagged as attacks (binary view)."
    )  # fmt: skip
    if len(profile.lr_grid) > 1:
        report.heading("Learning rate chosen on validation loss", 3)
        rows = []
        for model in profile.models:
            if is_tree(model):
                continue
            table = selection_table(root, profile, model)
            chosen = "not yet" if None in table.values() else f"{chosen_lr(root, profile, model):g}"
            rows.append([label(model)] + [("n/a" if v is None else f"{v:.4f}") for v in table.values()] + [chosen])
        report.table(["model"] + [f"val. loss, lr {lr:g}" for lr in profile.lr_grid] + ["chosen"], rows)
        report.paragraph(f"Selection runs: seed {profile.selection_seed}, {profile.selection_task} task, a stratified "
                         f"{profile.selection_fraction:.0%} of the training file, {profile.selection_epochs} epochs; no test data.")  # fmt: skip
    for task, per_model in runs.items():
        for test in tests:
            report.heading(f"{names[task]}: {test}", 3)
            header = ["model"] + [name for _, name in METRICS[task]]
            rows = []
            for model, model_runs in per_model.items():
                cells = []
                for metric, _ in METRICS[task]:
                    vals = [_metric(r["test"][test], task, metric) for r in model_runs]
                    cells.append(mean_sd(vals, 4) if metric == "roc_auc" else mean_sd(vals, 2, 100))
                rows.append([f"{label(model)} ({len(model_runs)} seed{'s' if len(model_runs) != 1 else ''})"] + cells)
            report.table(header, rows)
    _references(report, runs, tests, names)
    _timings(report, runs, tests)
    report.figure(plot_accuracy(runs, tests, figures / "comparison_accuracy.png"),
                  "Test accuracy per model (mean ± 1 sd over seeds)")  # fmt: skip


def _references(report: Report, runs: dict[str, dict[str, list[dict[str, Any]]]], tests: list[str], names: dict[str, str]) -> None:
    report.heading("Published results beside ours (accuracy %)", 3)
    shown = [t for t in REFERENCE_TESTS if t in tests]
    if not shown:  # the published numbers collected here are on NSL-KDD's test files only
        report.paragraph(f"None shown: the published results collected here are accuracies on NSL-KDD's "
                         f"{' and '.join(REFERENCE_TESTS)}; this run was tested on {', '.join(tests)}, so they do not compare.")  # fmt: skip
        return
    header = ["model", "source"] + [f"{names[task].split(' ')[0]} {t}" for task in ("binary", "multiclass") for t in shown]
    rows = []
    models = list(dict.fromkeys(m for per_model in runs.values() for m in per_model))
    for model in models:
        cells = []
        for task in ("binary", "multiclass"):
            for t in shown:
                model_runs = runs.get(task, {}).get(model, [])
                cells.append(mean_sd([r["test"][t][task]["accuracy"] for r in model_runs], 2, 100) if model_runs else "not run")
        rows.append([label(model), "this report"] + cells)
    for ref in REFERENCES:
        cells = [f"{ref[task][REFERENCE_TESTS.index(t)]:.2f}" if ref[task] else "—" for task in ("binary", "multiclass") for t in shown]
        rows.append([ref["model"], "**reported elsewhere** (not reproduced here)"] + cells)
    report.table(header, rows, align_left=2)
    report.paragraph("Rows marked *reported elsewhere* are the numbers printed in those papers, under their own "
                     "preprocessing, splits and tuning; they are context, not results of this code.")  # fmt: skip


def _timings(report: Report, runs: dict[str, dict[str, list[dict[str, Any]]]], tests: list[str]) -> None:
    report.heading("Cost: training time and inference throughput", 3)
    header = ["model", "parameters", "lr"]
    for task in runs:
        header += [f"{task}: training s", f"{task}: epochs run"]
    header.append(f"inference rows/s ({tests[0]})")
    models = list(dict.fromkeys(m for per_model in runs.values() for m in per_model))
    rows = []
    for model in models:
        any_run = next(r for per_model in runs.values() for r in per_model.get(model, []))
        counts = any_run["counts"]
        row = [label(model), f"{counts['parameters']:,}" if counts else "(trees)", f"{any_run['settings']['lr']:g}" if any_run["settings"]["lr"] else "—"]
        speeds = []
        for task, per_model in runs.items():
            model_runs = per_model.get(model, [])
            epochs = "—" if is_tree(model) else mean_sd([len(r["history"]) for r in model_runs], 1)
            row += [mean_sd([r["train_seconds"] for r in model_runs], 1), epochs]
            speeds += [r["test"][tests[0]]["rows_per_second"] for r in model_runs]
        row.append(mean_sd(speeds, 0))
        rows.append(row)
    report.table(header, rows)
    report.paragraph("Training time is the wall time of `fit` (preprocessing, training, per-epoch validation) on this "
                     "machine; inference throughput includes preprocessing. Both depend on the machine and on other "
                     "work running at the same time.")  # fmt: skip


def plot_accuracy(runs: dict[str, dict[str, list[dict[str, Any]]]], tests: list[str], path: Path) -> Path:
    groups = [(task, t) for task in runs for t in tests]
    models = list(dict.fromkeys(m for per_model in runs.values() for m in per_model))
    fig, ax = plt.subplots(figsize=(max(8, 1.1 * len(models) * len(groups) / 2), 4.8))
    width = 0.8 / len(groups)
    x = np.arange(len(models))
    for i, (task, t) in enumerate(groups):
        means, sds = [], []
        for model in models:
            vals = [100 * r["test"][t][task]["accuracy"] for r in runs[task].get(model, [])]
            means.append(np.mean(vals) if vals else np.nan)
            sds.append(np.std(vals, ddof=1) if len(vals) > 1 else 0.0)
        ax.bar(x + (i - (len(groups) - 1) / 2) * width, means, width, yerr=sds, capsize=2, label=f"{task}, {t}")
    ax.set_xticks(x, [label(m) for m in models], rotation=25, ha="right")
    ax.set_ylabel("accuracy %")
    ax.set_ylim(0, 100)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, ncol=2)
    ax.set_title("Test accuracy (mean ± 1 sd over seeds)")
    return save_figure(fig, path)
