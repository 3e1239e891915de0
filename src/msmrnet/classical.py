"""Classical baselines (random forest, gradient-boosted trees) behind the estimator contract.

:class:`TreeClassifier` shares :class:`msmrnet.estimator.FlowClassifierMixin` with
:class:`msmrnet.estimator.MSMRNetClassifier`: the same label handling, the same stratified
validation split (same seed, same rows) and the same preprocessing fitted on the training part
only, so the experiments treat every model alike (``fit`` / ``predict`` / ``predict_proba`` /
``anomaly_score``, and ``evaluate_table`` works unchanged). Trees do not need scaling, but using
the same preprocessed matrix keeps the comparison about the learner alone.

The validation part is used as it is for the networks: gradient boosting stops adding trees when
the validation loss stops improving (its choice of the number of iterations); the random forest
has nothing to select and only reports its validation scores. Tree models are not saved
(that would need pickle, which this project never uses).
"""

from __future__ import annotations

import logging
import time
from typing import Any, Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.metrics import f1_score, log_loss

from msmrnet.estimator import FlowClassifierMixin

log = logging.getLogger(__name__)

KINDS = ("random_forest", "gradient_boosting")


class TreeClassifier(FlowClassifierMixin, ClassifierMixin, BaseEstimator):
    """Random forest or histogram gradient boosting (scikit-learn) on the preprocessed features.

    ``n_estimators``: trees of the forest, or the maximum boosting iterations (early stopping on
    the validation split picks fewer). ``n_jobs`` defaults to 1 so that timings compare with
    single-threaded network training.
    """

    def __init__(
        self,
        kind: str = "random_forest",
        n_estimators: int = 100,
        max_leaf_nodes: int | None = None,
        scaling: str = "minmax",
        numeric: Sequence[str] | None = None,
        categorical: Sequence[str] | None = None,
        classes: Sequence[str] | None = None,
        normal_label: str = "normal",
        val_fraction: float = 0.1,
        seed: int = 0,
        n_jobs: int = 1,
    ) -> None:
        self.kind = kind
        self.n_estimators = n_estimators
        self.max_leaf_nodes = max_leaf_nodes
        self.scaling = scaling
        self.numeric = numeric
        self.categorical = categorical
        self.classes = classes
        self.normal_label = normal_label
        self.val_fraction = val_fraction
        self.seed = seed
        self.n_jobs = n_jobs

    def fit(self, X: pd.DataFrame, y: Sequence[Any]) -> "TreeClassifier":
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")
        x_train, y_train, x_val, y_val = self._prepare(X, y)
        t0 = time.perf_counter()
        if self.kind == "random_forest":
            self.model_ = RandomForestClassifier(
                n_estimators=self.n_estimators, max_leaf_nodes=self.max_leaf_nodes, n_jobs=self.n_jobs, random_state=self.seed
            ).fit(x_train, y_train)
        else:
            # early stopping on our validation split (not an internal one), as for the networks
            self.model_ = HistGradientBoostingClassifier(
                max_iter=self.n_estimators, max_leaf_nodes=self.max_leaf_nodes or 31, early_stopping=True,
                n_iter_no_change=10, random_state=self.seed,
            ).fit(x_train, y_train, X_val=x_val, y_val=y_val)  # fmt: skip
        seconds = time.perf_counter() - t0
        proba = self.predict_proba_features(x_val)
        labels = list(range(len(self.classes_)))
        val_loss = float(log_loss(y_val, np.clip(proba, 1e-7, 1.0), labels=labels))
        pred = proba.argmax(axis=1)
        # the same per-epoch record the networks write, as one "epoch", so reports read both alike
        self.history_ = [{
            "epoch": 1, "train_loss": None, "train_accuracy": None, "val_loss": val_loss,
            "val_accuracy": float((pred == y_val).mean()),
            "val_macro_f1": float(f1_score(y_val, pred, average="macro", zero_division=0)),
            "seconds": round(seconds, 2), "best": True,
        }]  # fmt: skip
        self.best_epoch_ = 1
        iterations = getattr(self.model_, "n_iter_", self.n_estimators)
        log.info("%s: %d trees/iterations in %.1fs; validation loss %.4f, accuracy %.4f",
                 self.kind, iterations, seconds, val_loss, self.history_[0]["val_accuracy"])  # fmt: skip
        return self

    def predict_proba_features(self, features: np.ndarray) -> np.ndarray:
        """Class probabilities in the order of ``classes_``; classes absent from training get 0."""
        proba = self.model_.predict_proba(features)
        out = np.zeros((len(features), len(self.classes_)), dtype=np.float32)
        out[:, self.model_.classes_] = proba
        return out
