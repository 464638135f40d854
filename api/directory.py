"""Filling and searching the customer directory: both systems' customers in Deskhand's database.

The first fill walks both APIs page by page; afterwards a background loop refreshes it (new
ReadyDesk customers by `start_date`, Kickserv in full since it has no date filter). Each process
starts its fill when it starts. Once filled, searches are local, so they answer in milliseconds
however slow the backends are; until then they also ask the backends (`find`).
"""

import asyncio
import contextlib
import contextvars
import logging
from collections.abc import AsyncIterator, Awaitable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from api.business import KICKSERV, READYDESK, Business, Entry, normalize_email, phone_digits
from api.errors import BackendError, NotFound, Unavailable
from api.kickserv import KickservClient
from api.kickserv.models import CustomerListing as KickservListing
from api.reads import nothing, settle
from api.readydesk import Customer, ReadyDeskClient
from api.readydesk.models import CustomerListing as ReadyDeskListing
from store.directory import DirectoryStore, Linked

logger = logging.getLogger("deskhand.directory")
T = TypeVar("T")

DEFAULT_REFRESH = 15 * 60.0
PICKER_WAIT = 1.5  # seconds a picker waits for the backends' lookups (Slack's limit is 3)
BATCH = 500
FIRST_RETRY = 5.0  # seconds after a walk failed; doubles up to the refresh interval
WALK_CUSTOMERS = 100  # Kickserv customers (four pages) a card may read to find one by its id
FULL_WALK_EVERY = 24  # refreshes; a full ReadyDesk walk also drops customers deleted there


def readydesk_entry(customer: ReadyDeskListing) -> Entry:
    """A ReadyDesk customer (or its listing) as a directory entry."""
    return Entry(
        system=READYDESK,
        record_key=customer.customer_id,
        name=customer.contact,
        company=customer.company_name,
        email=customer.email,
        phone=customer.phone,
    )


def kickserv_entry(customer: KickservListing) -> Entry:
    """A Kickserv customer (or its listing) as a directory entry."""
    return Entry(
        system=KICKSERV,
        record_key=str(customer.customer_number),
        name=customer.name,
        company=customer.company_name or "",
        email=customer.contact_email or "",
        phone=customer.phone_number or customer.phone or customer.mobile or "",
        global_id=customer.global_id,
    )


