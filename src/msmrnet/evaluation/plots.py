"""Figures: confusion matrices and training curves, written as PNG (headless backend)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Sequence

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from msmrnet.utils.io import atomic_write_bytes  # noqa: E402


def save_figure(fig: Any, path: str | Path) -> Path:
    """Write ``fig`` as a PNG atomically and close it."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=120, bbox_inches="tight")
    plt.close(fig)
    return atomic_write_bytes(path, buf.getvalue())



def plot_confusion_matrix(matrix: Sequence[Sequence[int]], labels: Sequence[str], title: str, path: str | Path) -> Path:
    """Counts in each cell, colour by row share (recall), so small classes stay visible."""
    m = np.asarray(matrix, dtype=float)
    share = m / np.maximum(m.sum(axis=1, keepdims=True), 1)
    n = len(labels)
    fig, ax = plt.subplots(figsize=(1.2 * n + 2.5, 1.1 * n + 1.5))
    im = ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    for i in range(n):
        for j in range(n):
            ax.text(j, i, f"{int(m[i, j]):,}\n{share[i, j]:.1%}", ha="center", va="center", fontsize=8,
                    color="white" if share[i, j] > 0.6 else "black")  # fmt: skip
    ax.set_xticks(range(n), labels, rotation=30, ha="right")
    ax.set_yticks(range(n), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    fig.colorbar(im, ax=ax, fraction=0.046, label="share of true class")
    return save_figure(fig, path)


def plot_history(history: Sequence[dict[str, Any]], path: str | Path, title: str = "training") -> Path:
    """Training and validation loss per epoch, with validation accuracy on a second axis."""
    epochs = [h["epoch"] for h in history]
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(epochs, [h["train_loss"] for h in history], "o-", label="training loss")
    ax.plot(epochs, [h["val_loss"] for h in history], "s-", label="validation loss")
    best = [h["epoch"] for h in history if h.get("best")]
    if best:
        ax.axvline(best[-1], color="grey", ls=":", label=f"best (epoch {best[-1]})")
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.set_ylabel("cross-entropy loss")
    ax.set_yscale("log")
    ax2 = ax.twinx()
    ax2.plot(epochs, [h["val_accuracy"] for h in history], "^--", color="tab:green", alpha=0.7, label="validation accuracy")
    ax2.set_ylabel("validation accuracy")
    lines = ax.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0]
    ax.legend(lines, [line.get_label() for line in lines], loc="center right", fontsize=8)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    return save_figure(fig, path)
