"""The fast paths compute the plain model's function: fused kernel, folded weights, scoring."""

import os

import pytest
import torch

from msmrnet.bench.reference import ReferenceMSMRNet
from msmrnet.models import create_model, kernels
from msmrnet.models.scoring import predict_logits


def test_the_fused_kernel_is_built_here():
    # CI runs on the machine kind users run on; a silent fallback would lose the speed-up.
    assert kernels.fused_recurrence() is not None


def test_fused_recurrence_gradients_are_exact():
    torch.manual_seed(0)
    gx = torch.randn(7, 5, 16, dtype=torch.double, requires_grad=True)
    bias = torch.randn(16, dtype=torch.double, requires_grad=True)
    w = torch.randn(16, 4, dtype=torch.double, requires_grad=True)
    assert torch.autograd.gradcheck(kernels.lstm_recurrence, (gx, bias, w))


@pytest.mark.parametrize("hidden", [16, 5])  # the specialised size and the generic path
def test_fused_recurrence_matches_torch_lstm(hidden):
    torch.manual_seed(0)
    gx, bias = torch.randn(30, 9, 4 * hidden), torch.randn(4 * hidden)
    w = torch.randn(4 * hidden, hidden) * 0.3
    zeros = torch.zeros(1, 9, hidden)
    eye = torch.eye(4 * hidden)
    ref = torch.lstm(gx, (zeros, zeros), [eye, w, bias, torch.zeros_like(bias)], True, 1, 0.0, False, False, False)[0]
    with torch.no_grad():
        assert torch.allclose(kernels.lstm_recurrence(gx, bias, w), ref, atol=1e-5)


@pytest.mark.parametrize("name", ["msmrnet", "msmnet"])
def test_fast_model_equals_the_plain_reference(name):
    """Same weights, same outputs and gradients as the straightforward implementation."""
    torch.manual_seed(0)
    model = create_model(name, in_features=23, num_classes=3, depth=2, width=4, hidden=16, kernel_sizes=(1, 3, 5))
    ref = ReferenceMSMRNet(model.config)
    ref.load_state_dict(model.state_dict())
    x, y = torch.rand(11, 23), torch.randint(0, 3, (11,))
    out, expected = model(x), ref(x)
    assert torch.allclose(out, expected, atol=1e-5)
    torch.nn.functional.cross_entropy(out, y).backward()
    torch.nn.functional.cross_entropy(expected, y).backward()
    for (n, p), q in zip(model.named_parameters(), ref.parameters()):
        assert torch.allclose(p.grad, q.grad, atol=1e-5), n


def test_without_the_kernel_the_result_is_the_same():
    torch.manual_seed(0)
    model = create_model("msmrnet", in_features=17, num_classes=2, depth=2, width=3, hidden=16)
    x = torch.rand(6, 17)
    with torch.no_grad():
        fast = model(x)
        for block in model.blocks:
            block.use_fused_kernel = False
        assert torch.allclose(model(x), fast, atol=1e-5)


def test_folded_weights_follow_parameter_updates_when_scoring():
    torch.manual_seed(0)
    model = create_model("msmrnet", in_features=12, num_classes=2, depth=1, width=2, hidden=4)
    x = torch.rand(5, 12)
    before = predict_logits(model, x)
    with torch.no_grad():
        model.blocks[0].branches[0].weight.add_(1.0)
    after = predict_logits(model, x)
    assert not torch.allclose(before, after)
    ref = ReferenceMSMRNet(model.config).eval()
    ref.load_state_dict(model.state_dict())
    with torch.no_grad():
        assert torch.allclose(after, ref(x), atol=1e-5)


def test_predict_logits_cuts_micro_batches_and_restores_mode():
    torch.manual_seed(0)
    model = create_model("msmrnet", in_features=12, num_classes=3, depth=2, width=2, hidden=4).train()
    x = torch.rand(10, 12)
    whole = predict_logits(model, x, micro_batch=10)
    assert torch.allclose(predict_logits(model, x, micro_batch=3), whole, atol=1e-6)
    assert model.training
    assert predict_logits(model, x[:0]).shape == (0, 3)
    with pytest.raises(ValueError, match="micro_batch"):
        predict_logits(model, x, micro_batch=0)


def test_the_kernel_is_built_with_the_interpreters_own_ninja(tmp_path, monkeypatch):
    """Switching between two ninja versions made PyTorch rebuild the kernel every time."""
    from msmrnet.models import kernels

    bindir = tmp_path / "bin"
    bindir.mkdir()
    monkeypatch.setattr(kernels.sys, "executable", str(bindir / "python"))
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    kernels._prefer_own_ninja()
    assert os.environ["PATH"] == "/usr/bin:/bin"  # no ninja beside the interpreter: PATH untouched
    (bindir / "ninja").write_text("")
    kernels._prefer_own_ninja()
    kernels._prefer_own_ninja()  # idempotent
    assert os.environ["PATH"] == f"{bindir}:/usr/bin:/bin"
