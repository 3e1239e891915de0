"""File helpers used everywhere: atomic writes and transparent gzip reading.

Every file the project writes goes through :func:`atomic_write_bytes` (or a wrapper), so a
killed process never leaves a half-written checkpoint, model or report behind: the data goes
to a temporary file in the same directory, is flushed to disk, then renamed over the target.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Iterator

GZIP_MAGIC = b"\x1f\x8b"


def _file_mode() -> int:
    """Permissions a plain ``open`` would give (mkstemp makes files private: 0600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _mkstemp(path: Path) -> tuple[int, str]:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.fchmod(fd, _file_mode())
    return fd, tmp


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file + fsync + rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _mkstemp(path)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: str | os.PathLike, obj: Any) -> Path:
    return atomic_write_text(path, json.dumps(obj, indent=2, sort_keys=False) + "\n")


@contextmanager
def atomic_output(path: str | os.PathLike, mode: str = "w") -> Iterator[IO[Any]]:
    """Stream into a temporary file that replaces ``path`` only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _mkstemp(path)
    try:
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def atomic_directory(path: str | os.PathLike) -> Iterator[Path]:
    """Build a directory under a temporary name; swap it in place of ``path`` on success.

    The old directory (if any) is kept until the new one is in place, so an interruption leaves
    either the old or the new content, never a mix.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.{uuid.uuid4().hex[:8]}.tmp"
    tmp.mkdir()  # mode 0777 & ~umask, like any new folder
    try:
        yield tmp
        old = None
        if path.exists():
            old = path.parent / f".{path.name}.{uuid.uuid4().hex[:8]}.old"
            os.replace(path, old)
        os.replace(tmp, path)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def is_gzip(path: str | os.PathLike) -> bool:
    with open(path, "rb") as fh:
        return fh.read(2) == GZIP_MAGIC


def open_binary(path: str | os.PathLike) -> IO[bytes]:
    """Open a file for reading bytes, decompressing it if it is gzip (by content, not name)."""
    if is_gzip(path):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


def open_text(path: str | os.PathLike, encoding: str = "utf-8") -> io.TextIOWrapper:
    """Open a plain or gzipped text file; universal newlines, a UTF-8 BOM is dropped."""
    enc = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    return io.TextIOWrapper(open_binary(path), encoding=enc, newline=None)


def sha256_and_lines(path: str | os.PathLike, chunk: int = 1 << 20) -> tuple[str, int]:
    """SHA-256 of the (decompressed) content and its number of lines, in one pass."""
    digest = hashlib.sha256()
    lines = 0
    last = b""
    with open_binary(path) as fh:
        while True:
            block = fh.read(chunk)
            if not block:
                break
            digest.update(block)
            lines += block.count(b"\n")
            last = block
    if last and not last.endswith(b"\n"):
        lines += 1
    return digest.hexdigest(), lines
