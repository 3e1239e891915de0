import pytest
import torch

from msmrnet.errors import ConfigError
from msmrnet.models import create_model, layer_counts, list_models
from msmrnet.models.msmrnet import MultiScaleMemoryModule


@pytest.mark.parametrize("name", ["msmrnet_5", "msmnet_5", "msmrnet_10", "msmnet_10"])
def test_output_shape(name):
    model = create_model(name, in_features=30, num_classes=5, width=4, hidden=6)
    assert model(torch.randn(7, 30)).shape == (7, 5)


def test_module_output_has_the_input_shape():
    block = MultiScaleMemoryModule(8, width=4, hidden=8, kernel_sizes=(1, 3, 5, 7), residual=True)
    x = torch.randn(25, 3, 8)  # time-major: (F, batch, channels)
    assert block(x).shape == x.shape


def test_identity_mapping_is_really_added():
    torch.manual_seed(0)
    block = MultiScaleMemoryModule(4, width=2, hidden=4, kernel_sizes=(3,), residual=True)
    plain = MultiScaleMemoryModule(4, width=2, hidden=4, kernel_sizes=(3,), residual=False)
    plain.load_state_dict(block.state_dict())
    x = torch.randn(2, 4, 9)  # (batch, channels, F) for the plain-code formulation
    # relu(F(x) + x) vs relu(F(x)), with F(x) written the plain way: convs, concat, LSTM
    with torch.no_grad():
        h = torch.cat([b(x) for b in block.branches], 1)
        fx = torch.nn.LSTM(2, 4, batch_first=True)
        fx.load_state_dict(block.lstm.state_dict())
        fx = fx(h.transpose(1, 2))[0].transpose(1, 2)
        tm = x.permute(2, 0, 1)  # to time-major
        assert torch.allclose(block(tm).permute(1, 2, 0), torch.relu(fx + x), atol=1e-6)
        assert torch.allclose(plain(tm).permute(1, 2, 0), torch.relu(fx), atol=1e-6)


def test_layer_counts_match_the_chapter():
    counts5 = layer_counts(create_model("msmrnet_5", in_features=122, num_classes=5))
    counts10 = layer_counts(create_model("msmrnet_10", in_features=122, num_classes=5))
    # 20 (40) trainable layers in the modules + 1 fully connected; 10 (20) parameter-free
    assert (counts5["trainable_layers"], counts5["parameter_free_layers"]) == (21, 10)
    assert (counts10["trainable_layers"], counts10["parameter_free_layers"]) == (41, 20)


@pytest.mark.parametrize("residual", [True, False])
def test_gradient_reaches_the_first_module(residual):
    torch.manual_seed(0)
    model = create_model("msmrnet_10" if residual else "msmnet_10", in_features=20, num_classes=3, width=4, hidden=4)
    loss = torch.nn.functional.cross_entropy(model(torch.rand(16, 20)), torch.randint(0, 3, (16,)))
    loss.backward()
    first = model.blocks[0].branches[0].weight.grad
    assert first is not None and torch.isfinite(first).all() and first.abs().sum() > 0


def test_identity_mappings_carry_more_gradient_to_the_first_module():
    """The point of the residual version: deep stacks keep a usable gradient at the bottom."""
    norms = {}
    for name in ("msmrnet_10", "msmnet_10"):
        torch.manual_seed(0)
        model = create_model(name, in_features=20, num_classes=3, width=4, hidden=4)
        torch.manual_seed(1)
        x, y = torch.rand(64, 20), torch.randint(0, 3, (64,))
        torch.nn.functional.cross_entropy(model(x), y).backward()
        norms[name] = model.blocks[0].lstm.weight_ih_l0.grad.norm().item()
    assert norms["msmrnet_10"] > 10 * norms["msmnet_10"]


def test_registry_lists_and_rejects():
    assert {"msmrnet_5", "msmrnet_10", "msmnet_5", "msmnet_10"} <= set(list_models())
    with pytest.raises(ConfigError, match="unknown model 'resnet50'"):
        create_model("resnet50")
    with pytest.raises(ConfigError, match="has no option"):
        create_model("msmrnet_5", colour="red")
    with pytest.raises(ValueError, match="odd"):
        create_model("msmrnet_5", kernel_sizes=(2, 4))
