"""Ticket reads as views: a ticket with the statuses its card offers, a page of a search, and
the values each `/tickets` filter may name."""

import asyncio
from dataclasses import dataclass, field
from datetime import datetime

from api.callbacks import Visit
from api.errors import BackendError
from api.reads import all_at_once, settle, unread_line
from api.readydesk import ReadyDeskClient, Ticket
from api.readydesk.search import TicketPage, search_tickets
from api.refs import TicketQuery
from api.visits import VisitView

PAGE_SIZE = 10


@dataclass
class TicketView:
    """A ticket read now, the statuses its Status menu offers, the visit it may be a callback
    about, and a line naming what failed."""

    ticket: Ticket
    statuses: list[str] = field(default_factory=list)
    unread: str = ""
    callback: Visit | None = None  # the visit it may be a callback about (api/callbacks.py)
    visits: list[VisitView] = field(default_factory=list)  # the jobs booked for it


@dataclass
class TicketListView:
    """One page of a ticket search, the search it answers, and when it was read."""

    page: TicketPage
    query: TicketQuery
    now: datetime


@dataclass(frozen=True)
class FilterChoices:
    """The help desk's own values each filter accepts."""

    statuses: list[str]
    priorities: list[str]
    categories: list[str]
    sources: list[str]
    groups: list[str]
    techs: list[str]


async def read_ticket(readydesk: ReadyDeskClient, ticket_id: int) -> TicketView:
    """Ticket `ticket_id` with its statuses (cached), at once; when only the statuses fail, the
    view has none and says so in one line."""
    ticket, statuses = await all_at_once(
        readydesk.get_ticket(ticket_id), settle(readydesk.ticket_statuses())
    )
    if isinstance(statuses, BackendError):
        unread = unread_line({"the statuses for the Status menu": statuses})
        return TicketView(ticket, [], unread)
    return TicketView(ticket, statuses)


async def read_ticket_page(
    readydesk: ReadyDeskClient, query: TicketQuery, now: datetime
) -> TicketListView:
    """The page `query.page` of a ticket search, newest first, with its total."""
    page = await search_tickets(readydesk, query, page=query.page, page_size=PAGE_SIZE, now=now)
    return TicketListView(page, query, now)


async def filter_choices(readydesk: ReadyDeskClient, priorities: list[str]) -> FilterChoices:
    """The values each filter accepts, from ReadyDesk's cached lists (priorities are set in
    Deskhand's configuration: ReadyDesk has no list of them)."""
    statuses, categories, sources, groups, techs = await asyncio.gather(
        readydesk.ticket_statuses(),
        readydesk.ticket_categories(),
        readydesk.ticket_sources(),
        readydesk.tech_groups(),
        readydesk.technicians(),
    )
    return FilterChoices(
        statuses=statuses,
        priorities=priorities,
        categories=categories,
        sources=sources,
        groups=[g.name for g in groups],
        techs=[t.uid for t in techs],
    )


async def newest_ticket_number(readydesk: ReadyDeskClient) -> int:
    """The number of the newest ticket (0 when there is none)."""
    newest = await readydesk.get_tickets(count=1, page=1, order="tid", order_direction="DESC")
    return newest[0].ticket_id if isinstance(newest, list) and newest else 0


async def tickets_between(
    readydesk: ReadyDeskClient, first: int, last: int, count: int, search: TicketQuery | None
) -> list[Ticket]:
    """Tickets numbered `first` to `last` (matching `search`), oldest first, at most `count`."""
    found = await readydesk.get_tickets(
        start_tid=first,
        end_tid=last,
        count=count,
        page=1,
        order="tid",
        order_direction="ASC",
        **(search.variables() if search else {}),
    )
    return found if isinstance(found, list) else []
