"""Checking configuration values against dataclass type hints (one rule for every config)."""

from __future__ import annotations

import types
import typing
from typing import Any

from msmrnet.errors import ConfigError


def check_type(key: str, value: Any, hint: Any) -> Any:
    """``value`` checked against ``hint`` (YAML gives int, float, bool, str, list, dict); ConfigError names ``key``."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        options = [a for a in args if a is not type(None)]
        for option in options[:-1]:  # e.g. `float | str`: the first that fits, else the last one's error
            try:
                return check_type(key, value, option)
            except ConfigError:
                pass
        hint = options[-1]
        origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is bool:
        ok = isinstance(value, bool)
    elif hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif hint is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        value = float(value) if ok else value
    elif hint is str:
        ok = isinstance(value, str)
    elif origin is list:
        value = [value] if isinstance(value, str) else value  # `test: KDDTest+` means a list of one
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
    elif origin is tuple:
        value = tuple(value) if isinstance(value, (list, tuple)) else value
        ok = isinstance(value, tuple) and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    elif origin is dict:
        ok = isinstance(value, dict)
    else:
        ok = True
    if not ok:
        want = {bool: "true or false", int: "a whole number", float: "a number", str: "a string"}.get(hint)
        if want is None:
            want = {list: "a list of names", tuple: "a list of whole numbers", dict: "a mapping"}.get(origin, str(hint))
        raise ConfigError(f"{key}: expected {want}, got {value!r}")
    return value
