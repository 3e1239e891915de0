"""Experiment 1: how well each preprocessing separates normal from attack traffic (PCA views).

The chapter shows 2-D PCA plots of the training data after (a) one-hot encoding only, (b)
one-hot + standardisation and (c) one-hot + min-max normalisation, and concludes that (c)
separates normal and abnormal records best. Pictures alone cannot settle that, so each view is
also measured on a fixed, seeded sample of rows, in the 2-D and 3-D PCA spaces:

- k-NN accuracy (k nearest neighbours, stratified 5-fold cross-validation): how often a
  record's neighbours in the view share its class; 1.0 means perfectly separated locally.
- silhouette score (normal vs attack as the two clusters, Euclidean): between -1 and 1,
  higher when the two classes form compact, distant groups.
- explained variance: the share of the total variance the 2 (3) components keep.

Both separation scores are unchanged by a uniform rescaling of the view, so views with very
different numeric ranges compare fairly. PCA and the preprocessing are fitted on the whole
training file (no model is trained here, and no test file is read).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.metrics import silhouette_score  # noqa: E402
from sklearn.model_selection import StratifiedKFold, cross_val_score  # noqa: E402
from sklearn.neighbors import KNeighborsClassifier  # noqa: E402

from msmrnet.data.datasets import NORMAL  # noqa: E402
from msmrnet.evaluation.plots import save_figure  # noqa: E402
from msmrnet.experiments.data import ExperimentData  # noqa: E402
from msmrnet.experiments.profiles import Profile  # noqa: E402
from msmrnet.experiments.report import Report  # noqa: E402
from msmrnet.experiments.runner import Task  # noqa: E402
from msmrnet.preprocessing import TabularPreprocessor  # noqa: E402

log = logging.getLogger(__name__)

KEY = "pca"
SAMPLE_SEED = 0
#: (label, scaling of TabularPreprocessor); the chapter's (a), (b), (c)
VIEWS = (("(a) one-hot only", "none"), ("(b) one-hot + standardisation", "standard"), ("(c) one-hot + min-max", "minmax"))
CLAIMED_BEST = "minmax"


def tasks(data: ExperimentData, profile: Profile) -> list[Task]:
    settings = {"experiment": "pca", "data": data.description, "rows": len(data.train), "sample": profile.pca_sample,
                "knn_k": profile.knn_k, "sample_seed": SAMPLE_SEED}  # fmt: skip
    # ~3 s per 10k sampled rows (k-NN and silhouette are quadratic-ish) plus the PCA fits
    estimate = 5 + 3 * (profile.pca_sample / 10_000) ** 2 + 2e-5 * len(data.train)
    return [Task(KEY, lambda: settings, lambda folder, s: run(data, s, folder), estimate)]


def run(data: ExperimentData, settings: dict[str, Any], folder: Path) -> dict[str, Any]:
    features = data.train.features
    is_attack = (data.train_labels("binary") != NORMAL).astype(int)  # the data set's own binary labels
    rng = np.random.default_rng(settings["sample_seed"])
    sample = np.sort(rng.choice(len(features), size=min(settings["sample"], len(features)), replace=False))
    y = is_attack[sample]
    cv = StratifiedKFold(5, shuffle=True, random_state=settings["sample_seed"])
    views, coords = [], {}
    for label, scaling in VIEWS:
        x = TabularPreprocessor(data.numeric, data.categorical, scaling).fit_transform(features).astype(np.float64)
        pca = PCA(n_components=3, random_state=0).fit(x)
        z = pca.transform(x[sample])
        coords[scaling] = z
        row: dict[str, Any] = {"view": label, "scaling": scaling}
        for d in (2, 3):
            knn = KNeighborsClassifier(settings["knn_k"])
            row[f"knn_accuracy_{d}d"] = float(cross_val_score(knn, z[:, :d], y, cv=cv).mean())
            row[f"silhouette_{d}d"] = float(silhouette_score(z[:, :d], y))
            row[f"explained_variance_{d}d"] = float(pca.explained_variance_ratio_[:d].sum())
        log.info("PCA %s: k-NN 2-D %.4f 3-D %.4f, silhouette 2-D %.3f", label, row["knn_accuracy_2d"],
                 row["knn_accuracy_3d"], row["silhouette_2d"])  # fmt: skip
        views.append(row)
    _scatter(coords, y, folder / "pca_2d.png", dims=2)
    _scatter(coords, y, folder / "pca_3d.png", dims=3)
    return {"views": views, "sample_rows": int(len(sample)), "sample_attack_share": float(y.mean()), "verdict": verdict(views)}


def _scatter(coords: dict[str, np.ndarray], y: np.ndarray, path: Path, dims: int) -> Path:
    kw = {"projection": "3d"} if dims == 3 else {}
    fig = plt.figure(figsize=(15, 4.8))
    for i, (label, scaling) in enumerate(VIEWS, start=1):
        ax = fig.add_subplot(1, 3, i, **kw)
        z = coords[scaling]
        for cls, name, colour in ((0, "normal", "tab:blue"), (1, "attack", "tab:red")):
            pts = z[y == cls]
            ax.scatter(*(pts[:, d] for d in range(dims)), s=3, alpha=0.35, c=colour, label=name, rasterized=True)
        ax.set_title(label, fontsize=10)
        ax.set_xlabel("PC1")
        ax.set_ylabel("PC2")
        if dims == 3:
            ax.set_zlabel("PC3")
        ax.legend(markerscale=4, fontsize=8, loc="best")
    fig.suptitle(f"PCA of the training data, {dims}-D, normal vs attack ({len(y):,} sampled rows)")
    return save_figure(fig, path)


def verdict(views: list[dict[str, Any]]) -> str:
    """Does min-max separate best? Answered per measure (with the numbers), then overall."""
    measures = (("knn_accuracy_2d", "2-D k-NN accuracy"), ("knn_accuracy_3d", "3-D k-NN accuracy"),
                ("silhouette_2d", "2-D silhouette"), ("silhouette_3d", "3-D silhouette"))  # fmt: skip
    claimed = next(v for v in views if v["scaling"] == CLAIMED_BEST)
    held, lost = [], []
    for key, name in measures:
        rival = max((v for v in views if v["scaling"] != CLAIMED_BEST), key=lambda v: v[key])
        mine, theirs = claimed[key], rival[key]
        if mine >= theirs - 1e-9:  # a tie counts for the claim: nothing separates better
            held.append(f"{name} {mine:.3f} vs {theirs:.3f} for {rival['view']}")
        else:
            lost.append(f"{name}, where {rival['view']} is better ({theirs:.3f} vs {mine:.3f})")
    if not lost:
        return "The chapter's claim holds on these numbers: one-hot + min-max separates normal from attack at least as well as the other views by every measure (" + "; ".join(held) + ")."
    if not held:
        return "The chapter's claim does not hold on these numbers: one-hot + min-max is not the best view by any measure: " + "; ".join(lost) + "."
    return ("The chapter's claim holds only in part: one-hot + min-max is at least as good as the other views by "
            + "; ".join(held) + "; but not by " + "; ".join(lost) + ".")  # fmt: skip


def add_to_report(report: Report, result: dict[str, Any], figures: Path) -> None:
    report.heading("1. Preprocessing views (PCA)")
    report.paragraph(
        f"PCA of the whole training table after each preprocessing (fitted on it), then measured on a fixed sample of "
        f"{result['sample_rows']:,} rows (seed {result['settings']['sample_seed']}; {result['sample_attack_share']:.1%} attacks). "
        f"k-NN: k = {result['settings']['knn_k']}, stratified 5-fold cross-validated accuracy. Silhouette: normal and attack as "
        "the two clusters. Both are invariant to a uniform rescaling, so the views compare fairly."
    )  # fmt: skip
    header = ["view", "k-NN acc. 2-D", "k-NN acc. 3-D", "silhouette 2-D", "silhouette 3-D", "expl. var. 2-D", "expl. var. 3-D"]
    rows = [[v["view"], f"{v['knn_accuracy_2d']:.4f}", f"{v['knn_accuracy_3d']:.4f}", f"{v['silhouette_2d']:.3f}",
             f"{v['silhouette_3d']:.3f}", f"{v['explained_variance_2d']:.1%}", f"{v['explained_variance_3d']:.1%}"]
            for v in result["views"]]  # fmt: skip
    report.table(header, rows)
    report.paragraph("**Verdict.** " + result["verdict"])
    for dims in (2, 3):
        report.figure(figures / f"pca_{dims}d.png", f"PCA {dims}-D views of the training data, normal (blue) vs attack (red)")
