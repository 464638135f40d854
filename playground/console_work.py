"""Waiting for the work one request started, so the console can print every reply of a line.

The console runs the app as `deskhand serve` and Socket Mode do: Bolt returns the acknowledgement
and runs the listener in an asyncio task of its own. To know when a line's replies are all in,
the console records the tasks created once the app's own middleware has run (the listener, and
whatever it starts in turn) and waits for them. Background loops, such as the directory fill
the console starts with the app, are not recorded.
"""

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from contextvars import ContextVar
from typing import Any

from slack_bolt.async_app import AsyncApp

# The tasks the current request has started; None outside a request. Tasks copy the context
# they are created in, so a listener's own tasks add to the same list.
_started: ContextVar[list[asyncio.Task[Any]] | None] = ContextVar("console_started", default=None)


class ListenerWork:
    """Records the tasks a request's listeners run in, and waits for them to finish."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._previous: Any = None

    def install(self, app: AsyncApp) -> None:
        """Record tasks on the running loop, from `app`'s last global middleware onwards."""
        self._loop = asyncio.get_running_loop()
        self._previous = self._loop.get_task_factory()
        self._loop.set_task_factory(self._create)

        async def record_listener_tasks(next: Callable[[], Awaitable[None]]) -> None:
            """From here on, tasks this request creates are its listeners' work."""
            _started.set([])
            await next()

        app.middleware(record_listener_tasks)

    def uninstall(self) -> None:
        """Give the loop back its own task factory."""
        if self._loop is not None:
            self._loop.set_task_factory(self._previous)
            self._loop = None

    async def wait(self, timeout: float | None = None) -> None:
        """Wait until every task the last request started (and each of theirs) has finished,
        or `timeout` seconds have passed."""
        started = _started.get() or []
        _started.set(None)
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while pending := [task for task in started if not task.done()]:
            left = None if deadline is None else deadline - loop.time()
            if left is not None and left <= 0:
                return
            await asyncio.wait(pending, timeout=left)

    def _create(
        self, loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, Any], **options: Any
    ) -> asyncio.Task[Any]:
        if self._previous is not None:
            task = self._previous(loop, coro, **options)
        else:
            task = asyncio.Task(coro, loop=loop, **options)
        started = _started.get()
        if started is not None:
            started.append(task)
        return task
