"""Exceptions with enough context for a user to find and fix the problem."""

from __future__ import annotations

from pathlib import Path


class MsmrnetError(Exception):
    """Base class for errors the command line reports without a traceback."""


class DataError(MsmrnetError, ValueError):
    """Bad input data; names the file and, where known, the line and the column."""

    def __init__(
        self,
        message: str,
        path: str | Path | None = None,
        line: int | None = None,
        column: str | None = None,
    ) -> None:
        self.path, self.line, self.column = path, line, column
        where = []
        if path is not None:
            where.append(str(path))
        if line is not None:
            where.append(f"line {line}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


class ConfigError(MsmrnetError, ValueError):
    """Invalid configuration value or file."""
