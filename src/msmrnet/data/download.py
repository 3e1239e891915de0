"""Fetch registered data files for users with internet access, verifying their checksums.

Nothing in the test-suite or the demo downloads: they read files already on disk.
"""

from __future__ import annotations

import hashlib
import logging
import os
import urllib.request
from pathlib import Path

from msmrnet.data.registry import data_dir, get_file
from msmrnet.errors import DataError
from msmrnet.utils.io import atomic_output

log = logging.getLogger(__name__)


def download(name: str, root: str | os.PathLike | None = None, timeout: float = 60.0) -> Path:
    """Download ``name`` into ``<data-dir>/<dataset>/``; the file appears only if it verifies."""
    entry = get_file(name)
    target = data_dir(root) / entry.dataset / entry.filename
    errors = []
    for url in entry.urls:
        log.info("downloading %s from %s", name, url)
        digest, lines = hashlib.sha256(), 0
        try:
            with urllib.request.urlopen(url, timeout=timeout) as resp, atomic_output(target, "wb") as out:
                while block := resp.read(1 << 20):
                    digest.update(block)
                    lines += block.count(b"\n")
                    out.write(block)
                if digest.hexdigest() != entry.sha256 or lines != entry.rows:
                    raise DataError(
                        f"downloaded content does not match: {lines} rows, sha256 {digest.hexdigest()}",
                        url,
                    )
        except (OSError, DataError) as exc:
            errors.append(f"{url}: {exc}")
            continue
        return target
    raise DataError(f"could not download {name}:\n  " + "\n  ".join(errors or ["no URL known"]))
