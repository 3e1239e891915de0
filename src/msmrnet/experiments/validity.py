"""Experiment 2: do identity mappings speed up convergence and stop the deeper stack degrading?

MSMNet-5, MSMRNet-5, MSMNet-10 and MSMRNet-10 are trained on identical data with identical
hyper-parameters and seeds (the four differ only in depth and the identity mapping). Early
stopping is off (patience 0) so every run has the full per-epoch curves (the chapter's Fig. 3);
the weights of the lowest-validation-loss epoch are still the ones scored on the test sets.

The verdict is computed from the numbers by fixed rules (stated in the report):

- *converges faster*: fewer epochs to reach a target validation loss (the highest of the four
  models' best mean validation losses, so every model reaches it on average; a seed that never
  reaches it counts as one epoch more than were run) and a lower mean validation loss over the
  epochs (the area under the curve); when the epochs tie, a clear difference in the mean
  validation loss decides; when the two measures point opposite ways, no conclusion is drawn;
- a difference is *clear* when it exceeds the sum of the two models' seed-to-seed standard
  deviations, and *within the spread* otherwise;
- *degrades*: the depth-10 stack ends with a clearly higher best validation loss (or final
  training loss, the degradation of He et al.) than the depth-5 stack of the same kind.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from msmrnet.evaluation.plots import save_figure  # noqa: E402
from msmrnet.evaluation.summary import mean_sd  # noqa: E402
from msmrnet.experiments.data import ExperimentData  # noqa: E402
from msmrnet.experiments.profiles import VALIDITY_MODELS, Profile  # noqa: E402
from msmrnet.experiments.report import Report  # noqa: E402
from msmrnet.experiments.runner import CostModel, Task, run_settings, train_and_score  # noqa: E402

LABELS = {model: label for label, model, _, _ in VALIDITY_MODELS}


def key(model: str, seed: int) -> str:
    return f"validity/{model}/seed{seed}"


def tasks(data: ExperimentData, profile: Profile, cost: CostModel) -> list[Task]:
    out = []
    rows = data.training_rows(profile.validity_fraction, profile.val_fraction)
    for seed in profile.validity_seeds:  # seed-major: an interrupted run already covers all four models
        for _, model, _, _ in VALIDITY_MODELS:
            settings = run_settings("validity", data, profile, model, profile.validity_task, seed,
                                    fraction=profile.validity_fraction, epochs=profile.validity_epochs, patience=0, lr=profile.lr)  # fmt: skip
            estimate = cost.training(model, settings["options"], rows, profile.validity_epochs, data.test_rows)
            out.append(Task(key(model, seed), lambda s=settings: s, lambda folder, s: train_and_score(data, s), estimate))
    return out


# -- analysis ----------------------------------------------------------------------------------


def summarize(results: dict[str, dict[str, Any]], profile: Profile) -> dict[str, Any]:
    """Curves, counts, convergence and test numbers per model, and the verdict."""
    models: dict[str, dict[str, Any]] = {}
    for _, model, depth, residual in VALIDITY_MODELS:
        runs = [results[key(model, s)] for s in profile.validity_seeds if key(model, s) in results]
        if not runs:
            continue
        train = _curves([r["history"] for r in runs], "train_loss")
        val = _curves([r["history"] for r in runs], "val_loss")
        models[model] = {"label": LABELS[model], "depth": depth, "residual": residual, "runs": runs, "train": train, "val": val,
                         "counts": runs[0]["counts"]}  # fmt: skip
    if not models:
        return {"models": {}, "target": None, "verdict": []}
    target = profile.validity_target
    if target is None:  # the loosest best mean validation loss: every model reaches it on average
        target = max(float(np.nanmin(np.nanmean(m["val"], axis=0))) for m in models.values())
    for m in models.values():
        epochs_run = m["val"].shape[1]
        reached = [_first_epoch_at_most(curve, target) for curve in m["val"]]
        m["epochs_to_target"] = [e if e is not None else epochs_run + 1 for e in reached]
        m["reached"] = sum(e is not None for e in reached)
        m["auc"] = np.nanmean(m["val"], axis=1)  # per seed: mean validation loss over the epochs
        m["best_val"] = np.nanmin(m["val"], axis=1)
        m["final_train"] = np.array([row[~np.isnan(row)][-1] for row in m["train"]])
    return {"models": models, "target": target, "verdict": verdict(models)}


def _curves(histories: Sequence[list[dict[str, Any]]], field: str) -> np.ndarray:
    """seeds x epochs; NaN past a run's last epoch."""
    length = max(len(h) for h in histories)
    out = np.full((len(histories), length), np.nan)
    for i, h in enumerate(histories):
        out[i, : len(h)] = [row[field] for row in h]
    return out


