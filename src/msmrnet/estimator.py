"""The scikit-learn-style estimator: raw flow features in, classes and attack scores out.

``MSMRNetClassifier`` owns the whole chain (preprocessing fitted on the training part only,
the network, training with a stratified validation split), so it drops into scikit-learn
pipelines and model-selection tools, and the command line is a thin layer over it.
Scores follow PyOD's convention: :meth:`anomaly_score` is higher for more anomalous flows.
"""

from __future__ import annotations

import importlib.metadata
import logging
from typing import Any, Sequence

import numpy as np
import pandas as pd
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

import msmrnet
from msmrnet.errors import DataError, MsmrnetError
from msmrnet.models import create_model, make_config
from msmrnet.models.artifact import load_artifact, save_artifact
from msmrnet.models.scoring import predict_logits
from msmrnet.preprocessing import TabularPreprocessor
from msmrnet.training import TrainConfig, Trainer
from msmrnet.utils.seed import seed_everything

log = logging.getLogger(__name__)

def stratified_split(y: np.ndarray, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, validation) with ``fraction`` of every class in validation.

    Classes too small to split (fewer than 2 rows) stay entirely in training.
    """
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"validation fraction must be in (0, 1), got {fraction}")
    rng = np.random.default_rng(seed)
    val = []
    for cls in np.unique(y):
        idx = np.flatnonzero(y == cls)
        n_val = int(round(fraction * len(idx))) if len(idx) >= 2 else 0
        n_val = min(n_val, len(idx) - 1)
        val.append(rng.permutation(idx)[:n_val])
    val_idx = np.sort(np.concatenate(val)) if val else np.array([], dtype=int)
    train_mask = np.ones(len(y), dtype=bool)
    train_mask[val_idx] = False
    return np.flatnonzero(train_mask), val_idx


class FlowClassifierMixin:
    """What every flow classifier shares: label handling, the stratified validation split,
    preprocessing fitted on the training part only, and the probability-based outputs.

    Subclasses hold the hyper-parameters ``classes``, ``numeric``, ``categorical``, ``scaling``,
    ``val_fraction``, ``seed`` and ``normal_label``, and implement ``predict_proba_features``.
    The tree baselines (:mod:`msmrnet.classical`) use it too, so every model sees the same rows.
    """

    classes: Sequence[str] | None
    numeric: Sequence[str] | None
    categorical: Sequence[str] | None
    scaling: str
    val_fraction: float
    seed: int
    normal_label: str

    def _prepare(self, X: pd.DataFrame, y: Sequence[Any], validation_indices: Sequence[int] | None = None,
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
        """Check labels, split, fit the preprocessor on the training part; (x_train, y_train, x_val, y_val).

        ``validation_indices``: the validation rows (positions in ``X``) instead of the
        stratified ``val_fraction`` split, e.g. to keep whole attack types out of training.
        """
        X = _as_frame(X)
        y_arr = np.asarray(y).astype(str)
        if len(X) != len(y_arr):
            raise ValueError(f"X has {len(X)} rows but y has {len(y_arr)}")
        present = np.unique(y_arr)
        if len(present) < 2:
            raise ValueError(f"training data holds one class only ({present[0]!r}); a classifier needs two or more")
        self.classes_ = np.asarray(list(self.classes) if self.classes is not None else present, dtype=object)
        unknown = sorted(str(v) for v in set(present) - set(self.classes_))
        if unknown:
            raise ValueError(f"labels {unknown} are not among the configured classes {list(self.classes_)}")
        index = {c: i for i, c in enumerate(self.classes_)}
        y_idx = np.array([index[v] for v in y_arr], dtype=np.int64)

        numeric, categorical = self._columns(X)
        self.feature_names_in_ = np.asarray(numeric + categorical, dtype=object)
        self.n_features_in_ = len(self.feature_names_in_)
        if validation_indices is not None:
            val_idx = np.unique(np.asarray(validation_indices, dtype=np.int64))
            if len(val_idx) and (val_idx[0] < 0 or val_idx[-1] >= len(X)):
                raise ValueError(f"validation_indices must be row positions in [0, {len(X)})")
            train_idx = np.setdiff1d(np.arange(len(X)), val_idx)
        else:
            train_idx, val_idx = stratified_split(y_idx, self.val_fraction, self.seed)
        if len(val_idx) == 0:
            raise DataError(f"{len(X)} rows are too few for a {self.val_fraction:.0%} validation split of every class")
        self.validation_indices_ = val_idx
        self.preprocessor_ = TabularPreprocessor(numeric, categorical, self.scaling).fit(X.iloc[train_idx])
        x_train = self.preprocessor_.transform(X.iloc[train_idx])
        x_val = self.preprocessor_.transform(X.iloc[val_idx])
        return x_train, y_idx[train_idx], x_val, y_idx[val_idx]

    def _columns(self, X: pd.DataFrame) -> tuple[list[str], list[str]]:
        if self.categorical is not None:
            categorical = list(self.categorical)
        else:
            categorical = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
        numeric = list(self.numeric) if self.numeric is not None else [c for c in X.columns if c not in categorical]
        return numeric, categorical

    def predict_proba_features(self, features: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        check_is_fitted(self, "preprocessor_")
        features = self.preprocessor_.transform(_as_frame(X))
        return self.predict_proba_features(features)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """The most probable class; for two classes, the attack class when its probability reaches
        ``threshold`` (so ``predict`` agrees with the binary view and with ``detect``'s alerts)."""
        proba = self.predict_proba(X)
        threshold = getattr(self, "threshold", 0.5)
        if len(self.classes_) == 2 and threshold != 0.5 and self.normal_label in self.classes_:
            normal = list(self.classes_).index(self.normal_label)
            return np.where(self.attack_probability(proba) >= threshold, self.classes_[1 - normal], self.classes_[normal])
        return self.classes_[proba.argmax(axis=1)]

    def anomaly_score(self, X: pd.DataFrame) -> np.ndarray:
        """Probability that a flow is not normal traffic (higher = more anomalous)."""
        return self.attack_probability(self.predict_proba(X))

    def attack_probability(self, proba: np.ndarray) -> np.ndarray:
        normal = list(self.classes_).index(self.normal_label) if self.normal_label in self.classes_ else None
        if normal is None:
            raise ValueError(f"normal_label {self.normal_label!r} is not among the classes {list(self.classes_)}")
        return 1.0 - proba[:, normal]


class MSMRNetClassifier(FlowClassifierMixin, ClassifierMixin, BaseEstimator):
    """Flow classifier built on a registered model (MSMRNet by default).

    Parameters are hyper-parameters only (scikit-learn rule); ``fit`` learns everything else.
    ``X`` is a DataFrame of raw features (categorical columns as strings); ``numeric`` and
    ``categorical`` name the columns, or are inferred from dtypes when None. ``threshold`` is
    the attack probability from which a flow counts as an attack (binary view, `detect`'s alerts);
    `msmrnet train` can choose it on validation data (``model.threshold: auto``).
    """

    def __init__(
        self,
        model: str = "msmrnet_5",
        model_options: dict[str, Any] | None = None,
        scaling: str = "minmax",
        numeric: Sequence[str] | None = None,
        categorical: Sequence[str] | None = None,
        classes: Sequence[str] | None = None,
        normal_label: str = "normal",
        threshold: float = 0.5,
        epochs: int = 10,
        batch_size: int = 256,
        lr: float = 1e-3,
        weight_decay: float = 0.0,
        patience: int = 3,
        val_fraction: float = 0.1,
        seed: int = 0,
        checkpoint: str | None = None,
        resume: bool = False,
        progress: bool | None = None,
    ) -> None:
        self.model = model
        self.model_options = model_options
        self.scaling = scaling
        self.numeric = numeric
        self.categorical = categorical
        self.classes = classes
        self.normal_label = normal_label
        self.threshold = threshold
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.patience = patience
        self.val_fraction = val_fraction
        self.seed = seed
        self.checkpoint = checkpoint
        self.resume = resume
        self.progress = progress

    # -- training ----------------------------------------------------------------------------
    def fit(self, X: pd.DataFrame, y: Sequence[Any], validation_indices: Sequence[int] | None = None) -> "MSMRNetClassifier":
        """Train; ``validation_indices`` replaces the stratified validation split (see ``_prepare``)."""
        x_train, y_train, x_val, y_val = self._prepare(X, y, validation_indices)
        seed_everything(self.seed)  # the same seed gives the same initial weights
        self.model_config_ = make_config(
            self.model, **{**(self.model_options or {}), "in_features": x_train.shape[1], "num_classes": len(self.classes_)}
        )
        self.network_ = create_model(self.model, **_config_dict(self.model_config_))
        train_cfg = TrainConfig(self.epochs, self.batch_size, self.lr, self.weight_decay, self.patience, self.seed)
        fingerprint = {"model": self.model, "model_config": _config_dict(self.model_config_), "rows": [len(x_train), len(x_val)],
                       "classes": list(self.classes_), "preprocessing": self.preprocessor_.to_dict()}  # fmt: skip
        trainer = Trainer(self.network_, train_cfg, self.checkpoint, self.progress, fingerprint)
        log.info("training %s: %d train / %d validation rows, %d features, %d classes",
                 self.model, len(x_train), len(x_val), x_train.shape[1], len(self.classes_))  # fmt: skip
        result = trainer.fit(x_train, y_train, x_val, y_val, resume=self.resume)
        self.history_ = result.history
        self.best_epoch_ = result.best_epoch
        self.network_.eval()
        return self

    # -- inference ---------------------------------------------------------------------------
    def predict_proba_features(self, features: np.ndarray) -> np.ndarray:
        """Class probabilities for already-preprocessed features (shape: rows x F)."""
        x = torch.from_numpy(np.ascontiguousarray(features, dtype=np.float32))
        with torch.inference_mode():
            return torch.softmax(predict_logits(self.network_, x), dim=1).numpy()

    # -- persistence -------------------------------------------------------------------------
    def save(self, path: str, extra: dict[str, Any] | None = None) -> str:
        """Write the model folder (safetensors weights + JSON); see :mod:`msmrnet.models.artifact`."""
        check_is_fitted(self, "network_")
        metadata = {
            "msmrnet_version": msmrnet.__version__,
            "model": {"name": self.model, "config": _config_dict(self.model_config_)},
            "classes": list(self.classes_),
            "normal_label": self.normal_label,
            "feature_schema": {
                "numeric": self.preprocessor_.numeric,
                "categorical": self.preprocessor_.categorical,
                "features_out": self.preprocessor_.feature_names_out,
            },
            "preprocessing": self.preprocessor_.to_dict(),
            "hyperparameters": {k: v for k, v in self.get_params().items() if k not in ("checkpoint", "resume", "progress")},
            "training": {"best_epoch": self.best_epoch_, "history": self.history_},
            "library_versions": library_versions(),
            **(extra or {}),
        }
        save_artifact(path, self.network_.state_dict(), _jsonable(metadata))
        return path

    @classmethod
    def load(cls, path: str) -> "MSMRNetClassifier":
        weights, meta = load_artifact(path)
        try:
            return cls._from_artifact(weights, meta)
        except (KeyError, TypeError, ValueError, RuntimeError) as exc:
            detail = str(exc).splitlines()[0][:200]  # a state-dict mismatch lists every key: keep the gist
            raise MsmrnetError(f"{path}: model folder is inconsistent: weights do not match model.json ({detail})") from None

    @classmethod
    def _from_artifact(cls, weights: dict[str, torch.Tensor], meta: dict[str, Any]) -> "MSMRNetClassifier":
        est = cls(**{k: v for k, v in meta["hyperparameters"].items() if k in cls._get_param_names()})
        est.classes_ = np.asarray(meta["classes"], dtype=object)
        est.preprocessor_ = TabularPreprocessor.from_dict(meta["preprocessing"])
        est.feature_names_in_ = np.asarray(est.preprocessor_.numeric + est.preprocessor_.categorical, dtype=object)
        est.n_features_in_ = len(est.feature_names_in_)
        est.model_config_ = make_config(meta["model"]["name"], **meta["model"]["config"])
        est.network_ = create_model(meta["model"]["name"], **_config_dict(est.model_config_))
        est.network_.load_state_dict(weights)
        est.network_.eval()
        est.history_ = meta["training"]["history"]
        est.best_epoch_ = meta["training"]["best_epoch"]
        est.metadata_ = meta
        return est


def _as_frame(X: Any) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        return X
    arr = np.asarray(X)
    return pd.DataFrame(arr, columns=[f"x{i}" for i in range(arr.shape[1])])


def _config_dict(cfg: Any) -> dict[str, Any]:
    import dataclasses

    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in dataclasses.asdict(cfg).items()}


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


def library_versions() -> dict[str, str]:
    out = {}
    for pkg in ("msmrnet", "torch", "numpy", "pandas", "scikit-learn", "safetensors"):
        try:
            out[pkg] = importlib.metadata.version(pkg)
        except importlib.metadata.PackageNotFoundError:
            pass
    return out
