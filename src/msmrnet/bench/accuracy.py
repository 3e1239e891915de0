"""Training parity: the same training with the reference and with our implementation.

Both start from the same weights and see the same batches in the same order on a stratified
90/10 split of KDDTrain+ (5 classes, min-max scaling fitted on the training part); validation
accuracy after the same number of epochs must agree within noise (the target: 0.5 points).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
import torch.nn.functional as F

from msmrnet.bench.reference import ReferenceMSMRNet
from msmrnet.data import nsl_kdd, registry
from msmrnet.estimator import stratified_split
from msmrnet.models import create_model
from msmrnet.preprocessing import TabularPreprocessor

if TYPE_CHECKING:
    from msmrnet.bench.run import BenchConfig

log = logging.getLogger(__name__)


def compare_training(cfg: "BenchConfig") -> dict[str, Any]:
    table = registry.load("KDDTrain+", cfg.data_dir)
    labels = nsl_kdd.task_labels(table.attack_names, "multiclass")
    classes = nsl_kdd.TASKS["multiclass"]
    y = np.array([classes.index(v) for v in labels], dtype=np.int64)
    train_idx, val_idx = stratified_split(y, 0.1, cfg.seed)
    pre = TabularPreprocessor(nsl_kdd.NUMERIC, nsl_kdd.CATEGORICAL, "minmax").fit(table.features.iloc[train_idx])
    x = torch.from_numpy(pre.transform(table.features).astype(np.float32))
    xt, yt = x[train_idx], torch.from_numpy(y[train_idx])
    xv, yv = x[val_idx], torch.from_numpy(y[val_idx])
    torch.manual_seed(cfg.seed)
    ours = create_model("msmrnet_5", in_features=x.shape[1], num_classes=len(classes))
    ref = ReferenceMSMRNet(ours.config)
    ref.load_state_dict(ours.state_dict())
    orders = [torch.randperm(len(xt), generator=torch.Generator().manual_seed(cfg.seed + e)) for e in range(cfg.accuracy_epochs)]
    out: dict[str, Any] = {"epochs": cfg.accuracy_epochs, "train_rows": len(xt), "val_rows": len(xv)}
    for impl, model in (("reference", ref), ("ours", ours)):
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        start = time.perf_counter()
        model.train()
        for order in orders:
            for i in range(0, len(order), 256):
                idx = order[i : i + 256]
                loss = F.cross_entropy(model(xt[idx]), yt[idx])
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
        out[f"{impl}_seconds"] = time.perf_counter() - start
        model.eval()
        with torch.inference_mode():
            pred = torch.cat([model(xv[i : i + 256]).argmax(1) for i in range(0, len(xv), 256)])
        out[f"{impl}_val_accuracy"] = float((pred == yv).float().mean())
        log.info("%s: validation accuracy %.4f after %d epoch(s), %.0f s", impl, out[f"{impl}_val_accuracy"],
                 cfg.accuracy_epochs, out[f"{impl}_seconds"])  # fmt: skip
    return out
