"""Process-level helpers for bulk work."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for a bulk operation that allocates many objects
    and no reference cycles: the collector would only walk the whole heap again and again
    (a census of 100,000 rows holds over a million objects). Reference counting frees
    everything as before; cycles, if any, wait until the collector runs again."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
