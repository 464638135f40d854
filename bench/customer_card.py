"""The customer card's wall time against the backends' latency, and /customer search time.

Goals (issue "Read commands"): with both sandboxes at 100 ms latency, the card takes at most
2.2x one round trip (two round trips: cached lists, then everything else at once); a directory
search answers in < 300 ms p99 over 200 lookups while the backends take 1 s. Prints figures.
"""

import asyncio
import statistics
import time

from _sandboxes import large_desk, slow_down

from bot.app import handler_config
from bot.settings import Settings
from cards.customers import card_for
from cards.refs import CustomerRef
from store import Store

ROUNDS = 5
LOOKUPS = 200
CUSTOMERS = 5_000  # in each system
# The fakes run in this process, so their own CPU time adds to every "round trip"; few tickets
# keep that small, so the figure shows round trips (the zero-latency card is printed beside it).
TICKETS = 2_000


async def main() -> None:
    """Fill the directory, then time a bare round trip, the card, and directory searches."""
    settings = Settings(_env_file=None)
    store = Store("sqlite://")
    await store.migrate()
    desk = large_desk(store, customers=CUSTOMERS, tickets=TICKETS)
    started = time.perf_counter()
    await desk.directory.refresh()
    print(
        f"directory fill, {CUSTOMERS:,} customers in each system, no latency: "
        f"{time.perf_counter() - started:.1f} s"
    )
    config = handler_config(settings)
    [business] = await desk.directory.search("john.smith@democompany.com")
    ref = CustomerRef(
        readydesk_id=business.readydesk.record_key,
        kickserv_number=int(business.kickserv.record_key),
    )
    started = time.perf_counter()
    card_for(await desk.business(ref), config)
    print(
        f"customer card, no latency (the fakes' own work): "
        f"{(time.perf_counter() - started) * 1000:.1f} ms"
    )
    slow_down(desk, 0.100)
    trips, cards = [], []
    for _ in range(ROUNDS):
        desk.readydesk.forget_lookups()  # every round pays for the cached lists too
        started = time.perf_counter()
        await desk.readydesk.get_customer(ref.readydesk_id)
        trips.append(time.perf_counter() - started)
        started = time.perf_counter()
        card_for(await desk.business(ref), config)
        cards.append(time.perf_counter() - started)
    trip, card = statistics.median(trips), statistics.median(cards)
    print(f"one round trip (baseline, 100 ms latency): {trip * 1000:7.1f} ms")
    print(
        f"customer card, cold caches:                {card * 1000:7.1f} ms  "
        f"= {card / trip:.2f}x a round trip (goal <= 2.2x)"
    )

    slow_down(desk, 1.0)
    words = ["demo", "smith", "example.com", "555", "co", "zz-none", "john", "ortiz"]
    times = []
    for i in range(LOOKUPS):
        started = time.perf_counter()
        await desk.directory.search(words[i % len(words)])
        times.append(time.perf_counter() - started)
    times.sort()
    p99 = times[int(len(times) * 0.99) - 1]
    p50 = statistics.median(times)
    print(
        f"/customer directory search, backends at 1 s: p50 {p50 * 1000:.1f} ms, "
        f"p99 {p99 * 1000:.1f} ms over {LOOKUPS} (goal p99 < 300 ms)"
    )
    await desk.aclose()
    await store.close()


if __name__ == "__main__":
    asyncio.run(main())
