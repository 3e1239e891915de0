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
from safetensors.torch import load_file, save

from msmrnet.errors import MsmrnetError
from msmrnet.utils.io import atomic_directory, atomic_write_bytes, atomic_write_json

WEIGHTS = "model.safetensors"
METADATA = "model.json"
FORMAT = "msmrnet-model/1"


def save_artifact(path: str | os.PathLike, state_dict: dict[str, torch.Tensor], metadata: dict[str, Any]) -> Path:
    path = Path(path)
    tensors = {k: v.detach().cpu().contiguous() for k, v in state_dict.items()}
    with atomic_directory(path) as tmp:
        atomic_write_bytes(tmp / WEIGHTS, save(tensors, metadata={"format": FORMAT}))
        atomic_write_json(tmp / METADATA, {"format": FORMAT, **metadata})
    return path


def load_artifact(path: str | os.PathLike) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    path = Path(path)
    if not (path / WEIGHTS).is_file() or not (path / METADATA).is_file():
        raise MsmrnetError(f"{path}: not a model folder (expected {WEIGHTS} and {METADATA})")
    try:
        metadata = json.loads((path / METADATA).read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise MsmrnetError(f"{path / METADATA}: damaged model metadata: {exc}") from None
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT:
        found = metadata.get("format") if isinstance(metadata, dict) else type(metadata).__name__
        raise MsmrnetError(f"{path / METADATA}: unsupported format {found!r}, expected {FORMAT}")
    try:
        weights = load_file(str(path / WEIGHTS))
    except Exception as exc:  # safetensors raises its own error type for a damaged header or body
        raise MsmrnetError(f"{path / WEIGHTS}: damaged weights file: {exc}") from None
    return weights, metadata
