"""Searching tickets the way `/tickets`, customer cards and digests need: totals and one page,
concurrently.

ReadyDesk filters by exact values and an open-date range. "Unresolved" (every status but the
closed ones) is each unresolved status asked for on its own and summed. "Overdue" (unresolved and
due before now) has no server filter: in each unresolved status's due-date order the overdue
tickets come first, so where they end is found by a binary search over small pages, and the most
overdue are that order's first page: exact over any number of tickets, in bounded memory and
time. "Unassigned" is found among the newest tickets, up to a bound, and the page says when that
bound was reached.
"""

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from api.readydesk.client import ReadyDeskClient
from api.readydesk.models import Ticket, is_closed_status

SCAN_LIMIT = 2000  # tickets walked for what ReadyDesk cannot filter (unassigned)
PROBE = 50  # tickets a page while searching for where the overdue ones end


class TicketSearch(BaseModel):
    """Server-ready filter values (exact status, technician ID, …) and keyword words."""

    model_config = ConfigDict(frozen=True)

    status: str | None = None
    priority: str | None = None
    category: str | None = None
    source: str | None = None
    group: str | None = None
    tech: str | None = None
    customer: str | None = None
    due: date | None = None
    overdue: bool = False  # unresolved and due before now
    unresolved: bool = False  # every status but the closed ones (`status:unresolved`)
    unassigned: bool = False  # no technician (`tech:none`)
    opened_from: datetime | None = None
    opened_to: datetime | None = None
    words: str = ""

    def admits(self, ticket: Ticket) -> bool:
        """True unless the ticket fails what ReadyDesk cannot filter on (unresolved, no
        technician): for a list read with `variables()` alone."""
        if self.unresolved and ticket.is_closed:
            return False
        return not (self.unassigned and ticket.assigned_tech)

    def variables(self) -> dict[str, Any]:
        """The get_tickets variables these filters stand for."""
        values = {
            "status": self.status,
            "priority": self.priority,
            "category": self.category,
            "source": self.source,
            "group": self.group,
            "uid": self.tech,
            "cid": self.customer,
            "due_date": self.due,
            "start_date": self.opened_from,
            "end_date": self.opened_to,
            "keyword": self.words or None,
        }
        return {k: v for k, v in values.items() if v is not None}


