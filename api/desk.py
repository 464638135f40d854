"""`Desk`: the one door handlers/ and workers/ use to reach the backends.

Built whole at start (both clients and the customer directory). Its reads return views (models
that cards/ draws); each method delegates to the api module that knows how to read it.
"""

import asyncio
from datetime import date, datetime

from api import digests
from api.customers import BusinessView, CustomerSearch, find_customer, read_business
from api.directory import CustomerDirectory
from api.jobs import JobView, read_job, read_job_crew, read_job_notes
from api.kickserv import Employee, Job, KickservClient, Note
from api.readydesk import ReadyDeskClient, Ticket
from api.readydesk.models import Technician
from api.reconcile import find_write
from api.refs import AnyRef, CustomerRef, JobRef, TicketQuery, TicketRef
from api.tickets import (
    FilterChoices,
    TicketListView,
    TicketView,
    filter_choices,
    read_ticket,
    read_ticket_page,
    read_ticket_strictly,
)
from api.writes import WritePlan

AnyView = TicketView | TicketListView | BusinessView | JobView


class Desk:
    """Both backends and the directory; handlers receive it from the context as `desk`."""

    def __init__(
        self, readydesk: ReadyDeskClient, kickserv: KickservClient, directory: CustomerDirectory
    ) -> None:
        self.readydesk = readydesk
        self.kickserv = kickserv
        self.directory = directory

    async def read(self, ref: AnyRef, now: datetime) -> AnyView:
        """What a card's reference stands for, read at `now` (the business's wall clock, which
        a ticket search's dates are relative to)."""
        if isinstance(ref, TicketRef):
            return await read_ticket(self.readydesk, ref.ticket_id)
        if isinstance(ref, TicketQuery):
            return await read_ticket_page(self.readydesk, ref, now)
        if isinstance(ref, JobRef):
            return await read_job(self.kickserv, self.directory, ref.job_number)
        return await read_business(self, ref)

    async def ticket(self, ticket_id: int) -> TicketView:
        """A ticket and its statuses at once; when only the statuses fail, the view says so."""
        return await read_ticket(self.readydesk, ticket_id)

    async def ticket_with_statuses(self, ticket_id: int) -> TicketView:
        """A ticket and its statuses at once, either failing being the answer."""
        return await read_ticket_strictly(self.readydesk, ticket_id)

    async def ticket_page(self, query: TicketQuery, now: datetime) -> TicketListView:
        """One page of a ticket search, newest first."""
        return await read_ticket_page(self.readydesk, query, now)

    async def business(self, ref: CustomerRef) -> BusinessView:
        """One business across both systems."""
        return await read_business(self, ref)

    async def find_customer(self, text: str) -> CustomerSearch:
        """`/customer <text>`: the businesses found, the one read whole when only one."""
        return await find_customer(self, text)

    async def job(self, job_number: int) -> JobView:
        """A job with its customer, service, crew and latest note."""
        return await read_job(self.kickserv, self.directory, job_number)

    async def job_notes(self, job_number: int) -> list[Note]:
        """Every note on a job, newest first."""
        return await read_job_notes(self.kickserv, job_number)

    async def job_crew(self, job_number: int) -> tuple[Job, list[str]]:
        """A job and who is assigned to it."""
        return await read_job_crew(self.kickserv, job_number)

    async def filter_choices(self, priorities: list[str]) -> FilterChoices:
        """The values each `/tickets` filter may name."""
        return await filter_choices(self.readydesk, priorities)

    async def digest(
        self, kind: str, query: TicketQuery, now: datetime, priorities: list[str]
    ) -> digests.TicketDigest | digests.JobDigest:
        """What a digest of `kind` shows now."""
        return await digests.read_digest(
            self.readydesk, self.kickserv, kind, query, now, priorities
        )

    async def jobs_on(self, day: date, which: digests.Window) -> digests.JobDigest:
        """A day's jobs and who is on each."""
        return await digests.jobs_on(self.kickserv, day, which)

    async def ticket_statuses(self) -> list[str]:
        """The statuses a ticket card's Status menu offers (cached)."""
        return await self.readydesk.ticket_statuses()

    async def newest_ticket_number(self) -> int:
        """The number of the newest ticket (0 when there is none)."""
        newest = await self.readydesk.get_tickets(
            count=1, page=1, order="tid", order_direction="DESC"
        )
        return newest[0].ticket_id if isinstance(newest, list) and newest else 0

    async def tickets_between(
        self, first: int, last: int, count: int, search: TicketQuery | None = None
    ) -> list[Ticket]:
        """Tickets numbered `first` to `last` (matching `search`), oldest first, at most `count`."""
        found = await self.readydesk.get_tickets(
            start_tid=first,
            end_tid=last,
            count=count,
            page=1,
            order="tid",
            order_direction="ASC",
            **(search.variables() if search else {}),
        )
        return found if isinstance(found, list) else []

    async def technicians(self) -> list[Technician]:
        """ReadyDesk's technicians (cached)."""
        return await self.readydesk.technicians()

    async def employees(self) -> list[Employee]:
        """Kickserv's employees (cached)."""
        return await self.kickserv.employees()

    async def find_write(self, plan: WritePlan) -> str | None:
        """Read a write's target back: its reference when the write is there, None when not."""
        return await find_write(self, plan)

    async def aclose(self) -> None:
        """Stop the directory's refresh and close every backend client's connection pool."""
        await self.directory.aclose()
        await asyncio.gather(self.readydesk.aclose(), self.kickserv.aclose())
