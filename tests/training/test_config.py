import pytest

from msmrnet.errors import ConfigError
from msmrnet.training.config import apply_overrides, dump_config, load_config


def test_defaults_file_and_overrides(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("training:\n  epochs: 7\nmodel:\n  name: msmnet_10\n")
    cfg = load_config(path, ["training.lr=0.0005", "model.options.width=32", "data.test=[KDDTest+]"])
    assert cfg.training.epochs == 7 and cfg.training.lr == 0.0005
    assert cfg.model.name == "msmnet_10" and cfg.model.options == {"width": 32}
    assert cfg.data.test == ["KDDTest+"] and cfg.data.task == "multiclass"
    again = tmp_path / "again.yaml"
    again.write_text(dump_config(cfg))
    assert load_config(again) == cfg


def test_json_config(tmp_path):
    path = tmp_path / "c.json"
    path.write_text('{"data": {"task": "binary"}}')
    assert load_config(path).data.task == "binary"


@pytest.mark.parametrize(
    "overrides, message",
    [
        (["training.epoch=3"], r"unknown key\(s\) \['epoch'\] in section 'training'"),
        (["trainer.epochs=3"], "unknown config section 'trainer'"),
        (["data.task=ternary"], "data.task must be"),
        (["training.epochs"], "not of the form"),
        (["training.lr=0"], "lr > 0"),
    ],
)
def test_bad_values_are_named(overrides, message):
    with pytest.raises(ConfigError, match=message):
        load_config(None, overrides)


def test_bad_file(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("training: [1, 2\n")
    with pytest.raises(ConfigError, match="c.yaml: not valid YAML"):
        load_config(path)
    with pytest.raises(ConfigError, match="cannot read config"):
        load_config(tmp_path / "absent.yaml")


def test_apply_overrides_parses_yaml_values():
    assert apply_overrides({}, ["a.b=null", "a.c=[1, 3]", "d=x"]) == {"a": {"b": None, "c": [1, 3]}, "d": "x"}
