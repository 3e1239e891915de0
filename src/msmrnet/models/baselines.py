"""Deep-learning baselines from the network-intrusion literature, in the MSMRNet framework.

Every model here has MSMRNet's contract: ``forward((batch, F) preprocessed features) ->
(batch, classes) logits``, a frozen config dataclass with ``in_features`` and ``num_classes``,
and a registered name, so ``MSMRNetClassifier(model="lstm")`` trains it with exactly the same
preprocessing, validation split, optimiser and early stopping as MSMRNet.

Like MSMRNet, the sequence models read a flow's feature vector as a one-channel sequence along
the feature axis; what differs is the body (and, for attention and TCN, how the sequence is
pooled). Sizes are chosen so that one epoch costs about as much as MSMRNet-5 or less on a CPU
(see ``docs/ARCHITECTURE.md``); they were not tuned on any test set.

``parameter_free_layers`` (an attribute of each model) counts the layers without weights in
the chapter's sense (activations, pooling, concatenation, addition, attention pooling);
dropout is not counted, as it is the identity at inference. See :func:`count_layers`.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from msmrnet.models.registry import register_model


def _check(in_features: int, num_classes: int, dropout: float, sizes: tuple[int, ...]) -> None:
    if in_features < 1 or any(s < 1 for s in sizes):
        raise ValueError("in_features and every layer size must be positive")
    if num_classes < 2:
        raise ValueError("num_classes must be at least 2")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")


# -- MLP (the "DNN" of many NSL-KDD papers) ---------------------------------------------------


@dataclass(frozen=True)
class MLPConfig:
    in_features: int = 122
    num_classes: int = 2
    hidden: tuple[int, ...] = (256, 128)  # one fully connected layer per entry
    dropout: float = 0.1

    def __post_init__(self) -> None:
        _check(self.in_features, self.num_classes, self.dropout, self.hidden)


class MLP(nn.Module):
    """Fully connected layers with ReLU: the whole feature vector at once, no notion of order."""

    def __init__(self, cfg: MLPConfig):
        super().__init__()
        self.config = cfg
        layers: list[nn.Module] = []
        width = cfg.in_features
        for h in cfg.hidden:
            layers += [nn.Linear(width, h), nn.ReLU(), nn.Dropout(cfg.dropout)]
            width = h
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(width, cfg.num_classes)
        self.parameter_free_layers = len(cfg.hidden)  # one ReLU per hidden layer

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x))


# -- 1-D CNN ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CNN1DConfig:
    in_features: int = 122
    num_classes: int = 2
    channels: tuple[int, ...] = (32, 64)  # one conv + ReLU + max-pool(2) stage per entry
    kernel_size: int = 3
    dropout: float = 0.1

    def __post_init__(self) -> None:
        _check(self.in_features, self.num_classes, self.dropout, self.channels + (self.kernel_size,))
        if self.kernel_size % 2 == 0:
            raise ValueError("kernel_size must be odd ('same' padding)")


class CNN1D(nn.Module):
    """Stacked convolutions along the feature axis; pooling halves the length at each stage."""

    def __init__(self, cfg: CNN1DConfig):
        super().__init__()
        self.config = cfg
        stages: list[nn.Module] = []
        c_in, length = 1, cfg.in_features
        for c in cfg.channels:
            # ceil_mode keeps the last odd feature instead of silently dropping it
            stages += [nn.Conv1d(c_in, c, cfg.kernel_size, padding=cfg.kernel_size // 2), nn.ReLU(),
                       nn.MaxPool1d(2, ceil_mode=True)]  # fmt: skip
            c_in, length = c, (length + 1) // 2
        self.body = nn.Sequential(*stages)
        self.dropout = nn.Dropout(cfg.dropout)
        self.head = nn.Linear(c_in * length, cfg.num_classes)
        self.parameter_free_layers = 2 * len(cfg.channels)  # ReLU + max-pool per stage

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.body(x.unsqueeze(1))  # (batch, 1, F) -> (batch, channels, ~F / 2^stages)
        return self.head(self.dropout(h.flatten(1)))


# -- LSTM -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LSTMConfig:
    in_features: int = 122
    num_classes: int = 2
    hidden: int = 32
    dropout: float = 0.1

    def __post_init__(self) -> None:
        _check(self.in_features, self.num_classes, self.dropout, (self.hidden,))


class LSTMNet(nn.Module):
    """One LSTM along the feature axis, then MSMRNet's head (flatten + one fully connected layer).

    The same head as MSMRNet, so the comparison isolates the body: no convolutions, one layer.
    """

    def __init__(self, cfg: LSTMConfig):
        super().__init__()
        self.config = cfg
        self.lstm = nn.LSTM(1, cfg.hidden, batch_first=True)
        self.dropout = nn.Dropout(cfg.dropout)
        self.head = nn.Linear(cfg.hidden * cfg.in_features, cfg.num_classes)
        self.parameter_free_layers = 0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, _ = self.lstm(x.unsqueeze(-1))  # (batch, F, 1) -> (batch, F, hidden)
        return self.head(self.dropout(h.flatten(1)))


# -- CNN-LSTM (single scale, no identity mappings) --------------------------------------------


@dataclass(frozen=True)
class CNNLSTMConfig:
    in_features: int = 122
    num_classes: int = 2
    channels: int = 32
    kernel_size: int = 3
    hidden: int = 32
    dropout: float = 0.1

    def __post_init__(self) -> None:
        _check(self.in_features, self.num_classes, self.dropout, (self.channels, self.hidden, self.kernel_size))
        if self.kernel_size % 2 == 0:
            raise ValueError("kernel_size must be odd ('same' padding)")


class CNNLSTM(nn.Module):
    """One convolution (one kernel size) -> max-pool -> LSTM -> flatten -> fully connected.

    MSMRNet's ingredients without what the chapter adds: no parallel kernel sizes, no stack
    of modules, no identity mapping. The pooling halves the LSTM's sequence (as in the usual
    CNN-LSTM intrusion detectors), which also halves its cost.
    """

    def __init__(self, cfg: CNNLSTMConfig):
        super().__init__()
        self.config = cfg
        self.conv = nn.Conv1d(1, cfg.channels, cfg.kernel_size, padding=cfg.kernel_size // 2)
        self.pool = nn.MaxPool1d(2, ceil_mode=True)
        self.lstm = nn.LSTM(cfg.channels, cfg.hidden, batch_first=True)
        self.dropout = nn.Dropout(cfg.dropout)
        self.head = nn.Linear(cfg.hidden * ((cfg.in_features + 1) // 2), cfg.num_classes)
        self.parameter_free_layers = 2  # ReLU + max-pool

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.pool(F.relu(self.conv(x.unsqueeze(1))))  # (batch, channels, F/2)
        h, _ = self.lstm(h.transpose(1, 2))  # LSTM wants (batch, length, channels)
        return self.head(self.dropout(h.flatten(1)))


# -- BiLSTM with attention --------------------------------------------------------------------


@dataclass(frozen=True)
class BiLSTMAttentionConfig:
    in_features: int = 122
    num_classes: int = 2
    hidden: int = 32  # per direction
    attention: int = 32  # size of the additive-attention projection
    embed: int = 8  # size of each feature's token (value x its own weights + its own bias)
    dropout: float = 0.1

    def __post_init__(self) -> None:
        _check(self.in_features, self.num_classes, self.dropout, (self.hidden, self.attention, self.embed))


class BiLSTMAttention(nn.Module):
    """Feature tokens, a bidirectional LSTM along them, additive attention pooling, fully connected.

    Attention (Bahdanau-style: score_t = v . tanh(W h_t)) learns which feature positions matter
    for a flow and averages the LSTM states with those weights, instead of flattening them.
    Two additions make it trainable in a few epochs. Each feature becomes a token of its own
    (value * w_t + b_t, as the feature tokenizers of tabular transformers): the pooled state no
    longer knows positions, and fed raw scalars the LSTM had to count its way to sparse one-hot
    positions. The pooled state is layer-normalised: an average of 122 states varies little from
    flow to flow at the start. Without them (NSL-KDD, 25 % of KDDTrain+, 5 classes, 4 epochs) it
    sat at the majority class (53.5 % validation accuracy) for 4 epochs at lr 3e-4 and 1e-3 and
    for 2 at 3e-3 (the version before commit ae65325); with them lr 3e-3 reached 0.138 validation
    loss, 95.5 % accuracy (the full profile's selection run, docs/results/reproduce-full-nsl-kdd/
    comparison/selection/bilstm_attention/lr0.003/result.json).
    """

    def __init__(self, cfg: BiLSTMAttentionConfig):
        super().__init__()
        self.config = cfg
        # (F, embed): Linear(1, embed) with its own parameters per feature; the random bias also
        # tells the LSTM which feature it reads where the value is 0 (most one-hot columns)
        self.token_weight = nn.Parameter(torch.randn(cfg.in_features, cfg.embed) / cfg.embed**0.5)
        self.token_bias = nn.Parameter(torch.randn(cfg.in_features, cfg.embed) / cfg.embed**0.5)
        self.lstm = nn.LSTM(cfg.embed, cfg.hidden, batch_first=True, bidirectional=True)
        self.proj = nn.Linear(2 * cfg.hidden, cfg.attention)
        self.score = nn.Linear(cfg.attention, 1, bias=False)
        self.norm = nn.LayerNorm(2 * cfg.hidden)
        self.dropout = nn.Dropout(cfg.dropout)
        self.head = nn.Linear(2 * cfg.hidden, cfg.num_classes)
        self.parameter_free_layers = 2  # softmax over positions + weighted sum

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        tokens = x.unsqueeze(-1) * self.token_weight + self.token_bias  # (batch, F, embed)
        h, _ = self.lstm(tokens)  # (batch, F, 2 * hidden)
        weights = torch.softmax(self.score(torch.tanh(self.proj(h))), dim=1)  # (batch, F, 1)
        pooled = self.norm((weights * h).sum(dim=1))
        return self.head(self.dropout(pooled))


# -- TCN --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TCNConfig:
    in_features: int = 122
    num_classes: int = 2
    channels: int = 16  # 16, not 32: dilated convolutions are slow on CPU (32 costs ~2.5x)
    kernel_size: int = 3
    dilations: tuple[int, ...] = (1, 2, 4, 8, 16)  # receptive field 1 + 2*(k-1)*sum(d) = 125 >= 122
    dropout: float = 0.1

    def __post_init__(self) -> None:
        _check(self.in_features, self.num_classes, self.dropout, (self.channels, self.kernel_size) + self.dilations)


class TemporalBlock(nn.Module):
    """Two dilated causal convolutions with ReLU and a residual connection (Bai et al., 2018)."""

    def __init__(self, c_in: int, c_out: int, kernel_size: int, dilation: int, dropout: float):
        super().__init__()
        # causal: pad on the left only, so position t sees inputs <= t
        self.pad = (kernel_size - 1) * dilation
        self.conv1 = nn.Conv1d(c_in, c_out, kernel_size, dilation=dilation)
        self.conv2 = nn.Conv1d(c_out, c_out, kernel_size, dilation=dilation)
        self.dropout = nn.Dropout(dropout)
        # a 1x1 convolution matches channels when they change; otherwise a true identity
        self.skip = nn.Conv1d(c_in, c_out, 1) if c_in != c_out else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.dropout(F.relu(self.conv1(F.pad(x, (self.pad, 0)))))
        h = self.dropout(F.relu(self.conv2(F.pad(h, (self.pad, 0)))))
        return F.relu(h + (x if self.skip is None else self.skip(x)))


class TCN(nn.Module):
    """Temporal convolutional network along the feature axis; classifies from the last position.

    The dilations double per block so the last position's receptive field covers the whole
    feature vector; that position then summarises the flow (the usual TCN classifier).
    """

    def __init__(self, cfg: TCNConfig):
        super().__init__()
        self.config = cfg
        self.blocks = nn.Sequential(
            *(TemporalBlock(1 if i == 0 else cfg.channels, cfg.channels, cfg.kernel_size, d, cfg.dropout)
              for i, d in enumerate(cfg.dilations))
        )  # fmt: skip
        self.head = nn.Linear(cfg.channels, cfg.num_classes)
        self.parameter_free_layers = 3 * len(cfg.dilations)  # two ReLUs + the residual addition per block

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.blocks(x.unsqueeze(1))  # (batch, channels, F)
        return self.head(h[:, :, -1])


register_model("mlp", MLPConfig, "MLP (DNN): fully connected 256-128, ReLU, dropout")(MLP)
register_model("cnn1d", CNN1DConfig, "1-D CNN: conv 32-64 (k=3) + max-pool, fully connected")(CNN1D)
register_model("lstm", LSTMConfig, "LSTM (32) along the features, flatten, fully connected")(LSTMNet)
register_model("cnn_lstm", CNNLSTMConfig, "CNN-LSTM: one conv (32, k=3) + pool + LSTM (32); no multi-scale, no identity")(CNNLSTM)
register_model("bilstm_attention", BiLSTMAttentionConfig, "BiLSTM (2x32) over per-feature tokens (8) with additive attention pooling")(BiLSTMAttention)
register_model("tcn", TCNConfig, "TCN: 5 dilated causal residual conv blocks (16 ch), last position")(TCN)
