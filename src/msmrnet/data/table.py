"""The in-memory form every loader returns."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from msmrnet.data.flowtable import Schema
    from msmrnet.data.quality import DataQuality


@dataclass
class LabeledTable:
    """Raw features (categorical columns as strings), raw labels and per-row metadata.

    ``attack_names`` is the finest label (NSL-KDD attack name, UNSW-NB15 ``attack_cat``);
    ``labels`` holds every label column as read (UNSW-NB15 also has the binary ``label``).
    ``lines``/``file_index`` locate each row in ``files``, so later checks can name the line.
    """

    features: pd.DataFrame
    attack_names: pd.Series
    difficulty: pd.Series | None = None
    source: str = ""
    labels: pd.DataFrame | None = None
    lines: np.ndarray | None = None
    file_index: np.ndarray | None = None
    files: list[str] = field(default_factory=list)
    quality: "DataQuality | None" = None
    schema: "Schema | None" = None

    def __len__(self) -> int:
        return len(self.features)

    def where(self, row: int) -> tuple[str | None, int | None]:
        """(file, line) of a row, where known."""
        if self.lines is None or self.file_index is None or not self.files:
            return (self.source or None), None
        return self.files[int(self.file_index[row])], int(self.lines[row])

    def subset(self, rows: np.ndarray) -> "LabeledTable":
        """The rows at positions ``rows`` (same metadata)."""
        pick = lambda x: None if x is None else (x.iloc[rows].reset_index(drop=True) if hasattr(x, "iloc") else x[rows])  # noqa: E731
        return replace(self, features=pick(self.features), attack_names=pick(self.attack_names), difficulty=pick(self.difficulty),
                       labels=pick(self.labels), lines=pick(self.lines), file_index=pick(self.file_index))  # fmt: skip
