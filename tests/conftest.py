from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch

# The test models are tiny: one thread avoids synchronisation overhead that costs more than it
# gains (several-fold on 2 cores), and keeps subprocesses (which inherit the variable) alike.
os.environ["OMP_NUM_THREADS"] = "1"
torch.set_num_threads(1)

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real data sets beside the repository (../shared/data); tests skip when absent."""
    if not (SHARED_DATA / "nsl-kdd").is_dir():
        pytest.skip(f"real data not found at {SHARED_DATA}")
    return SHARED_DATA