def _first_epoch_at_most(curve: np.ndarray, target: float) -> int | None:
    hits = np.flatnonzero(curve <= target + 1e-12)
    return int(hits[0]) + 1 if len(hits) else None


def _compare(a: np.ndarray, b: np.ndarray) -> tuple[float, str]:
    """(mean(a) - mean(b), "clear" | "within" | "single"): whether the difference exceeds the sum
    of the seed sds; "single" when one side has one seed, so there is no spread to judge it by."""
    diff = float(np.mean(a) - np.mean(b))
    if len(a) < 2 or len(b) < 2:
        return diff, "single"
    spread = float(np.std(a, ddof=1)) + float(np.std(b, ddof=1))
    return diff, "clear" if abs(diff) > spread else "within"


def verdict(models: dict[str, dict[str, Any]]) -> list[str]:
    lines = []
    for depth in (5, 10):
        plain, res = models.get(f"msmnet_{depth}"), models.get(f"msmrnet_{depth}")
        if not plain or not res:
            continue
        e_p, e_r = float(np.mean(plain["epochs_to_target"])), float(np.mean(res["epochs_to_target"]))
        d_auc, how = _compare(res["auc"], plain["auc"])
        head = (f"Depth {depth}: {res['label']} reached the target validation loss after {e_r:.1f} epochs on average "
                f"({res['reached']}/{len(res['auc'])} seeds reached it), {plain['label']} after {e_p:.1f} "
                f"({plain['reached']}/{len(plain['auc'])}); mean validation loss over the epochs "
                f"{np.mean(res['auc']):.4f} vs {np.mean(plain['auc']):.4f}.")  # fmt: skip
        if e_r < e_p and d_auc < 0:
            tail = " The identity mappings converged faster" + {
                "clear": " (clearly: beyond the seed spread).",
                "single": " (one seed so far: no spread to judge the difference by).",
                "within": ", but the difference in mean validation loss is within the seed spread."}[how]  # fmt: skip
        elif e_r > e_p and d_auc > 0:
            tail = " The identity mappings did not speed up convergence: the plain stack converged faster" + {
                "clear": " (clearly).", "single": " (one seed so far: no spread to judge by).", "within": " (within the seed spread)."}[how]
        elif e_r == e_p and how == "clear":  # a tie on one measure is no disagreement: the other decides
            tail = (" Equal epochs to the target, and a clearly " + ("lower" if d_auc < 0 else "higher") + " mean validation loss "
                    "with the identity mappings: they converged " + ("faster." if d_auc < 0 else "slower."))
        elif e_r == e_p:
            tail = " No difference in convergence speed."
        else:
            tail = " Mixed: the two measures disagree, so no conclusion on convergence speed."
        lines.append(head + tail)
    for residual, kind in ((False, "without identity mappings"), (True, "with identity mappings")):
        prefix = "msmrnet" if residual else "msmnet"
        shallow, deep = models.get(f"{prefix}_5"), models.get(f"{prefix}_10")
        if not shallow or not deep:
            continue
        d_val, how_val = _compare(deep["best_val"], shallow["best_val"])
        d_train, how_train = _compare(deep["final_train"], shallow["final_train"])
        numbers = (f"best validation loss {mean_sd(deep['best_val'])} vs {mean_sd(shallow['best_val'])}, final training loss "
                   f"{mean_sd(deep['final_train'])} vs {mean_sd(shallow['final_train'])}")  # fmt: skip
        if (d_val > 0 and how_val == "clear") or (d_train > 0 and how_train == "clear"):
            what = "depth 10 degrades"
        elif (d_val > 0 or d_train > 0) and how_val == "single":
            what = "depth 10 is worse, but with one seed so far there is no spread to tell a clear degradation by"
        elif d_val > 0 or d_train > 0:
            what = "depth 10 is somewhat worse, within the seed spread (no clear degradation)"
        else:
            what = "depth 10 does not degrade"
        lines.append(f"Depth 10 vs 5 {kind} ({deep['label']} vs {shallow['label']}): {what}; {numbers}.")
    return lines


# -- report ------------------------------------------------------------------------------------


