"""pin_mmap_threshold: MB-sized buffers freed and allocated again stay mmapped (returned to the
system) instead of growing the heap. Each case runs in a fresh interpreter: the setting is
process-wide and glibc's dynamic threshold remembers earlier frees."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")

# Free one 1 MiB block (this raises glibc's dynamic threshold when nothing pinned it), then
# allocate another and count the blocks glibc has mmapped (mallinfo2().hblks).
PROBE = """
import ctypes, sys
from msmrnet.utils.memory import pin_mmap_threshold
class Info(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]
libc = ctypes.CDLL("libc.so.6")
libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
libc.mallinfo2.restype = Info
if sys.argv[1] == "pin":
    assert pin_mmap_threshold() and pin_mmap_threshold()  # idempotent
before = libc.mallinfo2().hblks
libc.free(libc.malloc(1 << 20))
block = libc.malloc(1 << 20)
print(libc.mallinfo2().hblks - before)
libc.free(block)
"""


def _mmapped_blocks(mode: str) -> int:
    out = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True, text=True, check=True)
    return int(out.stdout.strip())


def test_pinned_threshold_keeps_large_buffers_out_of_the_heap():
    try:
        unpinned = _mmapped_blocks("plain")
    except subprocess.CalledProcessError as exc:  # no mallinfo2: glibc older than 2.33, or not glibc
        pytest.skip(f"cannot probe the allocator: {exc.stderr.strip().splitlines()[-1]}")
    assert unpinned == 0  # glibc's default: the second 1 MiB block came from the heap
    assert _mmapped_blocks("pin") == 1  # pinned: it is mmapped, and unmapped again on free
