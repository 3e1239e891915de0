"""One-hot encoding + scaling, fitted on training data only, saved as plain JSON.

The fitted state (category lists, per-column offsets and scales) is small and exact, so it is
stored as JSON beside the model weights: no pickle, readable by any tool.

Categories never seen during ``fit`` encode as all-zero one-hot blocks (the record is still
scored); every ``transform`` counts them per column in :attr:`TabularPreprocessor.last_report`,
so callers can report them.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any, Sequence

import numpy as np
import pandas as pd

from msmrnet.errors import ConfigError

log = logging.getLogger(__name__)

SCALINGS = ("minmax", "log-minmax", "standard", "none")


class TabularPreprocessor:
    """Raw feature frame -> float32 matrix: [numeric columns..., one-hot blocks...].

    ``scaling``: 'minmax' (the chapter's choice; x' = (x - min) / (max - min)), 'log-minmax'
    (numeric columns first mapped by sign(x) * log(1 + |x|), then min-max: byte and packet counts
    span nine orders of magnitude, and plain min-max squeezes all but the largest flows into
    the first 1 % of [0, 1]), 'standard' (zero mean, unit variance) or 'none'. Scaling is applied to every output column, one-hot
    columns included, as Algorithm 1 scales the whole encoded vector. Constant columns get
    scale 1 so they map to 0 instead of dividing by zero.
    """

    def __init__(self, numeric: Sequence[str], categorical: Sequence[str], scaling: str = "minmax"):
        if scaling not in SCALINGS:
            raise ConfigError(f"unknown scaling {scaling!r}; choose from {', '.join(SCALINGS)}")
        self.numeric = list(numeric)
        self.categorical = list(categorical)
        self.scaling = scaling
        self.categories_: dict[str, list[str]] | None = None
        self.offset_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None
        self.last_report: dict[str, Any] = {}

    # -- fitting -----------------------------------------------------------------------------
    def fit(self, frame: pd.DataFrame) -> "TabularPreprocessor":
        self._check_columns(frame)
        self.categories_ = {c: sorted(frame[c].astype(str).unique().tolist()) for c in self.categorical}
        encoded = self._encode(frame)
        if self.scaling in ("minmax", "log-minmax"):
            lo, hi = encoded.min(axis=0), encoded.max(axis=0)
            self.offset_, span = lo, hi - lo
        elif self.scaling == "standard":
            self.offset_, span = encoded.mean(axis=0), encoded.std(axis=0)
        else:
            self.offset_, span = np.zeros(encoded.shape[1]), np.ones(encoded.shape[1])
        self.scale_ = np.where(span > 0, span, 1.0)
        log.info("preprocessing fitted: %d rows -> %d features (%s scaling)", len(frame), self.n_features_out, self.scaling)
        return self

    def transform(self, frame: pd.DataFrame, warn_unseen: bool = True) -> np.ndarray:
        """Encode and scale; ``warn_unseen=False`` when the caller counts unseen categories itself
        (detection totals them over all chunks instead of logging each chunk)."""
        if self.categories_ is None or self.offset_ is None or self.scale_ is None:
            raise RuntimeError("TabularPreprocessor.transform called before fit")
        self._check_columns(frame)
        encoded = self._encode(frame, report=True, warn=warn_unseen)
        return ((encoded - self.offset_) / self.scale_).astype(np.float32)

    def fit_transform(self, frame: pd.DataFrame) -> np.ndarray:
        return self.fit(frame).transform(frame)

    # -- encoding ----------------------------------------------------------------------------
    def _encode(self, frame: pd.DataFrame, report: bool = False, warn: bool = True) -> np.ndarray:
        assert self.categories_ is not None
        numeric = frame[self.numeric].to_numpy(dtype=np.float64)
        if self.scaling == "log-minmax":
            numeric = np.sign(numeric) * np.log1p(np.abs(numeric))
        blocks = [numeric]
        unseen: dict[str, dict[str, int]] = {}
        rows_with_unseen = np.zeros(len(frame), dtype=bool)
        for col in self.categorical:
            cats = self.categories_[col]
            values = frame[col].astype(str)
            codes = pd.Index(cats).get_indexer(values)  # -1 for unseen
            onehot = np.zeros((len(frame), len(cats)), dtype=np.float64)
            known = codes >= 0
            onehot[np.flatnonzero(known), codes[known]] = 1.0
            blocks.append(onehot)
            if not known.all():
                unseen[col] = dict(Counter(values[~known]).most_common())
                rows_with_unseen |= ~known
        if report:
            self.last_report = {
                "rows": int(len(frame)),
                "rows_with_unseen_categories": int(rows_with_unseen.sum()),
                "unseen_categories": unseen,
            }
            self.last_unseen_mask = rows_with_unseen
            if unseen and warn:
                log.warning(
                    "%d of %d rows hold categories never seen in training (encoded as all-zero): %s",
                    rows_with_unseen.sum(), len(frame),
                    "; ".join(f"{c}: {', '.join(f'{k} x{v}' for k, v in d.items())}" for c, d in unseen.items()),
                )  # fmt: skip
        return np.concatenate(blocks, axis=1)

    def _check_columns(self, frame: pd.DataFrame) -> None:
        missing = [c for c in self.numeric + self.categorical if c not in frame.columns]
        if missing:
            raise ValueError(f"missing feature column(s): {', '.join(missing)}")

    # -- introspection and persistence -------------------------------------------------------
    @property
    def n_features_out(self) -> int:
        assert self.categories_ is not None
        return len(self.numeric) + sum(len(v) for v in self.categories_.values())

    @property
    def feature_names_out(self) -> list[str]:
        assert self.categories_ is not None
        return self.numeric + [f"{c}={v}" for c in self.categorical for v in self.categories_[c]]

    def to_dict(self) -> dict[str, Any]:
        if self.categories_ is None or self.offset_ is None or self.scale_ is None:
            raise RuntimeError("cannot serialise an unfitted preprocessor")
        return {
            "numeric": self.numeric,
            "categorical": self.categorical,
            "scaling": self.scaling,
            "categories": self.categories_,
            # float64 -> JSON via repr keeps every bit, so a reload transforms identically
            "offset": [float(v) for v in self.offset_],
            "scale": [float(v) for v in self.scale_],
        }

    @classmethod
    def from_dict(cls, state: dict[str, Any]) -> "TabularPreprocessor":
        pre = cls(state["numeric"], state["categorical"], state["scaling"])
        pre.categories_ = {k: list(v) for k, v in state["categories"].items()}
        pre.offset_ = np.asarray(state["offset"], dtype=np.float64)
        pre.scale_ = np.asarray(state["scale"], dtype=np.float64)
        if len(pre.offset_) != pre.n_features_out or len(pre.scale_) != pre.n_features_out:
            raise ValueError("preprocessing state is inconsistent: offset/scale length != feature count")
        return pre
