"""The in-memory form every loader returns."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass
class LabeledTable:
    """Raw features (categorical columns as strings), raw labels and per-row metadata."""

    features: pd.DataFrame
    attack_names: pd.Series
    difficulty: pd.Series | None = None
    source: str = ""

    def __len__(self) -> int:
        return len(self.features)
