"""The requests still at work after their acknowledgement: a stop (SIGTERM) waits for them, so
every request Slack was told was received gets its card or its error before the process exits.

slack-bolt's asyncio runner (listener/asyncio_runner.py) acknowledges and then runs the listener
in a task of its own that nobody keeps. The first thing that task does is call the runner's
public `listener_start_handler`; `track_listeners` installs one that notes the task (and then
does what the handler it replaces did). The listener's error handler and completion handler run
in that same task, so a listener that fails is waited for until its error is told. Lazy listeners
(`lazy=[...]`; Deskhand registers none) start through `lazy_listener_runner` instead and are not
tracked. Writes keep their own drain (the Desk's `in_flight`): a stop waits for both, within one
DESKHAND_DRAIN_SECONDS.
"""

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.listener.async_listener_start_handler import AsyncListenerStartHandler

from api.writes import WritesInFlight

logger = logging.getLogger("deskhand.inflight")


class ListenersInFlight:
    """The listener tasks of one Bolt app that have not finished."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def add(self, task: asyncio.Task[Any]) -> None:
        """Keep `task` until it is done."""
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def running(self) -> set[asyncio.Task[Any]]:
        """The tasks not done yet (never the caller's own)."""
        current = asyncio.current_task()
        return {task for task in self._tasks if not task.done() and task is not current}

    async def wait(self, timeout: float) -> int:
        """Wait up to `timeout` seconds for every listener running, and for those they start
        meanwhile; returns how many are still running."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while running := self.running():
            left = deadline - loop.time()
            if left <= 0:
                break
            await asyncio.wait(running, timeout=left)
        return len(self.running())


class _TrackingStartHandler(AsyncListenerStartHandler):
    """A listener start handler that notes the listener's task, then runs the one it wraps."""

    def __init__(self, inner: AsyncListenerStartHandler, listeners: ListenersInFlight) -> None:
        self.inner = inner
        self.listeners = listeners

    async def handle(self, request: Any, response: Any) -> None:
        """Note the running task (the listener's), then start as before."""
        task = asyncio.current_task()
        if task is not None:
            self.listeners.add(task)
        await self.inner.handle(request=request, response=response)


def track_listeners(app: AsyncApp) -> ListenersInFlight:
    """The listeners `app` runs from now on, kept until each is done (idempotent per app)."""
    runner = app.listener_runner
    handler = runner.listener_start_handler
    if isinstance(handler, _TrackingStartHandler):
        return handler.listeners
    tracking = _TrackingStartHandler(handler, ListenersInFlight())
    runner.listener_start_handler = tracking
    return tracking.listeners


async def finish_in_flight(
    listeners: ListenersInFlight, writes_in_flight: WritesInFlight, seconds: float
) -> int:
    """At a stop: wait up to `seconds` in all for the acknowledged requests still at work, then
    for the writes in flight; log what is left, and return how many requests and writes."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    requests = await listeners.wait(seconds)
    writes = await writes_in_flight.drain(max(0.0, deadline - loop.time()))
    if requests:
        logger.warning("stopping with %d acknowledged request(s) unfinished", requests)
    if writes:
        logger.warning("stopping with %d write(s) unfinished; the next start reconciles", writes)
    return requests + writes
