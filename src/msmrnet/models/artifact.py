"""Model files: weights in safetensors, everything else in one JSON file. Never pickle.

A model folder holds ``model.safetensors`` and ``model.json``. Both are written into a
temporary folder that replaces the target in one rename, so a reader never sees a mix.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

from msmrnet.errors import MsmrnetError
from msmrnet.utils.io import atomic_directory

WEIGHTS = "model.safetensors"
METADATA = "model.json"
FORMAT = "msmrnet-model/1"


def save_artifact(path: str | os.PathLike, state_dict: dict[str, torch.Tensor], metadata: dict[str, Any]) -> Path:
    path = Path(path)
    tensors = {k: v.detach().cpu().contiguous() for k, v in state_dict.items()}
    with atomic_directory(path) as tmp:
        save_file(tensors, str(tmp / WEIGHTS), metadata={"format": FORMAT})
        (tmp / METADATA).write_text(json.dumps({"format": FORMAT, **metadata}, indent=2) + "\n", encoding="utf-8")
    return path


def load_artifact(path: str | os.PathLike) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    path = Path(path)
    if not (path / WEIGHTS).is_file() or not (path / METADATA).is_file():
        raise MsmrnetError(f"{path}: not a model folder (expected {WEIGHTS} and {METADATA})")
    metadata = json.loads((path / METADATA).read_text(encoding="utf-8"))
    if metadata.get("format") != FORMAT:
        raise MsmrnetError(f"{path / METADATA}: unsupported format {metadata.get('format')!r}, expected {FORMAT}")
    return load_file(str(path / WEIGHTS)), metadata
