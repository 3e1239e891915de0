"""Scoring many flows fast: the one code path the estimator, detection and the benchmark share.

A large batch is cut into micro-batches: the time-major activations of a few dozen flows
(F x rows x channels, plus the folded input windows) fit in the CPU caches, while 4,096 flows
at once spill to memory and run at under half the speed.
"""

from __future__ import annotations

import torch
from torch import nn

MICRO_BATCH = 64  # chosen with `msmrnet bench --micro-batch ...`; see docs/PERFORMANCE.md


@torch.inference_mode()
def predict_logits(model: nn.Module, x: torch.Tensor, micro_batch: int = MICRO_BATCH) -> torch.Tensor:
    """Logits for ``x`` (rows x F), computed ``micro_batch`` rows at a time, in eval mode."""
    if micro_batch < 1:
        raise ValueError(f"micro_batch must be positive, got {micro_batch}")
    was_training = model.training
    model.eval()
    # Each micro-batch's logits are copied into one preallocated output and freed at once: kept
    # as a list of small tensors, they sit between the MB-sized buffers the next forward pass
    # frees, so the allocator cannot reuse or return that memory (resident memory climbed by
    # hundreds of MB within one call; docs/PERFORMANCE.md).
    out = x.new_empty((len(x), model.config.num_classes))  # every model has a config
    try:
        for i in range(0, len(x), micro_batch):
            out[i : i + micro_batch] = model(x[i : i + micro_batch])
    finally:
        model.train(was_training)
    return out
