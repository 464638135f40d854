"""The unresolved digest over 50,000 sandbox tickets with the backends at 20 ms: build time (and
as a multiple of one round trip measured in the same run), backend calls, and peak memory.

Goals (issue "Scheduled channel digests"): < 10 s, < 150 MB RSS. The fakes live in this process,
so RSS is shown before and after: the digest's own share is the difference. The overdue digest's
total and "most overdue" list are checked against a direct count over the fake's tickets (issue
"One truth on every surface").
"""

import asyncio
import resource
import time

from _sandboxes import count_calls, large_desk, slow_down

from api.digests import open_tickets, overdue_tickets
from api.readydesk.search import TicketSearch
from bot.app import handler_config
from bot.settings import Settings
from store import Store

TICKETS = 50_000


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def main() -> None:
    """Seed, then time one round trip and the digests."""
    started = time.perf_counter()
    store = Store("sqlite://")
    await store.migrate()
    desk = large_desk(store, customers=500, tickets=TICKETS)
    counter = count_calls(desk.readydesk)
    seeded = _rss_mb()
    print(
        f"seeded {TICKETS:,} tickets in {time.perf_counter() - started:.1f} s; "
        f"peak RSS so far {seeded:.0f} MB (the fake's data)"
    )
    slow_down(desk, 0.020)
    config = handler_config(Settings(_env_file=None))
    started = time.perf_counter()
    await desk.readydesk.get_ticket(1)
    trip = time.perf_counter() - started
    for name, build in (
        ("unresolved", lambda: open_tickets(desk.readydesk, TicketSearch(), config.priorities)),
        ("overdue", lambda: overdue_tickets(desk.readydesk, TicketSearch(), config.now())),
    ):
        desk.readydesk.forget_lookups()  # cold: the status and group lists are read too
        counter.calls = 0
        started = time.perf_counter()
        digest = await build()
        took = time.perf_counter() - started
        print(
            f"{name:13} {took:6.2f} s = {took / trip:5.1f}x a round trip ({trip * 1000:.0f} ms); "
            f"{counter.calls} backend calls; total {digest.total:,} (goal < 10 s)"
        )
        if name == "overdue":
            print(_check_overdue(desk, digest, config.now()))
    print(
        f"peak RSS {_rss_mb():.0f} MB: the digests added {_rss_mb() - seeded:.0f} MB to the "
        "fake's data (goal < 150 MB)"
    )
    await desk.aclose()
    await store.close()


def _check_overdue(desk, digest, now) -> str:  # type: ignore[no-untyped-def]
    """The digest's total and order against the fake's own tickets, counted directly."""
    data = desk.readydesk.transport.app.state.data
    overdue = sorted(
        (t.due_date, t.tid)
        for t in data.tickets.values()
        if t.due_date and t.due_date < now and t.status.lower() not in ("closed", "resolved")
    )
    shown = [(t.due_at, t.ticket_id) for t in digest.tickets]
    right = digest.total == len(overdue) and shown == overdue[: len(shown)]
    return (
        f"overdue order {'correct' if right else 'WRONG'}: {len(overdue):,} overdue counted "
        f"directly; most overdue #{overdue[0][1] if overdue else '-'} due {overdue[0][0]:%Y-%m-%d}"
    )


if __name__ == "__main__":
    asyncio.run(main())
