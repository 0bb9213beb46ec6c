"""The app keeps freed memory for reuse: building frames does not page-fault it back in."""

import subprocess
import sys
import textwrap

import pytest

from app.allocator import keep_freed_memory

# A frame's pattern of allocations (six 320 kB float32 arrays made and freed), repeated in a
# fresh process after create_app; prints the page faults per repetition. glibc's defaults
# return that memory on every free: about 440 faults per repetition on the development VM.
SCRIPT = textwrap.dedent("""
    import resource, sys, tempfile
    import numpy as np
    from app.config import Settings
    from app.main import create_app

    create_app(Settings(data_dir=tempfile.mkdtemp()))

    def frame_like():
        maps = [np.ones((8, 10000), np.float32) for _ in range(6)]
        del maps

    for _ in range(5):
        frame_like()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(50):
        frame_like()
    print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 50)
""")


def test_frames_reuse_memory_instead_of_faulting_it_in() -> None:
    if not keep_freed_memory():
        pytest.skip("this C library has no mallopt thresholds (not glibc)")
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                         check=True, timeout=120)
    faults = float(out.stdout.strip().splitlines()[-1])
    assert faults < 20, f"{faults} page faults per frame-like round of allocations"
