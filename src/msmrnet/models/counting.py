"""Layer and parameter counts for any registered model, in the chapter's terms."""

from __future__ import annotations

from torch import nn

from msmrnet.models.msmrnet import layer_counts


def count_layers(model: nn.Module) -> dict[str, int]:
    """Trainable layers, parameter-free layers and trainable parameters of ``model``.

    Trainable layers and parameters follow :func:`msmrnet.models.msmrnet.layer_counts` (every
    convolution, LSTM and fully connected layer counts once); a model that declares its own
    ``parameter_free_layers`` (the baselines do) overrides MSMRNet's per-module rule.
    """
    counts = layer_counts(model)
    declared = getattr(model, "parameter_free_layers", None)
    if isinstance(declared, int):
        counts["parameter_free_layers"] = declared
    return counts
