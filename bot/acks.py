"""Acknowledgements: once given they stay given, and they never wait behind card work.

slack-bolt 1.30's runner (listener/asyncio_runner.py), when a listener raises after it acked,
sets `ack.response` to None and then waits out the 3-second ack timeout: the acknowledgement is
lost, Slack hears 404 after 3 seconds and shows the person an error of its own, on top of the
one Deskhand's error handler sends. Every request gets this ack instead (bot/app.py).

Under a burst, the work after the ack (backend reads, cards, posts) is what costs; it all shares
one event loop with the acknowledgements still to give. So a listener that acked waits for one
of a bounded number of slots before it goes on: a burst queues card work, never an ack. The slot
bounds CPU work, not waits: while a listener's reply is on its way to the response_url (not
paced, and as slow as Slack or the network), its slot serves the next listener.
"""

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck
from slack_bolt.response import BoltResponse


class ListenerSlots:
    """At most `limit` listeners doing their work after the ack at once, per event loop.

    `on_start` runs in the listener's context once it has its slot (bot/app.py starts the
    request's read deadline there: time spent queued is Deskhand's, not a backend's).
    """

    def __init__(self, limit: int, on_start: Callable[[], None] | None = None) -> None:
        self.limit = limit
        self._on_start = on_start
        self._semaphores: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, asyncio.Semaphore
        ] = weakref.WeakKeyDictionary()
        self._holds: weakref.WeakKeyDictionary[asyncio.Task, _Hold] = weakref.WeakKeyDictionary()

    def _semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        semaphore = self._semaphores.get(loop)
        if semaphore is None:
            semaphore = self._semaphores[loop] = asyncio.Semaphore(self.limit)
        return semaphore

    async def hold_for_this_task(self) -> None:
        """Wait for a slot; it is given back when the current task (the listener's) ends."""
        semaphore = self._semaphore()
        await semaphore.acquire()
        task = asyncio.current_task()
        if task is None:  # not inside a task: nothing to tie the slot to
            semaphore.release()
            return
        hold = self._holds[task] = _Hold(semaphore)
        task.add_done_callback(lambda _: hold.release())
        if self._on_start is not None:
            self._on_start()

    @contextlib.asynccontextmanager
    async def released(self) -> AsyncIterator[None]:
        """Give the current task's slot to another listener for the block (a wait on I/O);
        take a slot again before going on."""
        task = asyncio.current_task()
        hold = self._holds.get(task) if task is not None else None
        if hold is None or not hold.held:
            yield
            return
        hold.release()
        try:
            yield
        finally:
            await hold.semaphore.acquire()
            hold.held = True


class _Hold:
    """One task's slot, given back once however often the task lets it go and ends."""

    def __init__(self, semaphore: asyncio.Semaphore) -> None:
        self.semaphore = semaphore
        self.held = True

    def release(self) -> None:
        if self.held:
            self.held = False
            self.semaphore.release()


class RespondOutsideSlot:
    """`respond()` that lets its listener's slot go while the reply is being posted."""

    def __init__(self, respond: Any, slots: ListenerSlots) -> None:
        self._respond, self._slots = respond, slots

    async def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Post as the wrapped respond does, outside the slot."""
        async with self._slots.released():
            return await self._respond(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._respond, name)


class KeptAck(AsyncAck):
    """Bolt's ack whose response cannot be taken back once set; after the first ack given from
    a listener's own task, the listener waits for a slot (`slots`) before it goes on."""

    def __init__(
        self, slots: ListenerSlots | None = None, dispatcher: asyncio.Task | None = None
    ) -> None:
        super().__init__()
        self._slots = slots
        # Bolt itself acks some requests (events) in the task that answers HTTP: that one must
        # never wait, or the acknowledgement would.
        self._dispatcher = dispatcher
        self._held = False

    async def __call__(self, *args, **kwargs) -> BoltResponse:  # type: ignore[no-untyped-def, override]
        """Acknowledge as Bolt does; then, in a listener's task, wait for a work slot."""
        response = await super().__call__(*args, **kwargs)
        task = asyncio.current_task()
        if self._slots is not None and not self._held and task is not self._dispatcher:
            self._held = True
            await self._slots.hold_for_this_task()
        return response

    @property  # type: ignore[override]
    def response(self) -> BoltResponse | None:
        """The acknowledgement given, if any."""
        return self._response

    @response.setter
    def response(self, value: BoltResponse | None) -> None:
        if value is None and getattr(self, "_response", None) is not None:
            return  # Bolt's error path: keep the acknowledgement already given
        self._response = value