class TicketPage(BaseModel):
    """One page of a search, with the total it is part of."""

    total: int
    tickets: list[Ticket]
    page: int
    page_size: int
    scan_limit: int | None = None  # set when the total only covers the newest `scan_limit`

    @property
    def pages(self) -> int:
        """How many pages the total fills (at least one)."""
        return max(1, -(-self.total // self.page_size))


async def search_tickets(
    client: ReadyDeskClient,
    search: TicketSearch,
    *,
    page: int = 1,
    page_size: int = 10,
    now: datetime,
) -> TicketPage:
    """The total (from count_only) and one page of newest-first tickets, in one round trip."""
    if search.overdue:  # most overdue first: the order that costs no walk over them all
        runs = await count_overdue(client, search, now)
        skip = (page - 1) * page_size
        tickets = await most_overdue(client, search, runs, skip=skip, size=page_size)
        total = sum(r.count for r in runs)
        return TicketPage(total=total, tickets=tickets, page=page, page_size=page_size)
    if search.unassigned:
        return await _unassigned(client, search, page, page_size)
    if search.unresolved:
        return await _unresolved(client, search, page, page_size)
    filters = search.variables()
    total, tickets = await asyncio.gather(
        client.get_tickets(count_only=True, **filters),
        client.get_tickets(
            count=page_size, page=page, order="tid", order_direction="DESC", **filters
        ),
    )
    assert isinstance(total, int) and isinstance(tickets, list)
    return TicketPage(total=total, tickets=tickets, page=page, page_size=page_size)


async def unresolved_statuses(client: ReadyDeskClient, search: TicketSearch) -> list[str]:
    """The statuses a search for unresolved (or overdue) tickets asks for one by one: the one it
    names (none if that one is closed), else every status but the closed ones."""
    if search.status:
        return [] if is_closed_status(search.status) else [search.status]
    return [s for s in await client.ticket_statuses() if not is_closed_status(s)]


@dataclass(frozen=True)
class _DueRun:
    """Where one status's overdue tickets sit in its due-date order: from `start` (after any
    tickets with no due date a backend sorts first), `count` of them."""

    status: str
    start: int
    count: int
    head: tuple[Ticket, ...] = ()  # the first page of that order, read while searching


async def count_overdue(
    client: ReadyDeskClient, search: TicketSearch, now: datetime
) -> list[_DueRun]:
    """Each unresolved status's overdue tickets, found without reading them all: in due-date
    order the overdue ones come first, so a binary search over small pages finds where they
    end (about log2(n / PROBE) reads per status, the statuses at once, whatever n is)."""
    filters = search.variables()
    filters.pop("status", None)

    async def run(status: str) -> _DueRun:
        read: dict[int, list[Ticket]] = {}

        async def page_at(index: int) -> list[Ticket]:
            if index not in read:
                found = await client.get_tickets(
                    count=PROBE,
                    page=index + 1,
                    order="due_date",
                    order_direction="ASC",
                    status=status,
                    **filters,
                )
                read[index] = found if isinstance(found, list) else []
            return read[index]

        total = await client.get_tickets(count_only=True, status=status, **filters)
        size = total if isinstance(total, int) else 0
        first = (await page_at(0))[:1] if size else []
        if not first or first[0].due_at is not None:  # missing dates last (or none at all)
            end = await _first(0, size, page_at, lambda t: t.due_at is None or t.due_at >= now)
            return _DueRun(status, 0, end, tuple(read.get(0, ())))
        start = await _first(0, size, page_at, lambda t: t.due_at is not None)
        end = await _first(start, size, page_at, lambda t: t.due_at is not None and t.due_at >= now)
        return _DueRun(status, start, end - start)

    return list(await asyncio.gather(*(run(s) for s in await unresolved_statuses(client, search))))


async def _first(
    low: int,
    high: int,
    page_at: Callable[[int], Awaitable[list[Ticket]]],
    past: Callable[[Ticket], bool],
) -> int:
    """The first position in [low, high) whose ticket is `past` (high when none is), `past`
    being false up to some position and true from it on; pages of PROBE tickets are read."""
    first_page, end_page = low // PROBE, -(-high // PROBE)
    best = high
    while first_page < end_page:
        middle = (first_page + end_page) // 2
        start = middle * PROBE
        batch = await page_at(middle)
        hit = next((start + i for i, t in enumerate(batch) if start + i >= low and past(t)), None)
        if not batch:  # past the end (the tickets changed meanwhile)
            best, end_page = min(best, start), middle
        elif hit is None:
            first_page = middle + 1
        elif hit > max(start, low):  # a ticket before it on this page is not past: found
            return hit
        else:
            best, end_page = hit, middle
    return max(low, min(best, high))


async def most_overdue(
    client: ReadyDeskClient,
    search: TicketSearch,
    runs: list[_DueRun],
    *,
    skip: int,
    size: int,
) -> list[Ticket]:
    """The overdue tickets from position `skip` on, `size` of them, most overdue first (earliest
    due date, then lowest number): each status's first ones, merged."""
    filters = search.variables()
    filters.pop("status", None)
    wanted = skip + size
    if all(r.start == 0 and (r.count <= len(r.head) or wanted <= len(r.head)) for r in runs):
        pages: list[Any] = [list(r.head) for r in runs if r.count]  # read already: no round trip
    else:
        pages = await _due_pages(client, runs, wanted, filters)
    overdue = [
        t
        for run, page in zip([r for r in runs if r.count], pages, strict=True)
        if isinstance(page, list)
        for t in page[run.start : run.start + run.count]
    ]
    overdue.sort(key=lambda t: (t.due_at, t.ticket_id))
    return overdue[skip:wanted]


async def _due_pages(
    client: ReadyDeskClient, runs: list[_DueRun], wanted: int, filters: dict[str, Any]
) -> list[Any]:
    """Each status's first tickets in due-date order, as many as `wanted` overdue ones."""
    return await asyncio.gather(
        *(
            client.get_tickets(
                count=run.start + min(run.count, wanted),
                page=1,
                order="due_date",
                order_direction="ASC",
                status=run.status,
                **filters,
            )
            for run in runs
            if run.count
        )
    )


async def _unresolved(
    client: ReadyDeskClient, search: TicketSearch, page: int, page_size: int
) -> TicketPage:
    """Unresolved tickets: the counts of each unresolved status summed, and the page taken from
    each status's newest (the newest `page * page_size` overall are among them), all at once."""
    statuses = await unresolved_statuses(client, search)
    filters = search.variables()
    filters.pop("status", None)
    wanted = page * page_size
    counts, pages = await asyncio.gather(
        asyncio.gather(
            *(client.get_tickets(count_only=True, status=s, **filters) for s in statuses)
        ),
        asyncio.gather(
            *(
                client.get_tickets(
                    count=wanted, page=1, order="tid", order_direction="DESC", status=s, **filters
                )
                for s in statuses
            )
        ),
    )
    newest = sorted(
        (t for batch in pages if isinstance(batch, list) for t in batch),
        key=lambda t: t.ticket_id,
        reverse=True,
    )
    start = (page - 1) * page_size
    return TicketPage(
        total=sum(n for n in counts if isinstance(n, int)),
        tickets=newest[start : start + page_size],
        page=page,
        page_size=page_size,
    )


async def _unassigned(
    client: ReadyDeskClient, search: TicketSearch, page: int, page_size: int
) -> TicketPage:
    """Tickets with no technician (unresolved too when asked) among the newest SCAN_LIMIT, as
    the unassigned digest finds them, newest first."""
    found, bounded = await scan_tickets(
        client, search, unassigned_keep(search.unresolved), newest_first=True
    )
    start = (page - 1) * page_size
    return TicketPage(
        total=len(found),
        tickets=found[start : start + page_size],
        page=page,
        page_size=page_size,
        scan_limit=SCAN_LIMIT if bounded else None,
    )


def unassigned_keep(unresolved: bool) -> Callable[[Ticket], bool]:
    """What an unassigned search keeps: no technician, and not closed when `unresolved`."""
    return lambda t: not t.assigned_tech and not (unresolved and t.is_closed)


async def scan_tickets(
    client: ReadyDeskClient,
    search: TicketSearch,
    keep: Callable[[Ticket], bool],
    *,
    newest_first: bool,
    limit: int = SCAN_LIMIT,
) -> tuple[list[Ticket], bool]:
    """The matching tickets `keep` accepts, walking at most `limit` of them (for what ReadyDesk
    cannot filter); True when the bound was reached, so the answer may be partial."""
    found: list[Ticket] = []
    seen = 0
    walk = client.iter_tickets(
        page_size=min(500, limit),
        order="tid",
        order_direction="DESC" if newest_first else "ASC",
        **search.variables(),
    )
    async for ticket in walk:
        seen += 1
        if keep(ticket):
            found.append(ticket)
        if seen >= limit:
            break
    return found, seen >= limit


class CustomerTickets(BaseModel):
    """A customer's tickets at a glance: how many in each status, and the newest unresolved."""

    counts: dict[str, int]
    newest_open: list[Ticket]  # the newest unresolved, over all the customer's tickets

    @property
    def total(self) -> int:
        """Every ticket of the customer (what `/tickets customer:<ID>` lists)."""
        return sum(self.counts.values())


async def customer_tickets(
    client: ReadyDeskClient, customer_id: str, *, newest: int = 5, window: int = 100
) -> CustomerTickets:
    """Counts by status and the newest open tickets, in one round trip for most customers.

    The newest `window` tickets and the total come at once; when the window holds them all, the
    counts are made from it. Only a customer with more tickets costs one count per status.
    """
    recent, total = await asyncio.gather(
        client.get_tickets(
            cid=customer_id, count=window, page=1, order="tid", order_direction="DESC"
        ),
        client.get_tickets(cid=customer_id, count_only=True),
    )
    assert isinstance(recent, list) and isinstance(total, int)
    open_tickets = [t for t in recent if not t.is_closed][:newest]
    if total <= len(recent):
        counts = Counter(t.status for t in recent if t.status)
        return CustomerTickets(counts=dict(counts.most_common()), newest_open=open_tickets)
    statuses = await client.ticket_statuses()
    per_status, newest_each = await asyncio.gather(
        asyncio.gather(
            *(client.get_tickets(cid=customer_id, status=s, count_only=True) for s in statuses)
        ),
        asyncio.gather(  # the newest unresolved may be older than the window: each status's own
            *(
                client.get_tickets(
                    cid=customer_id,
                    status=s,
                    count=newest,
                    page=1,
                    order="tid",
                    order_direction="DESC",
                )
                for s in statuses
                if not is_closed_status(s)
            )
        ),
    )
    counts = dict(zip(statuses, per_status, strict=True))
    unresolved = [t for page in newest_each if isinstance(page, list) for t in page]
    unresolved.sort(key=lambda t: t.ticket_id, reverse=True)
    return CustomerTickets(counts=counts, newest_open=unresolved[:newest])
