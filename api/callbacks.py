"""Callback radar: a ticket opened soon after a Kickserv visit to the same business was completed
may be the customer calling back about that visit.

The rule: the ticket's business has a Kickserv twin in the customer directory (the same email,
else the same phone), and one of that twin's jobs was completed within `CallbackRule.days` before
the ticket was opened. The visit shown is the latest such job; its technicians are the names on
its calendar entries. Completion is the job's `completed_on`; a completed job Kickserv sends
without one counts from its `updated_at` (the time its status last changed).

Reads are cached per process (`CallbackRadar`, one per Desk): a ticket's check costs one look in
the directory for its business's Kickserv customer, one read of that customer's completed jobs,
and one of the visit's calendar when there is a visit; nothing while they are fresh.
"""

import asyncio
import contextlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from api.business import KICKSERV, READYDESK, Entry
from api.cache import AsyncTTLCache
from api.directory import CustomerDirectory
from api.errors import BackendError
from api.jobs import crew
from api.kickserv import Job, KickservClient
from api.reads import unread_line
from api.readydesk import ReadyDeskClient, Ticket

DEFAULT_DAYS = 30
COMPLETED = "completed"  # Kickserv's status of a finished job (inferred; one place)
FRESH_FOR = 300.0  # seconds a customer's completed jobs and a visit's crew are reused
SCAN_LIMIT = 2000  # tickets `recent` checks at the most (the newest)
AT_ONCE = 8  # Kickserv reads `recent` makes at once
PAGE = 500
# What the card's line names when a read failed (api.reads.unread_line's wording).
VISITS = "the business's recent Kickserv visits"
CREW = "who did the visit"


@dataclass(frozen=True)
class CallbackRule:
    """How long after a completed visit a new ticket is a possible callback, and the zone the
    help desk writes its dates in (ReadyDesk's times carry none)."""

    days: int = DEFAULT_DAYS
    timezone: str = "UTC"

    def opened(self, ticket: Ticket) -> datetime | None:
        """When the ticket was opened, as an aware time."""
        when = ticket.opened_at
        if when is None or when.tzinfo is not None:
            return when
        return when.replace(tzinfo=ZoneInfo(self.timezone))


@dataclass(frozen=True)
class Visit:
    """A completed Kickserv job: its number, service, when it was completed and by whom (None:
    its calendar could not be read)."""

    job_number: int
    service: str
    completed_at: datetime
    technicians: tuple[str, ...] | None


@dataclass(frozen=True)
class CallbackCheck:
    """A ticket's check: the visit it may be a callback about (None: not a callback, or not
    known), and a line naming what could not be read."""

    visit: Visit | None = None
    unread: str = ""


@dataclass(frozen=True)
class PossibleCallback:
    """A ticket and the visit it may be a callback about."""

    ticket: Ticket
    visit: Visit


@dataclass
class CallbackList:
    """The possible callbacks among the tickets opened since `since` (the business's wall
    clock), newest ticket first; `checked` tickets were looked at."""

    callbacks: list[PossibleCallback]
    since: datetime
    days: int
    checked: int
    limited: bool = False  # more tickets were opened than SCAN_LIMIT: the newest were checked
    unread: list[str] = field(default_factory=list)  # tickets whose visits could not be read


def completed_at(job: Job) -> datetime | None:
    """When a completed job was completed (None for a job that is not)."""
    if job.status != COMPLETED:
        return None
    return job.completed_on or job.updated_at


