"""Tree baselines behind the estimator contract: same split, same preprocessing, same outputs."""

import numpy as np
import pytest

from msmrnet.classical import TreeClassifier
from msmrnet.data import nsl_kdd
from msmrnet.evaluation import evaluate_table
from tests.test_estimator import small, table


@pytest.mark.parametrize("kind", ["random_forest", "gradient_boosting"])
def test_fit_predict_and_the_shared_contract(kind):
    X, y = table(300)
    est = TreeClassifier(kind=kind, n_estimators=20, classes=nsl_kdd.CATEGORIES, seed=3).fit(X, y)
    proba = est.predict_proba(X)
    assert proba.shape == (len(X), 5) and np.allclose(proba.sum(axis=1), 1, atol=1e-5)
    assert (est.predict(X) == y).mean() > 0.9
    assert est.history_[0]["val_loss"] is not None and len(est.history_) == 1
    net = small(seed=3, epochs=1)
    net.fit(X, y)
    # the same validation rows and the same fitted preprocessing as the network with the same seed
    assert np.array_equal(est.validation_indices_, net.validation_indices_)
    assert est.preprocessor_.to_dict() == net.preprocessor_.to_dict()
    r = evaluate_table(est, X, y, "train")
    assert r["binary"]["accuracy"] > 0.9 and "multiclass" in r


def test_a_class_absent_from_training_gets_probability_zero():
    X, y = table(300)
    keep = y != "U2R"
    est = TreeClassifier(n_estimators=5, classes=nsl_kdd.CATEGORIES).fit(X[keep], y[keep])
    proba = est.predict_proba(X)
    assert proba.shape[1] == 5 and np.all(proba[:, list(nsl_kdd.CATEGORIES).index("U2R")] == 0)


def test_unknown_kind_is_refused():
    X, y = table(100)
    with pytest.raises(ValueError, match="kind"):
        TreeClassifier(kind="svm").fit(X, y)
