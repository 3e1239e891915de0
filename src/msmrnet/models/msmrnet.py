"""MSMRNet and MSMNet: stacked multi-scale memory modules, with or without identity mappings.

A flow's preprocessed feature vector (length F, 122 for NSL-KDD) is read as a one-channel
sequence along the feature axis. Each module applies parallel 1-D convolutions with different
kernel sizes (the "multi-scale" part: local patterns of 1, 3, 5 neighbouring features), feeds
their concatenation to an LSTM that runs along the feature axis (the "memory" part: context from
all earlier features), and, in the residual version, adds the module's input back:

    X_{l+1} = act(LSTM(concat(conv_k1(X_l), conv_k2(X_l), conv_k3(X_l))) + X_l)

The output has the input's shape (channels x F), so modules stack to any depth. After the last
module: flatten, one fully connected layer, and (in the loss) softmax over the classes.

Layer counting, matching the chapter's "MSMRNet-5: 20 trainable + 10 parameter-free + 1 FC":
per module, 3 convolution branches + 1 LSTM = 4 trainable layers, and concatenation + the
residual addition (with its activation) = 2 parameter-free layers. No stem layer is needed:
the first module's input has one channel, and its identity mapping broadcasts that channel over
the module's ``hidden`` channels (still parameter-free).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from msmrnet.models import kernels
from msmrnet.models.registry import register_model


@dataclass(frozen=True)
class MSMRNetConfig:
    in_features: int = 122
    num_classes: int = 2
    depth: int = 5  # number of stacked modules
    width: int = 16  # output channels of each convolution branch
    hidden: int = 16  # LSTM hidden size = channels between modules (the residual stream)
    kernel_sizes: tuple[int, ...] = (1, 3, 5)
    residual: bool = True  # identity mappings: MSMRNet when True, MSMNet when False
    dropout: float = 0.0  # before the fully connected layer

    def __post_init__(self) -> None:
        if self.depth < 1 or self.width < 1 or self.hidden < 1 or self.in_features < 1:
            raise ValueError("depth, width, hidden and in_features must be positive")
        if not self.kernel_sizes or any(k < 1 or k % 2 == 0 for k in self.kernel_sizes):
            raise ValueError(f"kernel_sizes must be odd and positive, got {self.kernel_sizes}")
        if self.num_classes < 2:
            raise ValueError("num_classes must be at least 2")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")


class MultiScaleMemoryModule(nn.Module):
    """Parallel convolutions of several kernel sizes -> LSTM along the feature axis (+ identity).

    Works on time-major tensors, (F, batch, channels): the LSTM steps along F, so each step's
    slice is contiguous and no transposes are needed between modules.
    """

    def __init__(self, in_channels: int, width: int, hidden: int, kernel_sizes: tuple[int, ...], residual: bool):
        super().__init__()
        # The parameters are those of the plain formulation (conv branches, then an LSTM), so a
        # checkpoint reads as the chapter's layers; `forward` computes the same function faster.
        # 'same' padding keeps the sequence length F, so the output can be added to the input.
        self.branches = nn.ModuleList(
            nn.Conv1d(in_channels, width, k, padding=k // 2) for k in kernel_sizes
        )
        self.lstm = nn.LSTM(width * len(kernel_sizes), hidden)
        self.residual = residual
        self.span = max(kernel_sizes)  # the widest window any branch reads
        self.use_fused_kernel = True  # False for ONNX export, which needs the standard LSTM op
        self._fused_cache: tuple | None = None
        if residual and in_channels not in (1, hidden):
            raise ValueError("identity mapping needs in_channels == hidden (or 1, broadcast)")

    def fused_input_weights(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The convolutions and the LSTM's input projection folded into one linear map.

        Both are linear, so ``W_ih @ concat(conv_k(x))`` is one matrix applied to the window of
        ``span`` neighbouring positions: shape (4*hidden, span*in_channels), position-major.
        Folding removes the concatenated branch outputs (the largest tensor of the plain
        version) and lets the LSTM kernel do the input GEMM for all positions at once, at the
        same FLOP count. Autograd flows through the fold, so training updates the original
        parameters.
        """
        lstm, half = self.lstm, self.span // 2
        c_in = self.branches[0].in_channels
        taps = lstm.weight_ih_l0.new_zeros(lstm.weight_ih_l0.shape[0], self.span, c_in)
        bias = lstm.bias_ih_l0
        for a, conv in zip(lstm.weight_ih_l0.split(self.branches[0].out_channels, dim=1), self.branches):
            k = conv.kernel_size[0]
            # conv tap i reads x[t + i - k//2], which is slot i - k//2 + half of the window
            start = half - k // 2
            taps[:, start : start + k] += torch.einsum("ow,wci->oic", a, conv.weight)
            bias = bias + a @ conv.bias
        return taps.reshape(taps.shape[0], -1), bias

    def _input_weights(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The folded weights; when scoring, reused until a parameter changes (tracked by version)."""
        if torch.is_grad_enabled():
            return self.fused_input_weights()
        key = tuple((p.data_ptr(), p._version) for p in self.parameters())
        if self._fused_cache is None or self._fused_cache[0] != key:
            self._fused_cache = (key, self.fused_input_weights())
        return self._fused_cache[1]

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # x: (F, batch, channels)
        w_ih, b_ih = self._input_weights()
        half = self.span // 2
        padded = F.pad(x, (0, 0, 0, 0, half, half))
        # windows[t] = concat(x[t - half], ..., x[t + half]): (F, batch, span * channels)
        windows = torch.cat([padded[s : s + x.shape[0]] for s in range(self.span)], dim=2)
        if self.use_fused_kernel and kernels.fused_recurrence() is not None:
            # input projections of all positions in one GEMM, then the fused recurrence
            gx = torch.mm(windows.flatten(0, 1), w_ih.t()).view(x.shape[0], x.shape[1], -1)
            h = kernels.lstm_recurrence(gx, b_ih + self.lstm.bias_hh_l0, self.lstm.weight_hh_l0)
        else:  # torch.lstm is what nn.LSTM calls; called directly it takes the folded weights
            zeros = x.new_zeros(1, x.shape[1], self.lstm.hidden_size)
            params = [w_ih, self.lstm.weight_hh_l0, b_ih, self.lstm.bias_hh_l0]
            h = torch.lstm(windows, (zeros, zeros), params, True, 1, 0.0, self.training, False, False)[0]
        if self.residual:
            h = h + x  # a one-channel input broadcasts over the hidden channels
        return F.relu(h)


class MSMRNet(nn.Module):
    def __init__(self, cfg: MSMRNetConfig):
        super().__init__()
        self.config = cfg
        self.blocks = nn.ModuleList(
            MultiScaleMemoryModule(1 if i == 0 else cfg.hidden, cfg.width, cfg.hidden, cfg.kernel_sizes, cfg.residual)
            for i in range(cfg.depth)
        )
        self.dropout = nn.Dropout(cfg.dropout)
        self.head = nn.Linear(cfg.hidden * cfg.in_features, cfg.num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x``: (batch, F) preprocessed features -> (batch, classes) logits."""
        h = x.t().unsqueeze(2)  # time-major: (F, batch, 1 channel)
        for block in self.blocks:
            h = block(h)
        # flatten channel-major, (batch, hidden * F), as the chapter's (channels x F) feature map
        return self.head(self.dropout(h.permute(1, 2, 0).flatten(1)))


def layer_counts(model: nn.Module) -> dict[str, int]:
    """Trainable layers, parameter-free layers and parameters, counted as in the chapter."""
    trainable = sum(1 for m in model.modules() if isinstance(m, (nn.Conv1d, nn.LSTM, nn.Linear)))
    blocks = [m for m in model.modules() if isinstance(m, MultiScaleMemoryModule)]
    # concatenation + (addition and activation, or activation alone) per module
    parameter_free = 2 * len(blocks)
    params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return {"trainable_layers": trainable, "parameter_free_layers": parameter_free, "parameters": params}


def _build(cfg: MSMRNetConfig) -> MSMRNet:
    return MSMRNet(cfg)


for _depth in (5, 10):
    register_model(f"msmrnet_{_depth}", MSMRNetConfig, f"MSMRNet-{_depth}: {_depth} residual modules",
                   depth=_depth, residual=True)(_build)  # fmt: skip
    register_model(f"msmnet_{_depth}", MSMRNetConfig, f"MSMNet-{_depth}: {_depth} modules, no identity mappings",
                   depth=_depth, residual=False)(_build)  # fmt: skip
register_model("msmrnet", MSMRNetConfig, "MSMRNet, any depth (default 5)", residual=True)(_build)
register_model("msmnet", MSMRNetConfig, "MSMNet, any depth (default 5), no identity mappings", residual=False)(_build)
