import numpy as np
import pytest
import torch

from msmrnet.errors import MsmrnetError
from msmrnet.models import create_model
from msmrnet.training import TrainConfig, Trainer
from msmrnet.training import trainer as trainer_mod


def toy_data(n=240, f=12, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, f), dtype=np.float32)
    y = (x[:, 0] + x[:, 3] > 1.0).astype(np.int64) + (x[:, 5] > 0.8)
    return x[:200], y[:200], x[200:], y[200:]


def new_trainer(tmp_path=None, epochs=4, patience=0, seed=3):
    torch.manual_seed(seed)
    model = create_model("msmrnet", in_features=12, num_classes=3, depth=2, width=3, hidden=3)
    ckpt = str(tmp_path / "last.safetensors") if tmp_path else None
    return Trainer(model, TrainConfig(epochs=epochs, batch_size=32, lr=0.01, patience=patience, seed=seed), ckpt, progress=False)


def test_loss_decreases_and_best_weights_are_kept():
    t = new_trainer(epochs=6)
    result = t.fit(*toy_data())
    losses = [h["train_loss"] for h in result.history]
    assert losses[-1] < losses[0]
    assert result.best_val_loss == min(h["val_loss"] for h in result.history)
    # the model holds the best epoch's weights: validating again gives the best loss
    xv, yv = toy_data()[2:]
    val_loss = t._validate(torch.from_numpy(xv), torch.from_numpy(yv))[0]
    assert val_loss == pytest.approx(result.best_val_loss, rel=1e-6)


def test_same_seed_same_history():
    h1 = new_trainer().fit(*toy_data()).history
    h2 = new_trainer().fit(*toy_data()).history
    strip = lambda h: [{k: v for k, v in r.items() if k != "seconds"} for r in h]  # noqa: E731
    assert strip(h1) == strip(h2)


def test_early_stopping_stops():
    t = new_trainer(epochs=50, patience=1)
    t.config.lr = 0.5  # far too large: validation loss soon stops improving
    result = t.fit(*toy_data())
    assert result.stopped_early and len(result.history) < 50


def test_resume_after_interruption_matches_an_uninterrupted_run(tmp_path, monkeypatch):
    data = toy_data()
    uninterrupted = new_trainer(epochs=4)
    reference = uninterrupted.fit(*data)

    # the first attempt is killed right after the checkpoint of epoch 2 is written
    real_save = Trainer._save

    def dying_save(self, epoch, *args):
        real_save(self, epoch, *args)
        if epoch == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(Trainer, "_save", dying_save)
    with pytest.raises(KeyboardInterrupt):
        new_trainer(tmp_path, epochs=4).fit(*data)
    monkeypatch.setattr(Trainer, "_save", real_save)

    resumed_trainer = new_trainer(tmp_path, epochs=4, seed=3)
    resumed = resumed_trainer.fit(*data, resume=True)
    strip = lambda h: [{k: v for k, v in r.items() if k != "seconds"} for r in h]  # noqa: E731
    assert [h["epoch"] for h in resumed.history] == [1, 2, 3, 4]
    assert strip(resumed.history) == strip(reference.history)
    for key, value in uninterrupted.model.state_dict().items():
        assert torch.equal(value, resumed_trainer.model.state_dict()[key]), key


def test_resume_refuses_a_different_configuration(tmp_path):
    new_trainer(tmp_path, epochs=1).fit(*toy_data())
    other = new_trainer(tmp_path, epochs=1)
    other.config.lr = 0.02
    other.fingerprint["train"]["lr"] = 0.02
    with pytest.raises(MsmrnetError, match="different configuration"):
        other.fit(*toy_data(), resume=True)


def test_checkpoint_holds_no_pickle(tmp_path):
    new_trainer(tmp_path, epochs=1).fit(*toy_data())
    blob = (tmp_path / "last.safetensors").read_bytes()
    assert b"\x80\x04\x95" not in blob[:200]  # pickle protocol-4 header
    from safetensors import safe_open

    with safe_open(str(tmp_path / "last.safetensors"), framework="pt") as fh:
        keys = set(fh.keys())
    assert {"rng.torch", "rng.shuffle"} <= keys and any(k.startswith("optim.") for k in keys)
    assert trainer_mod.ckpt.exists(tmp_path / "last.safetensors")
