"""The API layer as handlers see it: a client per backend, the customer directory, who a user
is in each system, and safe writes."""

import asyncio

from api.business import Entry
from api.directory import CustomerDirectory
from api.identity import Identity, Profile, identify
from api.job_writes import JobCreation, NewJob, create_job
from api.kickserv import KickservClient
from api.note_writes import NotedRecord, add_note
from api.read_back import find_write
from api.readydesk import ReadyDeskClient
from api.ticket_writes import NewTicket, change_ticket, create_ticket
from api.writes import Intent, WritePlan, WriteResult
from store import Store


class Desk:
    """Both backends together; handlers receive it from the context as `desk`."""

    def __init__(
        self,
        readydesk: ReadyDeskClient,
        kickserv: KickservClient,
        directory: CustomerDirectory | None = None,
        store: Store | None = None,
    ) -> None:
        self.readydesk = readydesk
        self.kickserv = kickserv
        self.directory = directory
        self.store = store

    async def kickserv_customer_by_global_id(self, global_id: int | None) -> Entry | None:
        """The Kickserv customer a job points at (jobs carry only the global id)."""
        if global_id is None or self.directory is None:
            return None
        return await self.directory.kickserv_by_global_id(global_id)

    async def find_write(self, plan: WritePlan) -> str | None:
        """Read a write's target back: its reference when the write is there, None when not."""
        return await find_write(self.readydesk, self.kickserv, plan)

    async def aclose(self) -> None:
        """Stop the directory's refresh and close every backend client's connection pool."""
        if self.directory is not None:
            await self.directory.aclose()
        await asyncio.gather(self.readydesk.aclose(), self.kickserv.aclose())

    # Identity and safe writes: each delegates to its module under api/.

    def _required_store(self) -> Store:
        if self.store is None:
            raise RuntimeError("this Desk was built without a store; identity and writes need one")
        return self.store

    async def identify(self, user_id: str, email: str | None) -> Identity:
        """Who a user is in each system: the admin's link first, then their profile's `email`."""
        return await identify(self.readydesk, self.kickserv, self._required_store(), user_id, email)

    async def add_note(
        self, intent: Intent, record: NotedRecord, text: str, author: Profile
    ) -> WriteResult:
        """Write a note once: on a ticket (as the author's technician), a customer or a job."""
        return await add_note(
            self.readydesk, self.kickserv, self._required_store(), intent, record, text, author
        )

    async def create_ticket(
        self, intent: Intent, ticket: NewTicket, author: Profile
    ) -> WriteResult:
        """Create a ReadyDesk ticket once, signed by `author`."""
        return await create_ticket(
            self.readydesk, self.kickserv, self._required_store(), intent, ticket, author
        )

    async def create_job(self, intent: Intent, job: NewJob, author: Profile) -> JobCreation:
        """Create a Kickserv job once, signed by `author`; then read it back and assign it."""
        return await create_job(
            self.readydesk, self.kickserv, self._required_store(), intent, job, author
        )

    async def assign_ticket(self, intent: Intent, ticket_id: int, technician: str) -> WriteResult:
        """Assign a ticket to a technician, once per intent."""
        fields = {"assigned_to": technician}
        return await change_ticket(
            self.readydesk, self.kickserv, self._required_store(), intent, ticket_id, fields
        )

    async def set_ticket_status(self, intent: Intent, ticket_id: int, status: str) -> WriteResult:
        """Set a ticket's status, once per intent."""
        return await change_ticket(
            self.readydesk,
            self.kickserv,
            self._required_store(),
            intent,
            ticket_id,
            {"status": status},
        )

    async def close_ticket(self, intent: Intent, ticket_id: int) -> WriteResult:
        """Close a ticket now, once per intent."""
        return await change_ticket(
            self.readydesk, self.kickserv, self._required_store(), intent, ticket_id, {}, close=True
        )
