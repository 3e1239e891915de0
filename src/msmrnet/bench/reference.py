"""The yardstick: MSMRNet written the plain way, as a paper's code would be.

Straightforward eager PyTorch: convolution branches on (batch, channels, F), concatenation, an
``nn.LSTM`` over the transposed sequence, the identity added. It has exactly the parameter names
of :class:`msmrnet.models.msmrnet.MSMRNet`, so the same state dict loads into both and the
benchmark compares the two implementations on the same weights.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from msmrnet.models.msmrnet import MSMRNetConfig


class ReferenceModule(nn.Module):
    def __init__(self, in_channels: int, width: int, hidden: int, kernel_sizes: tuple[int, ...], residual: bool):
        super().__init__()
        self.branches = nn.ModuleList(nn.Conv1d(in_channels, width, k, padding=k // 2) for k in kernel_sizes)
        self.lstm = nn.LSTM(width * len(kernel_sizes), hidden, batch_first=True)
        self.residual = residual

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (batch, channels, F)
        h = torch.cat([branch(x) for branch in self.branches], dim=1)
        h, _ = self.lstm(h.transpose(1, 2))
        h = h.transpose(1, 2)
        if self.residual:
            h = h + x
        return F.relu(h)


class ReferenceMSMRNet(nn.Module):
    def __init__(self, cfg: MSMRNetConfig):
        super().__init__()
        self.blocks = nn.ModuleList(
            ReferenceModule(1 if i == 0 else cfg.hidden, cfg.width, cfg.hidden, cfg.kernel_sizes, cfg.residual)
            for i in range(cfg.depth)
        )
        self.dropout = nn.Dropout(cfg.dropout)
        self.head = nn.Linear(cfg.hidden * cfg.in_features, cfg.num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x.unsqueeze(1)
        for block in self.blocks:
            h = block(h)
        return self.head(self.dropout(h.flatten(1)))
