"""The API layer as handlers see it: a client per backend, and the customer directory."""

import asyncio

from api.business import Entry
from api.directory import CustomerDirectory
from api.kickserv import KickservClient
from api.readydesk import ReadyDeskClient
from api.reconcile import find_write
from api.writes import WritePlan


class Desk:
    """Both backends together; handlers receive it from the context as `desk`."""

    def __init__(
        self,
        readydesk: ReadyDeskClient,
        kickserv: KickservClient,
        directory: CustomerDirectory | None = None,
    ) -> None:
        self.readydesk = readydesk
        self.kickserv = kickserv
        self.directory = directory

    async def kickserv_customer_by_global_id(self, global_id: int | None) -> Entry | None:
        """The Kickserv customer a job points at (jobs carry only the global id)."""
        if global_id is None or self.directory is None:
            return None
        return await self.directory.kickserv_by_global_id(global_id)

    async def find_write(self, plan: WritePlan) -> str | None:
        """Read a write's target back: its reference when the write is there, None when not."""
        return await find_write(self, plan)

    async def aclose(self) -> None:
        """Stop the directory's refresh and close every backend client's connection pool."""
        if self.directory is not None:
            await self.directory.aclose()
        await asyncio.gather(self.readydesk.aclose(), self.kickserv.aclose())
