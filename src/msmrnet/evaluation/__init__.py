"""Metrics, reports and figures for trained models."""

from msmrnet.evaluation.metrics import binary_metrics, multiclass_metrics
from msmrnet.evaluation.report import evaluate_table, metrics_markdown

__all__ = ["binary_metrics", "evaluate_table", "metrics_markdown", "multiclass_metrics"]
