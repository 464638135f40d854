"""/metrics in Prometheus's text format, and the counting of each Slack request it reports.

Each request is counted, and its acknowledgement timed, where Bolt answers it (HTTP and Socket
Mode alike). Under `deskhand serve --workers N` every process writes its values to files in
PROMETHEUS_MULTIPROC_DIR (prometheus-client's multiprocess mode) and whichever process answers a
scrape adds them all up: the workers share one port, so a scraper cannot pick one. The
directory's fill state and size are read from the shared database at each scrape.
"""

import asyncio
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from slack_bolt.async_app import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from starlette.responses import Response

from api.http import redact
from bot.outbound import ScrubbingApp
from handlers.labels import request_labels
from store import Store
from telemetry.metrics import request_answered

logger = logging.getLogger("deskhand.metrics")

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
RECEIVED_AT = "deskhand_received_at"  # request context: when HTTP mode had the request
READ_TIMEOUT = 2.0
# prometheus-client's files: <type>[_<gauge mode>]_<pid>.db
_VALUE_FILE = re.compile(r"^[a-z]+(?:_[a-z]+)?_(\d+)\.db$")


class MeasuredApp(ScrubbingApp):
    """The Bolt app, counting each request and timing its acknowledgement."""

    async def async_dispatch(self, req: AsyncBoltRequest) -> BoltResponse:
        """Dispatch (Bolt returns once the listener acked); then count the request."""
        started = req.context.get(RECEIVED_AT) or time.perf_counter()
        kind, listener = request_labels(req.body if isinstance(req.body, dict) else {})
        try:
            return await super().async_dispatch(req)
        finally:
            request_answered(kind, listener, time.perf_counter() - started)


async def metrics_response(store: Store) -> Response:
    """Every metric, this process's or all workers', and the directory's state."""
    families = list(_recorded()) + await _directory(store)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Families(families))
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


def prepare_shared_metrics(workers: int) -> Callable[[], None]:
    """At a bot process's start, before any worker process: with several workers, a directory
    they all write their metrics to (PROMETHEUS_MULTIPROC_DIR; a temporary one when unset).
    Values other processes left in a directory that was set are removed (an earlier run's).
    Returns what to do once the workers have stopped."""
    given = os.environ.get(MULTIPROC_ENV)
    if given:
        path = Path(given)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.iterdir():
            match = _VALUE_FILE.match(stale.name)
            if match and int(match.group(1)) != os.getpid():
                stale.unlink(missing_ok=True)
        return lambda: None
    if workers <= 1:
        return lambda: None
    made = tempfile.mkdtemp(prefix="deskhand-metrics-")
    os.environ[MULTIPROC_ENV] = made  # the workers, started after this, inherit it
    return lambda: shutil.rmtree(made, ignore_errors=True)


def _recorded() -> Iterable[Metric]:
    if os.environ.get(MULTIPROC_ENV):
        return MultiProcessCollector(None).collect()
    return REGISTRY.collect()


async def _directory(store: Store) -> list[Metric]:
    """The directory's state per system, from the database every process shares."""
    up = GaugeMetricFamily("deskhand_state_database_up", "1 when the state database answered.")
    try:
        state = await asyncio.wait_for(store.directory.state(), READ_TIMEOUT)
    except Exception as err:  # the scrape still answers; the gauge says the database did not
        logger.warning("metrics: the state database did not answer: %s", redact(repr(err)))
        up.add_metric([], 0)
        return [up]
    up.add_metric([], 1)
    filled = GaugeMetricFamily(
        "deskhand_directory_filled",
        "1 once the customer directory holds a full walk of the system.",
        labels=["system"],
    )
    size = GaugeMetricFamily(
        "deskhand_directory_customers", "Customers the directory holds.", labels=["system"]
    )
    age = GaugeMetricFamily(
        "deskhand_directory_age_seconds",
        "Seconds since the system's last completed walk.",
        labels=["system"],
    )
    now = datetime.now(UTC)
    for system, (count, walked) in state.items():
        filled.add_metric([system], 0 if walked is None else 1)
        size.add_metric([system], count)
        if walked is not None:
            age.add_metric([system], (now - walked).total_seconds())
    return [up, filled, size, age]


class _Families:
    """A collector of metric families gathered before the scrape."""

    def __init__(self, families: list[Any]) -> None:
        self._families = families

    def collect(self) -> Iterable[Metric]:
        """The families, as given."""
        return iter(self._families)
