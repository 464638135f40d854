"""What every part of the state database shares: the hop off the event loop, a session taken in
turns (after the schema was found current), and claiming a row."""

import asyncio
import contextvars
import functools
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import Executor
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store.migrate import require_current
from store.models import Base

P = ParamSpec("P")
R = TypeVar("R")


class _OnDatabase(Protocol):
    _database: "Database"


S = TypeVar("S", bound=_OnDatabase)


def off_loop(
    method: Callable[Concatenate[S, P], R],
) -> Callable[Concatenate[S, P], Coroutine[Any, Any, R]]:
    """Make a blocking method awaitable: it runs in a worker thread, never on the event loop.

    SQLAlchemy's engine stays synchronous; this is the one place the store leaves the loop.
    """

    @functools.wraps(method)
    async def hop(self: S, *args: P.args, **kwargs: P.kwargs) -> R:
        return await self._database.run(functools.partial(method, self, *args, **kwargs))

    return hop


@dataclass(frozen=True)
class _Call:
    """A blocking call waiting for the database thread, with the context it runs in."""

    context: contextvars.Context
    call: Callable[[], Any]
    future: asyncio.Future


def _run_batch(
    loop: asyncio.AbstractEventLoop, batch: list[_Call], done: Callable[[], None]
) -> None:
    """In the worker thread: each call of `batch` in turn, its caller answered as soon as it
    has run (its result or its exception, the others' their own); then `done` on the loop. A
    call whose caller gave up before its turn is not made (as a cancelled executor job is not)."""
    try:
        for queued in batch:
            if queued.future.cancelled():
                continue
            try:
                result, error = queued.context.run(queued.call), None
            except BaseException as err:  # handed to its own caller, not to the batch's others
                result, error = None, err
            loop.call_soon_threadsafe(_answer, queued, result, error)
    except RuntimeError:  # the loop closed meanwhile: nobody is left to answer
        return
    loop.call_soon_threadsafe(done)


def _answer(queued: _Call, result: Any, error: BaseException | None) -> None:
    """On the loop: one call's outcome to its caller (unless the caller gave up)."""
    if queued.future.done():
        return
    if error is None:
        queued.future.set_result(result)
    elif isinstance(error, StopIteration):  # which a future refuses to carry
        queued.future.set_exception(RuntimeError(repr(error)))
    else:
        queued.future.set_exception(error)


class Database:
    """The engine, and the turns each use of it takes (SQLite takes one writer at a time)."""

    def __init__(
        self, engine: Engine, turns: AbstractContextManager[Any], executor: Executor | None = None
    ) -> None:
        self.engine = engine
        self.turns = turns
        # Where blocking calls run (None: asyncio's own pool of threads). SQLite's calls take
        # turns anyway, so they share one thread: no turn handed from thread to thread, no
        # thread woken per call (about 0.1 ms less CPU per call, measured under a burst).
        self.executor = executor
        self.current = False  # whether the schema was found at the code's revision
        self._queued: list[_Call] = []
        self._draining = False

    async def run(self, call: Callable[[], R]) -> R:
        """`call()` in a worker thread, in the caller's context (as `asyncio.to_thread` runs).

        On the one SQLite thread, calls made while the thread is busy wait their turn together
        and go over in one hop: under a burst, one thread wake-up and one loop wake-up serve
        several calls instead of one each."""
        loop = asyncio.get_running_loop()
        if self.executor is None:
            return await loop.run_in_executor(None, contextvars.copy_context().run, call)
        queued = _Call(contextvars.copy_context(), call, loop.create_future())
        self._queued.append(queued)
        if not self._draining:
            self._draining = True
            self._hand_over(loop)
        return await queued.future

    def _hand_over(self, loop: asyncio.AbstractEventLoop) -> None:
        """Give the thread every call queued so far, as one batch; what queues meanwhile goes
        in the next, once this one is done."""
        batch, self._queued = self._queued, []
        try:
            self.executor.submit(_run_batch, loop, batch, lambda: self._batch_done(loop))  # type: ignore[union-attr]
        except RuntimeError as err:  # the thread was shut down (the store is closing)
            self._draining = False
            for queued in batch:
                _answer(queued, None, err)

    def _batch_done(self, loop: asyncio.AbstractEventLoop) -> None:
        """On the loop, once a batch has run: hand over the next, or wait for a call."""
        if self._queued:
            self._hand_over(loop)
        else:
            self._draining = False

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session, while this process holds its turn; the first one checks the schema."""
        with self._turn(), Session(self.engine) as session:
            yield session

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """A plain connection, for a read of rows as they are (no ORM objects: a third of the
        cost), while this process holds its turn; the first use checks the schema."""
        with self._turn(), self.engine.connect() as connection:
            yield connection

    @contextmanager
    def _turn(self) -> Iterator[None]:
        with self.turns:
            if not self.current:
                require_current(self.engine)  # raises SchemaMismatch, naming `deskhand db upgrade`
                self.current = True
            yield


class StoreArea:
    """One concern's tables. Public methods are async (see `off_loop`); the private ones block
    and run in the worker thread."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def _session(self) -> AbstractContextManager[Session]:
        return self._database.session()

    def _connection(self) -> AbstractContextManager[Connection]:
        return self._database.connection()

    def _insert_once(self, row: Base) -> bool:
        """Add `row`: True for the one caller whose row went in, False when its key was taken
        (a unique constraint, not a lock in memory, decides between processes)."""
        with self._session() as session:
            session.add(row)
            try:
                session.commit()
            except IntegrityError:
                return False
            return True
