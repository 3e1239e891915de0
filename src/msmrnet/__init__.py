"""msmrnet: network traffic anomaly and attack detection with multi-scale memory residual networks."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "create_model", "list_models", "MSMRNetClassifier"]


def __getattr__(name: str):
    # Lazy, so that `msmrnet --help` answers without importing PyTorch and scikit-learn.
    if name == "MSMRNetClassifier":
        from msmrnet.estimator import MSMRNetClassifier

        return MSMRNetClassifier
    if name in ("create_model", "list_models"):
        from msmrnet import models

        return getattr(models, name)
    raise AttributeError(f"module 'msmrnet' has no attribute {name!r}")
