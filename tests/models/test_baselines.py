"""The deep-learning baselines: MSMRNet's forward contract, layer counts, and that they learn."""

import pytest
import torch
import torch.nn.functional as F

from msmrnet.models import count_layers, create_model, list_models

BASELINES = ["mlp", "cnn1d", "lstm", "cnn_lstm", "bilstm_attention", "tcn"]
TINY = {
    "mlp": {"hidden": [16]}, "cnn1d": {"channels": [4, 8]}, "lstm": {"hidden": 8},
    "cnn_lstm": {"channels": 4, "hidden": 8}, "bilstm_attention": {"hidden": 8, "attention": 8},
    "tcn": {"channels": 8, "dilations": [1, 2, 4]},
}  # fmt: skip


def test_every_baseline_is_registered():
    assert set(BASELINES) <= set(list_models())


@pytest.mark.parametrize("name", BASELINES)
@pytest.mark.parametrize("in_features", [121, 122, 7])  # odd and even lengths (pooling), very short inputs
def test_forward_shape_at_default_sizes(name, in_features):
    model = create_model(name, in_features=in_features, num_classes=5)
    assert model(torch.rand(3, in_features)).shape == (3, 5)


@pytest.mark.parametrize("name", BASELINES)
def test_layer_counts(name):
    counts = count_layers(create_model(name, in_features=122, num_classes=2))
    assert counts["trainable_layers"] >= 2 and counts["parameters"] > 0 and counts["parameter_free_layers"] >= 0


def test_count_layers_keeps_the_chapter_counts_for_msmrnet():
    c = count_layers(create_model("msmrnet_5", in_features=122, num_classes=5))
    assert (c["trainable_layers"], c["parameter_free_layers"]) == (21, 10)


def test_tcn_receptive_field_covers_the_features():
    """Changing the first feature must change the output read at the last position."""
    torch.manual_seed(0)
    model = create_model("tcn", in_features=122, num_classes=2).eval()
    x = torch.rand(1, 122)
    y = x.clone()
    y[0, 0] += 5.0
    assert not torch.allclose(model(x), model(y))


def _fit(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, steps: int = 60) -> None:
    """Full-batch Adam at a high rate, then eval mode: enough for a tiny model on a tiny task."""
    opt = torch.optim.Adam(model.parameters(), lr=0.02)
    for _ in range(steps):
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()


@pytest.mark.parametrize("name", BASELINES)
def test_learns_a_separable_task(name):
    """Class = whether the first half of the features is larger than the second half."""
    torch.manual_seed(0)
    n, f = 256, 12
    x = torch.rand(n, f)
    y = (x[:, : f // 2].sum(1) > x[:, f // 2 :].sum(1)).long()
    x[y == 1, : f // 2] += 0.5  # make it easy: a margin between the classes
    model = create_model(name, in_features=f, num_classes=2, dropout=0.0, **TINY[name])
    _fit(model, x, y)
    assert (model(x).argmax(1) == y).float().mean() > 0.9


def test_a_baseline_trains_saves_and_loads_through_the_estimator(tmp_path):
    import numpy as np

    from msmrnet import MSMRNetClassifier
    from msmrnet.data import nsl_kdd
    from tests.test_estimator import table

    X, y = table(200)
    est = MSMRNetClassifier(model="cnn1d", model_options={"channels": [4, 4]}, epochs=1, batch_size=64,
                            classes=nsl_kdd.CATEGORIES, progress=False).fit(X, y)  # fmt: skip
    est.save(str(tmp_path / "m"))
    loaded = MSMRNetClassifier.load(str(tmp_path / "m"))
    assert loaded.model_config_.channels == (4, 4)
    assert np.array_equal(est.predict_proba(X), loaded.predict_proba(X))


def test_bilstm_attention_learns_which_one_hot_column_is_set():
    """The class is the category, not an amount: one hot column of 40. Fed raw scalars, the
    attention-pooled BiLSTM stayed at the majority class on such inputs (NSL-KDD's one-hot
    services); its per-feature tokens tell it which column is which."""
    torch.manual_seed(0)
    n, f = 512, 40
    hot = torch.randint(0, f, (n,))
    x = torch.zeros(n, f)
    x[torch.arange(n), hot] = 1.0
    y = (hot % 3 == 0).long()
    model = create_model("bilstm_attention", in_features=f, num_classes=2, dropout=0.0, **TINY["bilstm_attention"])
    _fit(model, x, y)
    majority = max(y.float().mean().item(), 1 - y.float().mean().item())
    assert majority < 0.7 and (model(x).argmax(1) == y).float().mean() > 0.95
