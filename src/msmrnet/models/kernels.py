"""The fused LSTM recurrence (C++), compiled on first use, with a pure-PyTorch fallback.

MSMRNet's LSTMs have tiny hidden sizes (16) and long sequences (F = 122 steps, five or ten
times per flow), so PyTorch's generic LSTM spends most of its time in per-step overhead, above
all in the backward pass. ``csrc/lstm_recurrence.cpp`` runs every step of the recurrence in one
call, each thread walking its own rows with the state in cache. It is built with
``torch.utils.cpp_extension`` the first time it is needed (about a minute, once per machine;
the build is cached in ``$TORCH_EXTENSIONS_DIR``, default ``~/.cache/torch_extensions``).
Without a C++ compiler, or with ``MSMRNET_FUSED_LSTM=0``, the models use ``torch.lstm`` and give
the same results, more slowly.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from types import ModuleType

import torch

log = logging.getLogger(__name__)

_SOURCE = Path(__file__).with_name("csrc") / "lstm_recurrence.cpp"
_state: dict[str, ModuleType | None] = {}


def fused_recurrence() -> ModuleType | None:
    """The compiled kernel, or None when it is disabled or cannot be built (logged once)."""
    if "ext" in _state:
        return _state["ext"]
    ext = None
    if os.environ.get("MSMRNET_FUSED_LSTM", "1") == "0":
        log.info("fused LSTM kernel disabled by MSMRNET_FUSED_LSTM=0; using torch.lstm")
    else:
        try:
            from torch.utils.cpp_extension import load

            _prefer_own_ninja()
            log.info("loading the fused LSTM kernel (built on first use, about a minute; cached afterwards)")
            ext = load(name="msmrnet_lstm_recurrence", sources=[str(_SOURCE)],
                       extra_cflags=["-O3", "-march=native", "-fopenmp", "-fno-math-errno", "-fno-trapping-math"],
                       extra_ldflags=["-fopenmp"], verbose=False)  # fmt: skip
        except Exception as exc:  # no compiler, no ninja, unsupported platform: stay correct, go slower
            log.warning("fused LSTM kernel unavailable (%s); using torch.lstm, which is slower", str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    _state["ext"] = ext
    return ext


def _prefer_own_ninja() -> None:
    """Build with the ninja installed beside this interpreter (a dependency), not whichever is
    first on PATH: ninja versions record the build command differently, so switching between
    the system's ninja (scripts run `.venv/bin/python`) and the environment's (an activated
    `.venv`) made PyTorch rebuild the kernel, about 40 s, on every switch."""
    bindir = os.path.dirname(sys.executable)
    if os.path.isfile(os.path.join(bindir, "ninja")):
        path = os.environ.get("PATH", "")
        if path.split(os.pathsep)[0] != bindir:
            os.environ["PATH"] = bindir + (os.pathsep + path if path else "")


class _Recurrence(torch.autograd.Function):
    @staticmethod
    def forward(ctx, gx: torch.Tensor, bias: torch.Tensor, w_hh: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        ext = fused_recurrence()
        assert ext is not None, "lstm_recurrence needs the compiled kernel"
        hs, acts, cells = ext.forward(gx.contiguous(), bias, w_hh, True)
        ctx.save_for_backward(hs, acts, cells, w_hh)
        return hs

    @staticmethod
    def backward(ctx, dhs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:  # type: ignore[override]
        hs, acts, cells, w_hh = ctx.saved_tensors
        dgx = fused_recurrence().backward(dhs, acts, cells, w_hh)
        # the recurrent weight's gradient for all steps at once: sum_t dgates_t^T h_{t-1}
        h_prev = torch.cat([hs.new_zeros(1, *hs.shape[1:]), hs[:-1]])
        dw = dgx.reshape(-1, dgx.shape[2]).t() @ h_prev.reshape(-1, hs.shape[2])
        return dgx, dgx.sum((0, 1)), dw


def lstm_recurrence(gx: torch.Tensor, bias: torch.Tensor, w_hh: torch.Tensor) -> torch.Tensor:
    """All steps of an LSTM from zero state.

    ``gx`` (F, B, 4H) holds the input projections W_ih x_t, ``bias`` (4H,) both biases,
    ``w_hh`` (4H, H) the recurrent weights (gate order i, f, g, o as in PyTorch) -> h (F, B, H).
    """
    if not torch.is_grad_enabled():  # scoring: no autograd node, no saved gates
        return fused_recurrence().forward(gx.contiguous(), bias, w_hh, False)[0]
    return _Recurrence.apply(gx, bias, w_hh)