class CustomerDirectory:
    """The directory of one process: fills, refreshes and searches the shared table."""

    def __init__(
        self,
        store: DirectoryStore,
        readydesk: ReadyDeskClient,
        kickserv: KickservClient,
        *,
        refresh_every: float = DEFAULT_REFRESH,
    ) -> None:
        self._store = store
        self._readydesk = readydesk
        self._kickserv = kickserv
        self._refresh_every = refresh_every
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._walked = asyncio.Event()  # set once a refresh walked both systems
        self._refreshes = 0

    def start(self) -> None:
        """Start filling and refreshing in the background (once per process; again after
        `aclose`)."""
        if self._task is None or self._task.done():
            self._stopping.clear()
            # A context of its own: the request that starts it must not lend it its read
            # deadline, which would fail the first long walk and every refresh after it.
            self._task = asyncio.create_task(
                self._run(), name="customer-directory", context=contextvars.Context()
            )

    async def aclose(self) -> None:
        """Stop filling now: a walk waiting on a backend is cancelled at once, and a database
        write in progress is finished first (see `_finished`), so shutdown is quick and safe."""
        self._stopping.set()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def is_ready(self) -> bool:
        """True once both systems have been walked in full at least once."""
        return all(await self._filled())

    async def wait_until_ready(self) -> None:
        """Return once the directory is ready: at once if it is, else when a walk of both
        systems (the background fill's, once `start` was called) finishes."""
        if not await self.is_ready():
            await self._walked.wait()

    async def _filled(self) -> list[datetime | None]:
        """When each system (ReadyDesk, Kickserv) was last walked, from the shared database."""
        return await asyncio.gather(
            self._store.filled_at(READYDESK), self._store.filled_at(KICKSERV)
        )

    async def search(self, text: str, limit: int = 20) -> list[Business]:
        """Businesses matching `text` (ID, name, company, email or phone), linked across systems."""
        words = normalize_email(text).split()
        found = await self._store.search(
            words, record_key=text.strip(), phone=phone_digits(text), limit=limit
        )
        return [_business(linked) for linked in found]

    async def find(self, text: str, limit: int = 20, *, wait: float | None = None) -> "Found":
        """Businesses matching `text`. Until the first fill is done, also what the backends' own
        lookups find (an exact ReadyDesk ID, Kickserv's name filter; at once, each within `wait`
        seconds when given): it is saved as a fill would save it, so it links by email or phone
        with what the directory holds. A system that could not look is in `failed`."""
        if await self.is_ready():
            return Found(await self.search(text, limit))
        looked_up, failed = await self._look_up(text, wait)
        if looked_up:
            await _finished(self._store.upsert([_record(e) for e in looked_up]))
        found = await self.search(text, limit)
        shown = {(e.system, e.record_key) for b in found for e in (b.readydesk, b.kickserv) if e}
        # What Kickserv matched on another field (its filter also reads addresses), after
        # what the directory matched itself.
        missing = [(e.system, e.record_key) for e in looked_up]
        missing = [key for key in missing if key not in shown][:limit]
        extra = [_business(linked) for linked in await self._store.businesses(missing)]
        return Found(list(dict.fromkeys(found + extra))[:limit], failed, loading=True)

    async def _look_up(
        self, text: str, wait: float | None
    ) -> tuple[list[Entry], list[BackendError]]:
        """An exact ReadyDesk ID and Kickserv's name filter, at once. Only a real "no such
        record" counts as no match; a system that failed is returned, to be named."""
        rd, ks = await asyncio.gather(
            settle(_within(wait, "ReadyDesk", self._readydesk.get_customer(text)))
            if _is_id(text)
            else nothing(),
            settle(_within(wait, "Kickserv", self._kickserv.filter_customers(text))),
        )
        # ReadyDesk's "no such customer" is a real no; the name filter answers no match with
        # an empty record, so any error from it (404 included) means it could not search.
        failed = [r for r in (rd, ks) if isinstance(r, BackendError)]
        failed = [e for e in failed if not (e is rd and isinstance(e, NotFound))]
        entries = [readydesk_entry(rd)] if isinstance(rd, Customer) else []
        entries += [kickserv_entry(c) for c in ks] if isinstance(ks, list) else []
        return entries, failed

    async def business(self, system: str, record_key: str) -> Business | None:
        """The business a record belongs to."""
        linked = await self._store.business(system, record_key)
        return _business(linked) if linked else None

    async def record_in(self, wanted: str, system: str, record_key: str) -> Entry | None:
        """The `wanted` system's record of the business that record (`system`, `record_key`)
        belongs to: that record itself when it is already `wanted`'s (as the directory has it,
        or bare when the directory does not have it yet); None when the business has none."""
        if not record_key or (system == KICKSERV and not record_key.isdigit()):
            return None
        business = await self.business(system, record_key)
        found = None
        if business is not None:
            found = business.kickserv if wanted == KICKSERV else business.readydesk
        if system == wanted:
            return found or Entry(system=system, record_key=record_key, name="")
        return found

    async def kickserv_twins(self, customer_ids: Iterable[str]) -> dict[str, Entry]:
        """The Kickserv record of each ReadyDesk customer's business, by customer ID, for those
        that have one: what `record_in` finds for each, in one query."""
        keys = [(READYDESK, c) for c in dict.fromkeys(customer_ids) if c]
        found = await self._store.businesses(keys)
        return {b.readydesk.record_key: b.kickserv for b in found if b.readydesk and b.kickserv}

    async def kickserv_by_global_id(self, global_id: int) -> Entry | None:
        """The Kickserv customer with this global id, if the directory has it."""
        return await self._store.by_global_id(global_id)

    async def walk_for_kickserv(self, global_id: int) -> Entry | None:
        """The Kickserv customer with this global id, looked for among Kickserv's first
        customers (it has no lookup by global id); what was read is saved, as a fill would."""
        seen: list[Entry] = []
        async with contextlib.aclosing(self._kickserv.iter_customers()) as customers:
            async for customer in customers:
                seen.append(kickserv_entry(customer))
                if customer.global_id == global_id or len(seen) >= WALK_CUSTOMERS:
                    break
        if seen:
            await _finished(self._store.upsert([_record(e) for e in seen]))
        return next((e for e in seen if e.global_id == global_id), None)

    async def refresh(self) -> bool:
        """Walk both systems once (concurrently); a failing one is logged and tried next time.
        True when both were walked."""
        full = self._refreshes % FULL_WALK_EVERY == 0
        self._refreshes += 1
        results = await asyncio.gather(
            self._fill_readydesk(full=full), self._fill_kickserv(), return_exceptions=True
        )
        for system, result in zip((READYDESK, KICKSERV), results, strict=True):
            if isinstance(result, BackendError):
                logger.warning("directory: %s could not be read: %s", system, result.message)
            elif isinstance(result, BaseException):
                raise result
        walked = not any(isinstance(r, BaseException) for r in results)
        if walked:
            self._walked.set()
        return walked

    async def _run(self) -> None:
        retry = FIRST_RETRY
        while not self._stopping.is_set():
            try:
                wait = await self._due_in()
                if wait <= 0 and await self.refresh():
                    retry = FIRST_RETRY
                    continue
            except Exception:  # the database, say: logged, and tried again as a backend is
                logger.exception("directory: the refresh failed")
                wait = 0.0
            if wait <= 0:
                # A system that is down is tried again later, not in a loop as fast as it fails.
                wait, retry = retry, min(retry * 2, self._refresh_every)
            try:
                await asyncio.wait_for(self._stopping.wait(), wait)
            except TimeoutError:
                continue

    async def _due_in(self) -> float:
        """Seconds until the next refresh is due. The fill times are in the shared database, so
        a restart, or another process that just refreshed, does not cause another walk."""
        filled = await self._filled()
        if not all(filled):
            return 0.0
        oldest = min(at for at in filled if at is not None)
        return self._refresh_every - (datetime.now(UTC) - oldest).total_seconds()

    async def _fill_readydesk(self, *, full: bool) -> None:
        started = datetime.now(UTC)
        since = None if full else await self._store.filled_at(READYDESK)
        filters = {"start_date": (since - timedelta(days=1)).date()} if since else {}
        customers = self._readydesk.iter_customers(page_size=BATCH, **filters)
        if await self._save(readydesk_entry(c) async for c in customers):
            await _finished(self._store.finish_fill(READYDESK, started, full=full))

    async def _fill_kickserv(self) -> None:
        started = datetime.now(UTC)
        customers = self._kickserv.iter_customers()
        if await self._save(kickserv_entry(c) async for c in customers):
            await _finished(self._store.finish_fill(KICKSERV, started, full=True))

    async def _save(self, entries: AsyncIterator[Entry]) -> bool:
        """Write entries in batches; False when asked to stop before the walk finished."""
        batch: list[Entry] = []
        async for entry in entries:
            batch.append(entry)
            if len(batch) >= BATCH:
                await _finished(self._store.upsert([_record(e) for e in batch]))
                batch = []
            if self._stopping.is_set():
                return False
        await _finished(self._store.upsert([_record(e) for e in batch]))
        return True