def plot_curves(models: dict[str, dict[str, Any]], path: Path, target: float | None) -> Path:
    """The chapter's Fig. 3: training and validation loss per epoch, mean ± 1 sd over seeds."""
    fig, axes = plt.subplots(2, 2, figsize=(12, 8), sharex=True)
    for row, depth in enumerate((5, 10)):
        for col, (field, name) in enumerate((("train", "training loss"), ("val", "validation loss"))):
            ax = axes[row, col]
            for model, colour in ((f"msmnet_{depth}", "tab:orange"), (f"msmrnet_{depth}", "tab:blue")):
                if model not in models:
                    continue
                curves = models[model][field]
                epochs = np.arange(1, curves.shape[1] + 1)
                mean = np.nanmean(curves, axis=0)
                sd = np.nanstd(curves, axis=0, ddof=1) if curves.shape[0] > 1 else np.zeros_like(mean)
                ax.plot(epochs, mean, "o-", color=colour, label=f"{models[model]['label']} ({curves.shape[0]} seeds)")
                ax.fill_between(epochs, mean - sd, mean + sd, color=colour, alpha=0.2)
            if field == "val" and target is not None:
                ax.axhline(target, color="grey", ls=":", label=f"target {target:.4f}")
            ax.set_title(f"depth {depth}: {name}")
            ax.set_ylabel("cross-entropy loss")
            ax.set_yscale("log")
            ax.grid(alpha=0.3)
            if ax.get_legend_handles_labels()[0]:  # a partial report may have no run of this depth yet
                ax.legend(fontsize=8)
    for ax in axes[1]:
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    fig.suptitle("MSMNet vs MSMRNet: loss per epoch (mean ± 1 sd over seeds)")
    return save_figure(fig, path)


def add_to_report(report: Report, summary: dict[str, Any], profile: Profile, figures: Path) -> None:
    models = summary["models"]
    report.heading("2. Validity of the identity mappings (MSMNet vs MSMRNet, depth 5 and 10)")
    if not models:
        report.paragraph("No validity runs were found.")
        return
    any_run = next(iter(models.values()))["runs"][0]
    s = any_run["settings"]
    report.paragraph(
        f"Task: {s['task']}. Identical for all four models: training rows ({any_run['rows']['train']:,}, validation "
        f"{any_run['rows']['validation']:,}), seeds ({', '.join(map(str, profile.validity_seeds))}), {s['epochs']} epochs with "
        f"early stopping off (full curves), Adam lr {s['lr']}, batch {s['batch_size']}, model options {s['options'] or 'defaults'}. "
        "Test metrics use the weights of each run's lowest-validation-loss epoch."
    )  # fmt: skip
    report.table(["model", "trainable layers", "parameter-free layers", "parameters"],
                 [[m["label"], m["counts"]["trainable_layers"], m["counts"]["parameter_free_layers"], f"{m['counts']['parameters']:,}"]
                  for m in models.values()])  # fmt: skip
    tests = list(any_run["test"])
    view = "multiclass" if s["task"] == "multiclass" else "binary"
    header = ["model", "final training loss", "best validation loss", "mean val. loss over epochs",
              f"epochs to val. loss ≤ {summary['target']:.4f}"] + [f"{t} accuracy" for t in tests]  # fmt: skip
    rows = []
    for m in models.values():
        accs = [mean_sd([r["test"][t][view]["accuracy"] for r in m["runs"]]) for t in tests]
        rows.append([m["label"], mean_sd(m["final_train"]), mean_sd(m["best_val"]), mean_sd(m["auc"]),
                     f"{mean_sd(m['epochs_to_target'], 1)} ({m['reached']}/{len(m['auc'])} reached)", *accs])  # fmt: skip
    report.table(header, rows)
    report.paragraph("Values are mean ± sample standard deviation over seeds. A seed that never reaches the target counts "
                     "as one epoch more than were run. Rules for the verdict: see the module docstring of "
                     "`msmrnet.experiments.validity` (a difference is clear when it exceeds the sum of the two seed sds).")  # fmt: skip
    report.paragraph("**Verdict.**" + (" (Indicative profile: few seeds and epochs on a subset.)" if profile.indicative else ""))
    report.bullets(summary["verdict"])
    report.figure(plot_curves(models, figures / "validity_loss_curves.png", summary["target"]),
                  "Training and validation loss per epoch, mean ± 1 sd over seeds (the chapter's Fig. 3)")
