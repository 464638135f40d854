"""The garbage collector tuned for a server that answers bursts.

A full collection walks every tracked object. Measured under a burst (bench/ack_burst.py), each
automatic one stopped the event loop for 150-280 ms — the objects built at start plus the
requests still waiting for a work slot — long enough to put every acknowledgement in flight at
that moment past the 99th percentile. So once the app is built, what exists is frozen out of
later collections; young collections stay automatic (rarer: larger first generation); and full
collections run on the scheduler's clock instead (`collect_old_objects`, once a minute), not
whenever a burst happens to allocate.
"""

import gc
import logging
import threading
import time

logger = logging.getLogger("deskhand.heap")

FULL_COLLECTION_EVERY = 60.0  # seconds
# Python's default is (700, 10, 10). The third number never comes due here: full collections
# are the scheduler's (see the module docstring). A larger first number was tried: at 50,000 a
# burst spent half the CPU on collections, but a young collection then walked every request in
# flight, 25-108 ms where the longest at 700 is 6 ms, and the ack p99 at c=10 rose by a third.
THRESHOLDS = (700, 10, 1_000_000_000)


def defer_full_collections() -> None:
    """The serving thresholds from before a server's imports and build: the ~1,200 modules
    and the start's objects otherwise pay for automatic full collections (two, about 0.1 CPU-s)
    that `settle_heap`'s one collection makes needless. Only in the main thread: `main()` run
    in a thread (tests' run_cli) leaves the process's collector as it is."""
    if threading.current_thread() is threading.main_thread():
        gc.set_threshold(*THRESHOLDS)


def settle_heap() -> None:
    """Collect once, freeze every surviving object out of later collections, and leave full
    collections to `collect_old_objects`."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)


def collect_old_objects() -> int:
    """One full collection (what the automatic third generation would have done); returns the
    number of unreachable objects found."""
    started = time.perf_counter()
    found = gc.collect()
    logger.debug(
        "full collection: %d found in %.1f ms", found, 1000 * (time.perf_counter() - started)
    )
    return found
