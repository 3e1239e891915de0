"""msmrnet: network traffic anomaly and attack detection with multi-scale memory residual networks."""

from __future__ import annotations

__version__ = "0.1.0"

from msmrnet.models import create_model, list_models  # noqa: E402

__all__ = ["__version__", "create_model", "list_models", "MSMRNetClassifier"]


def __getattr__(name: str):  # lazy: the estimator pulls in scikit-learn
    if name == "MSMRNetClassifier":
        from msmrnet.estimator import MSMRNetClassifier

        return MSMRNetClassifier
    raise AttributeError(name)
