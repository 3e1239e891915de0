"""Model registry and the models it holds."""

from msmrnet.models import baselines as _baselines  # noqa: F401  (registers the baselines)
from msmrnet.models import msmrnet as _msmrnet  # noqa: F401  (registers the models)
from msmrnet.models.counting import count_layers
from msmrnet.models.msmrnet import MSMRNet, MSMRNetConfig, layer_counts
from msmrnet.models.registry import create_model, list_models, make_config, model_entry, register_model

__all__ = [
    "MSMRNet", "MSMRNetConfig", "count_layers", "create_model", "layer_counts", "list_models", "make_config",
    "model_entry", "register_model",
]  # fmt: skip
