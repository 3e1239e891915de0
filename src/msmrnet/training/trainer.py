"""The training loop of Algorithm 1 (steps 3-4): Adam on cross-entropy, validate every epoch.

Keeps the weights with the lowest validation loss, stops early when it has not improved for
``patience`` epochs, checkpoints after every epoch and resumes exactly from a checkpoint.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.metrics import f1_score
from torch import nn
from tqdm.auto import tqdm

from msmrnet.errors import MsmrnetError
from msmrnet.models.scoring import predict_logits
from msmrnet.training import checkpoint as ckpt
from msmrnet.utils.seed import seed_everything

log = logging.getLogger(__name__)


@dataclass
class TrainConfig:
    epochs: int = 10
    batch_size: int = 256
    lr: float = 1e-3
    weight_decay: float = 0.0
    patience: int = 3  # epochs without validation-loss improvement before stopping; 0 = never stop early
    seed: int = 0


@dataclass
class TrainResult:
    history: list[dict[str, Any]]
    best_epoch: int
    best_val_loss: float
    stopped_early: bool


class Trainer:
    """Trains ``model`` on (features, integer labels) arrays; see module docstring."""

    def __init__(
        self,
        model: nn.Module,
        config: TrainConfig,
        checkpoint_path: str | None = None,
        progress: bool | None = None,
        fingerprint: dict[str, Any] | None = None,
    ) -> None:
        self.model = model
        self.config = config
        self.checkpoint_path = checkpoint_path
        self.progress = progress
        # what must match for a checkpoint to be resumable (model + training config + data shape)
        # JSON round trip so it compares equal to the copy read back from a checkpoint
        self.fingerprint = json.loads(json.dumps({"train": dataclasses.asdict(config), **(fingerprint or {})}))
        self.optimizer = torch.optim.Adam(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)

    def fit(self, x_train: np.ndarray, y_train: np.ndarray, x_val: np.ndarray, y_val: np.ndarray, resume: bool = False) -> TrainResult:
        cfg = self.config
        seed_everything(cfg.seed)
        shuffle_gen = torch.Generator().manual_seed(cfg.seed)
        xt, yt = torch.from_numpy(np.ascontiguousarray(x_train)), torch.from_numpy(y_train.astype(np.int64))
        xv, yv = torch.from_numpy(np.ascontiguousarray(x_val)), torch.from_numpy(y_val.astype(np.int64))

        history: list[dict[str, Any]] = []
        best_state = {k: v.detach().clone() for k, v in self.model.state_dict().items()}
        best_loss, best_epoch, bad_epochs, start = float("inf"), 0, 0, 1
        stopped_early = False
        if resume and ckpt.exists(self.checkpoint_path):
            tensors, meta = ckpt.load_checkpoint(self.checkpoint_path)  # type: ignore[arg-type]
            if meta["fingerprint"] != self.fingerprint:
                raise MsmrnetError(
                    f"{self.checkpoint_path}: checkpoint was made with a different configuration or data; "
                    "start a new run instead of --resume"
                )
            self.model.load_state_dict(ckpt.prefixed(tensors, "model"))
            best_state = ckpt.prefixed(tensors, "best")
            ckpt.optimizer_from_tensors(self.optimizer, tensors, meta["optimizer"])
            torch.set_rng_state(tensors["rng.torch"])
            shuffle_gen.set_state(tensors["rng.shuffle"])
            history, best_loss, best_epoch, bad_epochs = meta["history"], meta["best_val_loss"], meta["best_epoch"], meta["bad_epochs"]
            start = meta["epoch"] + 1
            stopped_early = meta["stopped_early"]
            if meta["finished"]:
                start = cfg.epochs + 1
            log.info("resumed from %s after epoch %d", self.checkpoint_path, meta["epoch"])

        # progress=None: bars only on a terminal (tqdm's own rule); the epoch bar shows validation metrics
        disable = None if self.progress is None else not self.progress
        epochs = tqdm(range(start, cfg.epochs + 1), desc="training", unit="epoch", initial=start - 1, total=cfg.epochs, disable=disable)
        for epoch in epochs:
            t0 = time.perf_counter()
            train_loss, train_acc = self._train_epoch(xt, yt, shuffle_gen, epoch)
            val_loss, val_acc, val_f1 = self._validate(xv, yv)
            improved = val_loss < best_loss
            if improved:
                best_loss, best_epoch, bad_epochs = val_loss, epoch, 0
                best_state = {k: v.detach().clone() for k, v in self.model.state_dict().items()}
            else:
                bad_epochs += 1
            row = {
                "epoch": epoch, "train_loss": train_loss, "train_accuracy": train_acc,
                "val_loss": val_loss, "val_accuracy": val_acc, "val_macro_f1": val_f1,
                "seconds": round(time.perf_counter() - t0, 2), "best": improved,
            }  # fmt: skip
            history.append(row)
            epochs.set_postfix(val_loss=f"{val_loss:.4f}", val_acc=f"{val_acc:.4f}", val_f1=f"{val_f1:.4f}", best=best_epoch)
            log.info(
                "epoch %d/%d  train loss %.4f acc %.4f | val loss %.4f acc %.4f macro-F1 %.4f%s  (%.0fs)",
                epoch, cfg.epochs, train_loss, train_acc, val_loss, val_acc, val_f1, "  *best" if improved else "", row["seconds"],
            )  # fmt: skip
            stopped_early = cfg.patience > 0 and bad_epochs >= cfg.patience
            finished = stopped_early or epoch == cfg.epochs
            if self.checkpoint_path:
                self._save(epoch, history, best_state, best_loss, best_epoch, bad_epochs, shuffle_gen, finished, stopped_early)
            if stopped_early:
                epochs.close()
                log.info("early stop: validation loss has not improved for %d epochs (best: epoch %d)", bad_epochs, best_epoch)
                break
        self.model.load_state_dict(best_state)
        return TrainResult(history, best_epoch, best_loss, stopped_early)

    def _train_epoch(self, x: torch.Tensor, y: torch.Tensor, gen: torch.Generator, epoch: int) -> tuple[float, float]:
        self.model.train()
        order = torch.randperm(len(x), generator=gen)
        bs = self.config.batch_size
        total_loss, correct = 0.0, 0
        disable = None if self.progress is None else not self.progress
        bar = tqdm(range(0, len(x), bs), desc=f"epoch {epoch}", unit="batch", leave=False, position=1, disable=disable)
        for i in bar:
            idx = order[i : i + bs]
            xb, yb = x[idx], y[idx]
            logits = self.model(xb)
            loss = F.cross_entropy(logits, yb)
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            self.optimizer.step()
            total_loss += loss.item() * len(idx)
            correct += int((logits.argmax(1) == yb).sum())
            bar.set_postfix(loss=f"{loss.item():.4f}", refresh=False)
        return total_loss / len(x), correct / len(x)

    def _validate(self, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float, float]:
        logits = predict_logits(self.model, x)
        loss = float(F.cross_entropy(logits, y))
        pred = logits.argmax(1).numpy()
        truth = y.numpy()
        return loss, float((pred == truth).mean()), float(f1_score(truth, pred, average="macro", zero_division=0))

    def _save(self, epoch, history, best_state, best_loss, best_epoch, bad_epochs, gen, finished, stopped_early) -> None:
        opt_tensors, opt_meta = ckpt.optimizer_to_tensors(self.optimizer)
        tensors = {
            **{f"model.{k}": v for k, v in self.model.state_dict().items()},
            **{f"best.{k}": v for k, v in best_state.items()},
            **opt_tensors,
            "rng.torch": torch.get_rng_state(),
            "rng.shuffle": gen.get_state(),
        }
        meta = {
            "epoch": epoch, "history": history, "best_val_loss": best_loss, "best_epoch": best_epoch,
            "bad_epochs": bad_epochs, "finished": finished, "stopped_early": stopped_early, "optimizer": opt_meta, "fingerprint": self.fingerprint,
        }  # fmt: skip
        ckpt.save_checkpoint(self.checkpoint_path, tensors, meta)  # type: ignore[arg-type]
