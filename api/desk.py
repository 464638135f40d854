"""The API layer as handlers see it: one object holding a client per backend."""

import asyncio

from api.kickserv import KickservClient
from api.readydesk import ReadyDeskClient


class Desk:
    """Both backends together; handlers receive it from the context as `desk`."""

    def __init__(self, readydesk: ReadyDeskClient, kickserv: KickservClient) -> None:
        self.readydesk = readydesk
        self.kickserv = kickserv

    async def aclose(self) -> None:
        """Close every backend client's connection pool."""
        await asyncio.gather(self.readydesk.aclose(), self.kickserv.aclose())
