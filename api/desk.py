"""The API layer as handlers see it: one object holding a client per backend."""

from api.readydesk import ReadyDeskClient


class Desk:
    """Both backends together; handlers receive it from the context as `desk`."""

    def __init__(self, readydesk: ReadyDeskClient) -> None:
        self.readydesk = readydesk

    async def aclose(self) -> None:
        """Close every backend client's connection pool."""
        await self.readydesk.aclose()
