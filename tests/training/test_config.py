from pathlib import Path

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


@pytest.mark.parametrize(
    "overrides, message",
    [
        (["training.lr=abc"], "training.lr: expected a number, got 'abc'"),
        (["training.epochs=2.5"], "training.epochs: expected a whole number, got 2.5"),
        (["training.epochs=true"], "training.epochs: expected a whole number, got True"),
        (["data.verify=maybe"], "data.verify: expected true or false, got 'maybe'"),
        (["data.test=[KDDTest]"], "unknown data file 'KDDTest'"),
        (["model.name=msmrnet_3"], "unknown model 'msmrnet_3'"),
        (["model.options.widht=3"], r"has no option\(s\) \['widht'\]"),
        (["model.name=msmnet_10", "model.options.depth=1"], "model 'msmnet_10' fixes depth=10"),
        (["preprocessing.scaling=log"], "preprocessing.scaling must be one of minmax, log-minmax, standard, none, got 'log'"),
    ],
)
def test_values_and_names_are_checked_before_anything_runs(overrides, message):
    with pytest.raises(ConfigError, match=message):
        load_config(None, overrides)


def test_typed_values_bypass_yaml_and_file_errors_name_the_file(tmp_path):
    assert load_config(None, values={"output.name": "2024", "training.lr": 1}).output.name == "2024"
    path = tmp_path / "c.yaml"
    path.write_text("training:\n  batchsize: 3\n")
    with pytest.raises(ConfigError, match=r"c\.yaml: unknown key\(s\) \['batchsize'\]"):
        load_config(path)


@pytest.mark.parametrize(
    "overrides, message",
    [
        (["training.seed=-1"], "seed and weight_decay >= 0"),
        (["training.weight_decay=-1"], "seed and weight_decay >= 0"),
        (["model.options.dropout=1.5"], r"dropout must be in \[0, 1\)"),
        (["model.options.depth=abc"], "model.options.depth: expected a whole number, got 'abc'"),
        (["model.options.in_features=5"], "in_features come from the data"),
        (["output.name=../escape"], "must be a plain folder name"),
    ],
)
def test_ranges_and_model_option_types(overrides, message):
    with pytest.raises(ConfigError, match=message):
        load_config(None, overrides)


@pytest.mark.parametrize("path", sorted((Path(__file__).parents[2] / "configs").glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_configs_are_valid(path):
    cfg = load_config(path)
    assert cfg.model.name.startswith("msmrnet")
    if cfg.data.holdout_labels:  # every held-out name is an NSL-KDD training attack type
        from msmrnet.data import nsl_kdd

        assert all(nsl_kdd.ATTACK_CATEGORY.get(n) not in (None, "normal") for n in cfg.data.holdout_labels)
