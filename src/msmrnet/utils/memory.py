"""Keep the resident memory of long streaming jobs flat under glibc's allocator.

The model's forward pass allocates and frees buffers of a few MB per micro-batch (the folded
input windows, the gate pre-activations). glibc serves requests above ``M_MMAP_THRESHOLD``
(128 KiB at start) with ``mmap`` and returns them to the system on ``free``, but the first such
free raises the threshold to the freed size ("dynamic threshold"). From then on these buffers
come from the heap, which fragments and grows: `msmrnet detect` on 300,000 rows had a steady
640 MB resident with one-off peaks of 1.0-1.1 GB. Setting the threshold explicitly turns the
dynamic adjustment off; the same run then peaked at 554 MB (docs/PERFORMANCE.md).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys

log = logging.getLogger(__name__)

M_MMAP_THRESHOLD = -3  # mallopt parameter number, from glibc's <malloc.h>
MMAP_THRESHOLD_BYTES = 128 * 1024  # glibc's own starting value

_pinned = False


def pin_mmap_threshold(nbytes: int = MMAP_THRESHOLD_BYTES) -> bool:
    """Fix glibc's mmap threshold for this process; True when set (or already set).

    A no-op returning False where the C library is not glibc (macOS, Windows, musl).
    """
    global _pinned
    if _pinned:
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    _pinned = mallopt(M_MMAP_THRESHOLD, nbytes) == 1  # mallopt returns 1 on success
    if not _pinned:
        log.debug("mallopt(M_MMAP_THRESHOLD) refused; resident memory may show transient peaks")
    return _pinned
