"""The API layer as handlers see it: a client per backend, the customer directory, who a user
is in each system, and safe writes."""

import asyncio

from api.directory import CustomerDirectory
from api.identity import Identity, identify
from api.kickserv import KickservClient
from api.readydesk import ReadyDeskClient
from api.reconcile import find_write
from api.writes import WritePlan
from store import Store
from store.directory import Entry


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
        return await find_write(self, plan)

    async def aclose(self) -> None:
        """Stop the directory's refresh and close every backend client's connection pool."""
        if self.directory is not None:
            await self.directory.aclose()
        await asyncio.gather(self.readydesk.aclose(), self.kickserv.aclose())

    # Identity and safe writes: each delegates to its module under api/.

    def _state(self) -> Store:
        if self.store is None:
            raise RuntimeError("this Desk was built without a store; identity and writes need one")
        return self.store

    async def identify(self, user_id: str, email: str | None) -> Identity:
        """Who a user is in each system: the admin's link first, then their profile's `email`."""
        return await identify(self.readydesk, self.kickserv, self._state(), user_id, email)
