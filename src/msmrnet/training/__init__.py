"""Training: the loop, checkpoints, experiment configuration and the run pipeline."""

from msmrnet.training.trainer import Trainer, TrainConfig, TrainResult

__all__ = ["TrainConfig", "TrainResult", "Trainer"]
