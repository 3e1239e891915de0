import json

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from msmrnet import MSMRNetClassifier
from msmrnet.data import nsl_kdd
from msmrnet.estimator import stratified_split
from tests.synthetic import make_rows


def table(n=400, seed=0):
    rows = make_rows(n, seed=seed)
    df = pd.DataFrame([r[:41] for r in rows], columns=nsl_kdd.FEATURES)
    for c in nsl_kdd.NUMERIC:
        df[c] = df[c].astype(float)
    labels = nsl_kdd.task_labels(pd.Series([r[41] for r in rows]), "multiclass").to_numpy()
    return df, labels


def small(**kw):
    params = dict(model="msmrnet", model_options={"depth": 2, "width": 4, "hidden": 4}, epochs=3, batch_size=64,
                  lr=0.01, classes=nsl_kdd.CATEGORIES, progress=False)  # fmt: skip
    params.update(kw)
    return MSMRNetClassifier(**params)


@pytest.fixture(scope="module")
def fitted():
    X, y = table()
    return small().fit(X, y), X, y


def test_fit_predict_and_scores(fitted):
    est, X, y = fitted
    proba = est.predict_proba(X)
    assert proba.shape == (len(X), 5) and np.allclose(proba.sum(axis=1), 1, atol=1e-5)
    assert list(est.classes_) == list(nsl_kdd.CATEGORIES)
    pred = est.predict(X)
    assert set(pred) <= set(nsl_kdd.CATEGORIES)
    assert (pred == y).mean() > 0.8  # generated data is easy to learn
    score = est.anomaly_score(X)
    assert np.allclose(score, 1 - proba[:, 0])
    assert score[y != "normal"].mean() > score[y == "normal"].mean()


def test_save_load_gives_bit_identical_predictions(fitted, tmp_path):
    est, X, _ = fitted
    est.save(str(tmp_path / "model"))
    meta = json.loads((tmp_path / "model" / "model.json").read_text())
    assert meta["preprocessing"]["scaling"] == "minmax" and meta["classes"] == list(nsl_kdd.CATEGORIES)
    assert set(meta["feature_schema"]["categorical"]) == set(nsl_kdd.CATEGORICAL)
    assert "torch" in meta["library_versions"]
    loaded = MSMRNetClassifier.load(str(tmp_path / "model"))
    assert np.array_equal(est.predict_proba(X), loaded.predict_proba(X))


def test_works_inside_a_scikit_learn_pipeline():
    X, y = table(300, seed=4)
    pipe = make_pipeline(FunctionTransformer(lambda d: d.assign(src_bytes=np.log1p(d["src_bytes"]))), small())
    pipe.fit(X, y)
    assert pipe.predict(X).shape == (300,)
    assert 0.0 <= pipe.score(X, y) <= 1.0
    assert clone(small()).get_params()["model_options"] == {"depth": 2, "width": 4, "hidden": 4}


def test_one_class_and_unknown_labels_are_refused():
    X, y = table(50)
    with pytest.raises(ValueError, match="one class only"):
        small().fit(X, np.array(["normal"] * 50))
    with pytest.raises(ValueError, match=r"labels \['Teleport'\] are not among"):
        small().fit(X, np.where(y == "DoS", "Teleport", y))


def test_stratified_split_keeps_class_shares():
    y = np.array([0] * 900 + [1] * 90 + [2] * 9 + [3])
    tr, va = stratified_split(y, 0.1, seed=0)
    assert len(np.intersect1d(tr, va)) == 0 and len(tr) + len(va) == len(y)
    assert np.bincount(y[va], minlength=4).tolist() == [90, 9, 1, 0]
    assert np.array_equal(stratified_split(y, 0.1, 0)[1], va)


def test_saved_files_follow_the_umask(fitted, tmp_path):
    import os

    old = os.umask(0o022)
    try:
        fitted[0].save(str(tmp_path / "m"))
    finally:
        os.umask(old)
    for name in ("model.safetensors", "model.json"):
        assert (tmp_path / "m" / name).stat().st_mode & 0o777 == 0o644


def test_two_class_predict_follows_the_threshold_and_validation_rows_are_honoured():
    X, y = table()
    binary = np.where(y == "normal", "normal", "attack")
    val = np.flatnonzero(binary == "attack")[:20]
    est = small(classes=["normal", "attack"]).fit(X, binary, validation_indices=val)
    assert est.validation_indices_.tolist() == sorted(val.tolist())
    score = est.anomaly_score(X)
    cut = float(np.median(score))
    est.set_params(threshold=cut)
    assert (est.predict(X) == np.where(score >= cut, "attack", "normal")).all()
    est.set_params(threshold=0.0)
    assert (est.predict(X) == "attack").all()
    with pytest.raises(ValueError, match="validation_indices must be row positions"):
        small(classes=["normal", "attack"]).fit(X, binary, validation_indices=[len(X)])
