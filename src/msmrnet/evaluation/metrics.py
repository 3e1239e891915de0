"""Binary and multi-class metrics (scikit-learn underneath), as plain JSON-ready dicts."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
    roc_auc_score,
    roc_curve,
)


def binary_metrics(is_attack: np.ndarray, predicted_attack: np.ndarray, attack_score: np.ndarray | None = None) -> dict[str, Any]:
    """Normal-vs-attack metrics; attack is the positive class.

    The false-alarm rate is the share of normal flows flagged as attacks: FP / (FP + TN).
    """
    t = np.asarray(is_attack, dtype=bool)
    p = np.asarray(predicted_attack, dtype=bool)
    tn, fp, fn, tp = confusion_matrix(t, p, labels=[False, True]).ravel()
    out: dict[str, Any] = {
        "accuracy": float(accuracy_score(t, p)),
        "precision": float(tp / (tp + fp)) if tp + fp else 0.0,
        "recall": float(tp / (tp + fn)) if tp + fn else 0.0,
        "f1": float(f1_score(t, p, zero_division=0)),
        "false_alarm_rate": float(fp / (fp + tn)) if fp + tn else 0.0,
        "roc_auc": None,
        "confusion_matrix": {"labels": ["normal", "attack"], "matrix": [[int(tn), int(fp)], [int(fn), int(tp)]]},
        "support": {"normal": int(tn + fp), "attack": int(fn + tp)},
    }
    if attack_score is not None and 0 < t.sum() < len(t):
        out["roc_auc"] = float(roc_auc_score(t, attack_score))
    return out


def multiclass_metrics(y_true: Sequence[str], y_pred: Sequence[str], classes: Sequence[str]) -> dict[str, Any]:
    """Per-class precision/recall/F1, macro and weighted F1, accuracy, confusion matrix."""
    labels = list(classes)
    prec, rec, f1, support = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    return {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)),
        "weighted_f1": float(f1_score(y_true, y_pred, labels=labels, average="weighted", zero_division=0)),
        "per_class": {
            c: {"precision": float(prec[i]), "recall": float(rec[i]), "f1": float(f1[i]), "support": int(support[i])}
            for i, c in enumerate(labels)
        },
        "confusion_matrix": {"labels": labels, "matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist()},
    }


def balanced_threshold(is_attack: np.ndarray, attack_score: np.ndarray) -> dict[str, float]:
    """The attack-score threshold with the highest balanced accuracy, (TPR + TNR) / 2.

    Balanced, so the answer does not depend on how many normal and attack rows the validation
    set happens to hold. Ties go to the threshold nearest 0.5 (the plain argmax rule).
    """
    t = np.asarray(is_attack, dtype=bool)
    if t.all() or not t.any():
        raise ValueError("choosing a threshold needs both normal and attack rows")
    fpr, tpr, thresholds = roc_curve(t, attack_score)
    finite = np.isfinite(thresholds)  # the first threshold is +inf (nothing flagged)
    fpr, tpr, thresholds = fpr[finite], tpr[finite], thresholds[finite]
    balanced = (tpr + 1 - fpr) / 2
    best = np.flatnonzero(balanced == balanced.max())
    i = best[np.argmin(np.abs(thresholds[best] - 0.5))]
    at_half = attack_score >= 0.5
    return {"threshold": float(thresholds[i]), "balanced_accuracy": float(balanced[i]), "tpr": float(tpr[i]),
            "tnr": float(1 - fpr[i]), "balanced_accuracy_at_0.5": float((at_half[t].mean() + (~at_half[~t]).mean()) / 2)}  # fmt: skip
