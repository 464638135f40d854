"""Searching tickets the way `/tickets`, customer cards and digests need: totals and one page,
concurrently.

ReadyDesk filters by exact values and an open-date range. "Overdue" (due before now and not
closed) has no server filter, so it is found by walking the matching tickets newest first, up to a
bound, and the page says when that bound was reached.
"""

import asyncio
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from api.readydesk.client import ReadyDeskClient
from api.readydesk.models import Ticket

SCAN_LIMIT = 2000  # tickets walked for what ReadyDesk cannot filter (overdue, unassigned)


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
    overdue: bool = False
    opened_from: datetime | None = None
    opened_to: datetime | None = None
    words: str = ""

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
    scan_limit: int = SCAN_LIMIT,
) -> TicketPage:
    """The total (from count_only) and one page of newest-first tickets, in one round trip."""
    if search.overdue:
        return await _overdue(client, search, page, page_size, now, scan_limit)
    filters = search.variables()
    total, tickets = await asyncio.gather(
        client.get_tickets(count_only=True, **filters),
        client.get_tickets(
            count=page_size, page=page, order="tid", order_direction="DESC", **filters
        ),
    )
    assert isinstance(total, int) and isinstance(tickets, list)
    return TicketPage(total=total, tickets=tickets, page=page, page_size=page_size)


async def _overdue(
    client: ReadyDeskClient,
    search: TicketSearch,
    page: int,
    page_size: int,
    now: datetime,
    scan_limit: int,
) -> TicketPage:
    found, bounded = await scan_tickets(
        client,
        search,
        lambda t: bool(t.due_at and t.due_at < now and not t.is_closed),
        newest_first=True,
        limit=scan_limit,
    )
    start = (page - 1) * page_size
    return TicketPage(
        total=len(found),
        tickets=found[start : start + page_size],
        page=page,
        page_size=page_size,
        scan_limit=scan_limit if bounded else None,
    )


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
    """A customer's tickets at a glance: how many in each status, and the newest not closed."""

    counts: dict[str, int]
    newest_open: list[Ticket]


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
    per_status = await asyncio.gather(
        *(client.get_tickets(cid=customer_id, status=s, count_only=True) for s in statuses)
    )
    counts = dict(zip(statuses, per_status, strict=True))
    return CustomerTickets(counts=counts, newest_open=open_tickets)
