"""Logging set-up for the command line; the library itself only calls ``logging.getLogger``."""

from __future__ import annotations

import logging
import sys


def setup_logging(verbosity: int = 0) -> None:
    level = logging.WARNING if verbosity < 0 else logging.INFO if verbosity == 0 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(message)s", "%H:%M:%S"))
    root = logging.getLogger("msmrnet")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