@dataclass
class Found:
    """What a directory search found; while the directory fills, the systems whose own lookup
    failed too."""

    businesses: list[Business]
    failed: list[BackendError] = field(default_factory=list)
    loading: bool = False  # the first fill is not done: the backends were asked as well


async def _within(seconds: float | None, backend: str, read: Awaitable[T]) -> T:
    """`read`, given up after `seconds` (None: the request's own read deadline alone)."""
    if seconds is None:
        return await read
    try:
        return await asyncio.wait_for(read, seconds)
    except TimeoutError:
        message = f"{backend} did not answer in time."
        raise Unavailable(message, backend=backend, action="look up customers") from None


async def _finished(write: Awaitable[T]) -> T:
    """A database write that a cancelled fill waits for rather than abandons: it runs in a
    worker thread, which cancelling cannot stop, and the store must not close under it."""
    task = asyncio.ensure_future(write)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        await asyncio.gather(task, return_exceptions=True)
        raise


def _record(entry: Entry) -> Entry:
    """An entry as the directory table keys it: email lower-cased, phone as its last digits."""
    return replace(entry, email=normalize_email(entry.email), phone=phone_digits(entry.phone))


def _business(linked: Linked) -> Business:
    return Business(linked.readydesk, linked.kickserv, linked.linked_by)


def _is_id(text: str) -> bool:
    """Whether `text` can be one ReadyDesk customer ID (no space, no list, not the wildcard)."""
    return bool(text) and not any(c in text for c in " ,") and text != "*"
