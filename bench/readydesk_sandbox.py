"""How fast the ReadyDesk fake seeds a large help desk and pages through it. Prints figures."""

import asyncio
import time

import httpx

from api.readydesk import ReadyDeskClient
from sandbox.data import seeded
from sandbox.readydesk import SANDBOX_KEY, build_readydesk_app

TICKETS, CUSTOMERS, PAGE = 50_000, 5_000, 100


async def main() -> None:
    """Seed, then time first, middle and last pages, a filtered page and a full filtered walk."""
    started = time.perf_counter()
    data = seeded(tickets=TICKETS, customers=CUSTOMERS)
    print(f"seed {TICKETS} tickets + {CUSTOMERS} customers: {time.perf_counter() - started:.2f} s")
    client = ReadyDeskClient(
        "http://rd/readydesk/API/default.aspx",
        SANDBOX_KEY,
        transport=httpx.ASGITransport(app=build_readydesk_app(data)),
    )
    last = TICKETS // PAGE
    for label, kwargs in (
        ("page 1", {"page": 1}),
        (f"page {last // 2}", {"page": last // 2}),
        (f"page {last} (last)", {"page": last}),
        (f"page {last} newest-first", {"page": last, "order": "TID DESC"}),
        ("page 1 status=Open", {"page": 1, "status": "Open"}),
        ("page 50 status=Open", {"page": 50, "status": "Open"}),
    ):
        started = time.perf_counter()
        tickets = await client.get_tickets(count=PAGE, **kwargs)
        elapsed = (time.perf_counter() - started) * 1000
        print(f"{label:28} {len(tickets):4} tickets  {elapsed:7.1f} ms")
    started = time.perf_counter()
    walked = sum([1 async for _ in client.iter_tickets(page_size=500, priority="Urgent")])
    print(f"walk priority=Urgent: {walked} tickets in {time.perf_counter() - started:.2f} s")
    await client.aclose()


if __name__ == "__main__":
    asyncio.run(main())
