import numpy as np
import pandas as pd
import pytest

from msmrnet.data import nsl_kdd, registry
from msmrnet.errors import ConfigError
from msmrnet.preprocessing import TabularPreprocessor


def frame(values, cats):
    return pd.DataFrame({"a": values, "b": np.arange(len(values), dtype=float), "proto": cats})


def test_minmax_is_fitted_on_training_data_only():
    pre = TabularPreprocessor(["a", "b"], ["proto"]).fit(frame([0.0, 10.0, 5.0], ["tcp", "udp", "tcp"]))
    out = pre.transform(frame([20.0, -10.0], ["udp", "tcp"]))
    # test values outside the training range map outside [0, 1]: the scaling came from training
    assert out[:, 0].tolist() == [2.0, -1.0]
    assert pre.feature_names_out == ["a", "b", "proto=tcp", "proto=udp"]
    assert out[:, 2:].tolist() == [[0.0, 1.0], [1.0, 0.0]]


def test_standard_and_none_scaling():
    train = frame([1.0, 3.0], ["x", "y"])
    std = TabularPreprocessor(["a", "b"], ["proto"], "standard").fit(train).transform(train)
    assert np.allclose(std.mean(axis=0), 0) and np.allclose(std.std(axis=0), 1)
    raw = TabularPreprocessor(["a", "b"], ["proto"], "none").fit(train).transform(train)
    assert raw[:, 0].tolist() == [1.0, 3.0]
    with pytest.raises(ConfigError, match="unknown scaling 'log'"):
        TabularPreprocessor(["a"], [], "log")


def test_constant_column_does_not_divide_by_zero():
    pre = TabularPreprocessor(["a"], []).fit(pd.DataFrame({"a": [7.0, 7.0]}))
    assert pre.transform(pd.DataFrame({"a": [7.0, 8.0]}))[:, 0].tolist() == [0.0, 1.0]


def test_unseen_categories_are_encoded_as_zero_and_counted():
    pre = TabularPreprocessor(["a"], ["proto"]).fit(frame([0.0, 1.0], ["tcp", "udp"]))
    out = pre.transform(frame([0.5, 0.5, 0.5], ["sctp", "tcp", "sctp"]))
    assert out[:, 1:].tolist() == [[0, 0], [1, 0], [0, 0]]
    assert pre.last_report["rows_with_unseen_categories"] == 2
    assert pre.last_report["unseen_categories"] == {"proto": {"sctp": 2}}
    assert pre.last_unseen_mask.tolist() == [True, False, True]


def test_round_trip_through_json_is_exact():
    import json

    rng = np.random.default_rng(0)
    train = frame(rng.lognormal(5, 3, 100), rng.choice(["a", "b", "c"], 100))
    pre = TabularPreprocessor(["a", "b"], ["proto"]).fit(train)
    again = TabularPreprocessor.from_dict(json.loads(json.dumps(pre.to_dict())))
    test = frame(rng.lognormal(5, 3, 50), rng.choice(["a", "b", "d"], 50))
    assert np.array_equal(pre.transform(test), again.transform(test))


def test_missing_column_is_named():
    pre = TabularPreprocessor(["a", "b"], ["proto"]).fit(frame([1.0], ["x"]))
    with pytest.raises(ValueError, match="missing feature column"):
        pre.transform(pd.DataFrame({"a": [1.0]}))


def test_nsl_kdd_gives_the_chapters_122_features(shared_data):
    train = registry.load("KDDTrain+", shared_data)
    pre = TabularPreprocessor(nsl_kdd.NUMERIC, nsl_kdd.CATEGORICAL).fit(train.features)
    x = pre.transform(train.features)
    assert x.shape == (125_973, 122)
    assert {c: len(v) for c, v in pre.categories_.items()} == {"protocol_type": 3, "service": 70, "flag": 11}
    assert x.min() == 0.0 and x.max() == 1.0


def test_log_minmax_spreads_heavy_tailed_counts():
    train = pd.DataFrame({"bytes": [0.0, 9.0, 99.0, 999_999.0], "proto": ["tcp"] * 4})
    plain = TabularPreprocessor(["bytes"], ["proto"], "minmax").fit(train).transform(train)[:, 0]
    logged = TabularPreprocessor(["bytes"], ["proto"], "log-minmax").fit(train).transform(train)[:, 0]
    assert plain[2] < 1e-4  # min-max: everything below a million is squeezed next to 0
    assert np.allclose(logged, np.log1p([0, 9, 99, 999_999]) / np.log1p(999_999))
    pre = TabularPreprocessor(["bytes"], [], "log-minmax").fit(pd.DataFrame({"bytes": [-9.0, 9.0]}))
    assert pre.transform(pd.DataFrame({"bytes": [-9.0, 0.0, 9.0]}))[:, 0].tolist() == [0.0, 0.5, 1.0]  # sign kept
    assert TabularPreprocessor.from_dict(pre.to_dict()).scaling == "log-minmax"