class CallbackRadar:
    """Finds the visit a ticket may be a callback about, with cached Kickserv reads."""

    def __init__(
        self, kickserv: KickservClient, directory: CustomerDirectory, fresh_for: float = FRESH_FOR
    ) -> None:
        self._kickserv = kickserv
        self._directory = directory
        self._jobs = AsyncTTLCache(fresh_for)
        self._crews = AsyncTTLCache(fresh_for)
        self._twins = AsyncTTLCache(fresh_for)

    async def check(self, ticket: Ticket, rule: CallbackRule) -> CallbackCheck:
        """The visit `ticket` may be a callback about; a failed read is named, never a flag."""
        twin = None
        if customer := ticket.customer_id:
            # Only a twin found is kept: one the directory does not link yet (its first fill
            # still going) is looked for again at the next check.
            twin = await self._twins.get_or_load(
                customer,
                lambda: self._directory.record_in(KICKSERV, READYDESK, customer),
                keep=lambda found: found is not None,
            )
        return await self._check(ticket, rule, twin)

    async def _check(self, ticket: Ticket, rule: CallbackRule, twin: Entry | None) -> CallbackCheck:
        """`check`, the ticket's business's Kickserv record already found (None: it has none)."""
        try:
            job = await self._latest_visit(ticket, rule, twin)
        except BackendError as err:
            return CallbackCheck(unread=unread_line({VISITS: err}))
        if job is None:
            return CallbackCheck()
        try:
            technicians: tuple[str, ...] | None = await self._crew(job.global_id)
            unread = ""
        except BackendError as err:
            technicians, unread = None, unread_line({CREW: err})
        done = completed_at(job)
        assert done is not None
        visit = Visit(job.job_number, job.name or "Visit", done, technicians)
        return CallbackCheck(visit, unread)

    async def recent(
        self, readydesk: ReadyDeskClient, rule: CallbackRule, now: datetime
    ) -> CallbackList:
        """The tickets opened in the last `rule.days` days (before `now`, the business's wall
        clock) that are possible callbacks, each checked as its card checks it."""
        since = now - timedelta(days=rule.days)
        opened: dict[int, Ticket] = {}  # by number: a ticket arriving mid-walk shifts the pages
        walk = readydesk.iter_tickets(
            page_size=PAGE, start_date=since, order="tid", order_direction="DESC"
        )
        async with contextlib.aclosing(walk) as found:
            async for ticket in found:
                if ticket.opened_at is not None and ticket.opened_at >= since:
                    opened.setdefault(ticket.ticket_id, ticket)
                if len(opened) > SCAN_LIMIT:
                    break
        limited = len(opened) > SCAN_LIMIT
        tickets = list(opened.values())[:SCAN_LIMIT]
        twins = await self._directory.kickserv_twins(t.customer_id for t in tickets)
        gate = asyncio.Semaphore(AT_ONCE)

        async def one(ticket: Ticket) -> CallbackCheck:
            async with gate:
                return await self._check(ticket, rule, twins.get(ticket.customer_id))

        checks = await asyncio.gather(*(one(t) for t in tickets))
        callbacks = [
            PossibleCallback(t, c.visit)
            for t, c in zip(tickets, checks, strict=True)
            if c.visit is not None
        ]
        unread = [f"#{t.ticket_id}" for t, c in zip(tickets, checks, strict=True) if c.unread]
        return CallbackList(callbacks, since, rule.days, len(tickets), limited, unread)

    async def _latest_visit(
        self, ticket: Ticket, rule: CallbackRule, twin: Entry | None
    ) -> Job | None:
        """The job of the ticket's Kickserv twin completed last within the rule's window before
        the ticket was opened; None when there is none, or no twin."""
        opened = rule.opened(ticket)
        if opened is None or twin is None or not twin.record_key.isdigit():
            return None
        start = opened - timedelta(days=rule.days)
        inside = [
            (done, job)
            for job in await self._completed_jobs(int(twin.record_key))
            if (done := completed_at(job)) is not None and start <= done <= opened
        ]
        return max(inside, key=lambda pair: (pair[0], pair[1].job_number))[1] if inside else None

    async def _completed_jobs(self, customer_number: int) -> list[Job]:
        async def load() -> list[Job]:
            jobs = self._kickserv.iter_customer_jobs(customer_number, statuses=(COMPLETED,))
            return [job async for job in jobs]

        return await self._jobs.get_or_load(customer_number, load)

    async def _crew(self, job_global_id: int) -> tuple[str, ...]:
        async def load() -> tuple[str, ...]:
            tasks = self._kickserv.iter_tasks(job_global_id=job_global_id)
            return tuple(crew([task async for task in tasks]))

        return await self._crews.get_or_load(job_global_id, load)
