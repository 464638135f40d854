"""The metrics themselves, and the few helpers that record them.

In `deskhand serve --workers N` each process writes its values to PROMETHEUS_MULTIPROC_DIR
(prometheus-client's multiprocess mode, set up by bot/server.py before the workers start), and
any process's /metrics adds them up; otherwise they live in this process's memory.
"""

import functools
import time
from collections.abc import Awaitable, Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from prometheus_client import Counter, Gauge, Histogram, disable_created_metrics

# A `_created` series beside each counter and histogram doubles the scrape for nothing we alert on.
disable_created_metrics()

P = ParamSpec("P")
R = TypeVar("R")

# Slack wants an acknowledgement within 3 seconds.
ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)
CALL_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
RUN_BUCKETS = (0.05, 0.25, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0)

REQUESTS = Counter(
    "deskhand_requests",
    "Slack requests that reached the app, by kind and listener (command, action id, callback "
    "id or event type; 'other' for one the app does not register).",
    ["kind", "listener"],
)
ACK_SECONDS = Histogram(
    "deskhand_ack_seconds",
    "From a request's arrival to its acknowledgement.",
    ["kind", "listener"],
    buckets=ACK_BUCKETS,
)
BACKEND_CALLS = Counter(
    "deskhand_backend_calls",
    "Calls to ReadyDesk and Kickserv (retries included in one call), by outcome.",
    ["backend", "action", "outcome"],
)
BACKEND_SECONDS = Histogram(
    "deskhand_backend_call_seconds",
    "How long a backend call took, retries included.",
    ["backend", "action"],
    buckets=CALL_BUCKETS,
)
BACKEND_RETRIES = Counter(
    "deskhand_backend_retries",
    "Reads sent again after a transient fault (a timeout, a reset, a 5xx or a 429).",
    ["backend", "action"],
)
WRITES = Counter(
    "deskhand_writes",
    "Writes from Slack by how they ended: written, confirmed (after a read-back), not_written, "
    "unknown, duplicate or refused (not allowed to write).",
    ["action", "outcome"],
)
RECONCILED = Counter(
    "deskhand_writes_reconciled",
    "Unfinished or unknown writes the claim sweeper read back, by what it found.",
    ["outcome"],
)
DIGESTS = Counter(
    "deskhand_digests",
    "Digest slots this process handled: posted, quiet, failed, paused or skipped.",
    ["outcome"],
)
ALERTS = Counter(
    "deskhand_alerts_posted",
    "Watch alerts posted to channels (a summary of a burst counts once).",
    ["kind"],
)
WORKER_RUNS = Counter(
    "deskhand_worker_runs",
    "Runs of the background workers (digests, watches, claim_sweep), by outcome.",
    ["worker", "outcome"],
)
WORKER_SECONDS = Histogram(
    "deskhand_worker_run_seconds",
    "How long one run of a background worker took.",
    ["worker"],
    buckets=RUN_BUCKETS,
)
CLAIMS_LOST = Counter(
    "deskhand_claims_lost",
    "Claims another process held first: a digest slot, a watch alert or a write.",
    ["kind"],
)
CLAIMS_TAKEN_OVER = Counter(
    "deskhand_claims_taken_over",
    "Writes left unfinished by a stopped process that this one took over to read back.",
)
SLACK_DELIVERY = Counter(
    "deskhand_slack_delivery",
    "Slack calls that failed and were retried, found already posted, given up on, or "
    "re-routed to a DM (a response_url that failed), by method.",
    ["method", "outcome"],
)
HTTP_REFUSED = Counter(
    "deskhand_http_refused",
    "Requests to /slack/events refused before the app saw them (bad signature, too big, "
    "unreadable), by HTTP status.",
    ["status"],
)

SOCKET_CONNECTED = Gauge(
    "deskhand_socket_connected",
    "1 while the Socket Mode WebSocket to Slack is connected, 0 while it is not.",
    multiprocess_mode="livemax",
)
SOCKET_RECONNECTS = Counter(
    "deskhand_socket_reconnects",
    "Times the Socket Mode WebSocket was connected again after it had been lost.",
)
SOCKET_FAILURES = Counter(
    "deskhand_socket_connect_failures",
    "Failed tries to connect Socket Mode, by reason: url_failed (apps.connections.open failed or "
    "Slack was unreachable) "
    "or upgrade_failed (the WebSocket URL was refused or did not answer).",
    ["reason"],
)


def request_answered(kind: str, listener: str, seconds: float) -> None:
    """Count a request the app answered, and how long its acknowledgement took."""
    REQUESTS.labels(kind, listener).inc()
    ACK_SECONDS.labels(kind, listener).observe(seconds)


@contextmanager
def backend_call(
    backend: str, action: str, outcome_of: Callable[[BaseException], str]
) -> Iterator[None]:
    """Time one backend call and count its outcome ('ok', or `outcome_of(the error)`)."""
    started = time.perf_counter()
    outcome = "ok"
    try:
        yield
    except BaseException as err:
        outcome = outcome_of(err)
        raise
    finally:
        BACKEND_SECONDS.labels(backend, action).observe(time.perf_counter() - started)
        BACKEND_CALLS.labels(backend, action, outcome).inc()


def timed_run(worker: str) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R]]]:
    """Decorate a worker's run: count it (ok, failed, stopped) and time it."""

    def wrap(run: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        @functools.wraps(run)
        async def timed(*args: P.args, **kwargs: P.kwargs) -> R:
            started, outcome = time.perf_counter(), "stopped"
            try:
                result = await run(*args, **kwargs)
                outcome = "ok"
                return result
            except Exception:
                outcome = "failed"
                raise
            finally:
                WORKER_RUNS.labels(worker, outcome).inc()
                WORKER_SECONDS.labels(worker).observe(time.perf_counter() - started)

        return timed

    return wrap


class LostClaims:
    """Counts the claims of one kind this process lost, each key once: a claim it tries again
    on every look (a digest slot) is lost once, and one it won itself is never lost."""

    def __init__(self, kind: str, keep: int = 4096) -> None:
        self._kind = kind
        self._keep = keep
        self._settled: dict[Hashable, None] = {}

    def won(self, key: Hashable) -> None:
        """This process holds `key`: its later failed tries are not losses."""
        self._settle(key)

    def lost(self, key: Hashable) -> None:
        """Another process held `key` first (counted the first time only)."""
        if key not in self._settled:
            self._settle(key)
            CLAIMS_LOST.labels(self._kind).inc()

    def _settle(self, key: Hashable) -> None:
        self._settled[key] = None
        if len(self._settled) > self._keep:  # the oldest keys are past trying again
            del self._settled[next(iter(self._settled))]
