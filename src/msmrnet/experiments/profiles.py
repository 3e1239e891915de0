"""Sizes of the reproduction: ``quick`` (indicative, about half an hour) and ``full`` (published).

Every value here was fixed before any test file was read; nothing in a profile was chosen by
looking at test results. What is chosen on validation data happens inside the runs: the epoch
whose weights are kept (lowest validation loss), the number of boosting iterations, and, when
``lr_grid`` holds several values, each network's learning rate (see :mod:`.comparison`).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any

from msmrnet.errors import ConfigError

#: (label, model) of the comparison: registered network names, or a tree kind of msmrnet.classical
COMPARISON_MODELS: tuple[tuple[str, str], ...] = (
    ("MSMRNet-5", "msmrnet_5"),
    ("MLP (DNN)", "mlp"),
    ("1-D CNN", "cnn1d"),
    ("LSTM", "lstm"),
    ("CNN-LSTM", "cnn_lstm"),
    ("BiLSTM-attention", "bilstm_attention"),
    ("TCN", "tcn"),
    ("Random forest", "random_forest"),
    ("Gradient-boosted trees", "gradient_boosting"),
)
#: the chapter's Fig. 3 pairs: (label, model, depth, residual)
VALIDITY_MODELS: tuple[tuple[str, str, int, bool], ...] = (
    ("MSMNet-5", "msmnet_5", 5, False),
    ("MSMRNet-5", "msmrnet_5", 5, True),
    ("MSMNet-10", "msmnet_10", 10, False),
    ("MSMRNet-10", "msmrnet_10", 10, True),
)
EXPERIMENTS = ("pca", "validity", "comparison")


@dataclass(frozen=True)
class Profile:
    name: str
    summary: str  # one line for the report
    indicative: bool  # True: reduced sizes; the report says its numbers are not the published ones
    # common
    batch_size: int = 256
    lr: float = 1e-3  # the project default (docs/ARCHITECTURE.md), used wherever no grid is searched
    val_fraction: float = 0.1
    # per model name, e.g. {"mlp": {"hidden": [64]}}; the key "msmrnet" applies to every MSMRNet/MSMNet preset,
    # so the four models of the validity experiment always share their sizes
    model_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    tree_estimators: int = 100  # random-forest trees; maximum boosting iterations
    # preprocessing views
    pca_sample: int = 10_000  # rows (fixed seed) for k-NN, silhouette and the scatter plots
    knn_k: int = 5
    # validity
    validity_task: str = "multiclass"
    validity_seeds: tuple[int, ...] = (0, 1, 2)
    validity_fraction: float = 1.0
    validity_epochs: int = 10
    validity_target: float | None = None  # validation loss for "epochs to reach"; None: see validity.py
    # comparison
    tasks: tuple[str, ...] = ("binary", "multiclass")
    seeds: tuple[int, ...] = (0, 1, 2)
    train_fraction: float = 1.0
    epochs: int = 10
    patience: int = 3
    models: tuple[str, ...] = tuple(m for _, m in COMPARISON_MODELS)
    lr_grid: tuple[float, ...] = (1e-3,)  # > 1 value: each network's lr is chosen on validation loss
    selection_fraction: float = 0.25
    selection_epochs: int = 4
    selection_seed: int = 0
    selection_task: str = "multiclass"

    def with_seeds(self, seeds: tuple[int, ...]) -> "Profile":
        """The same profile with other seeds for both the validity and the comparison runs (the
        summary line's seed count follows)."""
        if not seeds or any(s < 0 for s in seeds) or len(set(seeds)) != len(seeds):
            raise ConfigError(f"seeds must be distinct non-negative whole numbers, got {seeds}")
        count = f"{len(seeds)} seed{'s' if len(seeds) > 1 else ''} ({', '.join(map(str, seeds))})"
        summary = re.sub(r"\b\d+ seeds?\b", count, self.summary, count=1)
        return dataclasses.replace(self, seeds=tuple(seeds), validity_seeds=tuple(seeds), summary=summary)

    def with_sizes(self, epochs: int | None = None, train_fraction: float | None = None) -> "Profile":
        """The same profile with the comparison's epochs and/or training fraction changed (the
        validity experiment keeps its own); the summary line says what was changed."""
        if epochs is None and train_fraction is None:
            return self
        if epochs is not None and epochs < 1:
            raise ConfigError(f"epochs must be at least 1, got {epochs}")
        if train_fraction is not None and not 0 < train_fraction <= 1:
            raise ConfigError(f"the training fraction must be in (0, 1], got {train_fraction}")
        changes = {"epochs": epochs, "train_fraction": train_fraction}
        changes = {k: v for k, v in changes.items() if v is not None}
        said = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in changes.items())
        return dataclasses.replace(self, summary=f"{self.summary}; comparison changed on the command line: {said}", **changes)

    def options(self, model: str) -> dict[str, Any]:
        family = self.model_options.get("msmrnet", {}) if model.startswith(("msmrnet", "msmnet")) else {}
        return {**family, **self.model_options.get(model, {})}


PROFILES: dict[str, Profile] = {
    "quick": Profile(
        name="quick",
        summary=("a stratified 10% of the training file, 5 (validity) / 3 (comparison) epochs, 2 seeds, learning "
                 "rate fixed at 1e-3 (no search); sized for about 30 minutes on 2 CPU cores"),
        indicative=True,
        pca_sample=4_000,
        validity_seeds=(0, 1),
        validity_fraction=0.1,
        validity_epochs=5,
        seeds=(0, 1),
        train_fraction=0.1,
        epochs=3,
        patience=2,
    ),  # fmt: skip
    "full": Profile(
        name="full",
        summary=("the published configuration: the whole training file, up to 10 epochs (early stopping after 3 "
                 "without a lower validation loss), 3 seeds, learning rate chosen per network on validation loss"),
        indicative=False,
        pca_sample=10_000,
        lr_grid=(3e-4, 1e-3, 3e-3),
    ),  # fmt: skip
}


def get_profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise ConfigError(f"unknown profile {name!r}; choose from {', '.join(PROFILES)}") from None
