"""One alert poll with 20 watches and 500 live cards over 50,000 sandbox tickets, ReadyDesk and
Kickserv at 20 ms: time per poll (and as a multiple of one round trip measured in the same run),
backend calls, Slack calls.

Goal (issue "Channel alerts … live cards"): print the figures; the re-reads are bounded per poll
(live/reads.py: at most 20 ticket ranges of 500 numbers and 10 jobs), so the cost follows
the number of distinct records, not the number of channels showing them.
"""

import asyncio
import random
import time
from datetime import UTC, datetime

from _sandboxes import count_calls, large_desk, slow_down
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import handler_config
from bot.settings import Settings
from cards.live import job_key, split_key
from cards.tickets import ticket_card
from live.reads import JOB_READS, SPAN, TICKET_READS, job_state_now
from sandbox.slack import SANDBOX_BOT_TOKEN, SlackSandbox
from store import Store
from workers.watches import poll_watches

TICKETS = 50_000
WATCHES = 20
CARDS = 500
CHANNELS = 20
LATENCY = 0.020


async def _live_cards(
    store: Store,
    desk,
    config,
    slack: SlackSandbox,  # type: ignore[no-untyped-def]
    rng: random.Random,
) -> int:
    """500 cards: most show recent tickets (as alerts do), some older shared ones and jobs; many
    records appear in more than one channel. Returns the number of distinct records."""
    statuses = await desk.readydesk.ticket_statuses()
    recent = await desk.readydesk.get_tickets(
        start_tid=TICKETS - 1999, end_tid=TICKETS, count=2000, page=1
    )
    older = [await desk.readydesk.get_ticket(n) for n in rng.sample(range(1, TICKETS - 2000), 40)]
    jobs = [j async for j in desk.kickserv.iter_jobs(per_page=100)][:20]
    records = [ticket_card(t, config, statuses).live for t in rng.sample(recent, 300) + older]
    records += [
        (job_key(j.job_number), await job_state_now(j.job_number, desk, config)) for j in jobs
    ]
    now = datetime.now(UTC)
    for n in range(CARDS):
        key, state = records[n] if n < len(records) else rng.choice(records)
        channel, ts = f"C{n % CHANNELS:04d}", f"{n}.000100"
        await store.live.remember(channel, ts, key, state, now)
        slack.messages[(channel, ts)] = {"text": key}  # the message exists in Slack
    return len(records)


async def _watches(store: Store) -> None:
    filters = ['{"priority": "Urgent"}', '{"status": "Open"}', "{}", '{"priority": "High"}']
    for n in range(WATCHES - 4):
        await store.alerts.add(
            channel_id=f"C{n:04d}", kind="tickets", filters=filters[n % 4], created_by="U0BENCH"
        )
    for n, window in enumerate(("today", "tomorrow", "today", "tomorrow")):
        await store.alerts.add(
            channel_id=f"C{16 + n:04d}",
            kind="jobs",
            filters=f'{{"window": "{window}"}}',
            created_by="U0BENCH",
        )


async def main() -> None:
    """Seed, then time one round trip and a series of polls."""
    rng = random.Random(11)
    store = Store("sqlite://")
    await store.migrate()
    desk = large_desk(store, customers=500, tickets=TICKETS)
    readydesk, kickserv = count_calls(desk.readydesk), count_calls(desk.kickserv)
    slack = SlackSandbox()
    token = SANDBOX_BOT_TOKEN
    client = AsyncWebClient(token=token, base_url=await slack.start() + "/api/")
    config = handler_config(Settings(_env_file=None))
    distinct = await _live_cards(store, desk, config, slack, rng)
    await _watches(store)
    slow_down(desk, LATENCY)
    started = time.perf_counter()
    await desk.readydesk.get_ticket(1)
    trip = time.perf_counter() - started
    print(
        f"{WATCHES} watches, {CARDS} live cards in {CHANNELS} channels showing {distinct} "
        f"records; one round trip {trip * 1000:.0f} ms"
    )
    print(
        f"bound per poll: live cards read at most {TICKET_READS} ticket ranges of <= {SPAN} "
        f"numbers and {JOB_READS} jobs (2 calls each); watches add 1 call, 1 per ticket watch "
        "with something new, 2 per watched day"
    )

    async def poll(label: str) -> None:
        readydesk.calls = kickserv.calls = 0
        sent = len(slack.calls)
        started = time.perf_counter()
        lines = await poll_watches(desk, store, client, datetime.now(UTC), config=config)
        took = time.perf_counter() - started
        read = next((line for line in lines if line.startswith("live cards:")), "")
        print(
            f"{label:32} {took:5.2f} s = {took / trip:5.1f}x a round trip; backend calls: "
            f"ReadyDesk {readydesk.calls}, Kickserv {kickserv.calls}; Slack calls "
            f"{len(slack.calls) - sent}; {read}"
        )

    await poll("first poll (baselines)")
    await poll("steady, nothing changed")
    for n in range(3):
        await desk.readydesk.add_ticket(cid="demo", subject=f"Bench outage {n}", priority="Urgent")
    tracked = [t.record_key for t in await store.live.tracked(datetime(2000, 1, 1, tzinfo=UTC))]
    tickets = [n for kind, n in map(split_key, tracked) if kind == "ticket"]
    for number in tickets[:10]:
        await desk.readydesk.update_ticket(number, priority="Urgent")
    await poll("3 new tickets, 10 changed")
    for n in range(6):
        await poll(f"steady poll {n + 1}")
    print(
        f"the same records on {CARDS * 5:,} cards in {CHANNELS * 5} channels (cost should not "
        "change):"
    )
    records = sorted(
        {t.record_key for t in await store.live.tracked(datetime(2000, 1, 1, tzinfo=UTC))}
    )
    now = datetime.now(UTC)
    for n in range(CARDS * 4):
        channel, ts = f"D{n % (CHANNELS * 4):04d}", f"{n}.000200"
        await store.live.remember(channel, ts, records[n % len(records)], {}, now)
        slack.messages[(channel, ts)] = {"text": records[n % len(records)]}
    for n in range(3):
        await poll(f"steady poll, 5x the cards {n + 1}")
    await slack.stop()
    await desk.aclose()
    await store.close()


if __name__ == "__main__":
    asyncio.run(main())
