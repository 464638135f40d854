"""The completion poll with 500 linked jobs (visits booked from tickets), Kickserv and ReadyDesk
at 20 ms: time per poll (and as a multiple of one round trip measured in the same run), and
backend calls, when nothing changed and when 10 visits were completed.

Goal (issue 28, "Ticket → visit → ticket"): print the figures. Every linked job not done yet is
read each poll (one GET, 8 at once: api/visits.py POLL_AT_ONCE), so a steady poll costs one
Kickserv call per open visit; a completed visit adds its calendar and notes reads and one
ReadyDesk note.
"""

import asyncio
import time
from datetime import UTC, datetime

from _sandboxes import count_calls, large_desk, slow_down
from slack_sdk.web.async_client import AsyncWebClient

from api.visits import POLL_AT_ONCE
from bot.app import handler_config
from bot.settings import Settings
from sandbox.slack import SANDBOX_BOT_TOKEN, SlackSandbox
from store import Store
from store.visits import Visit
from workers.visits import poll_visits

LINKED = 500
LATENCY = 0.020
DONE = 10


async def main() -> None:
    """Link 500 open jobs to tickets, then time one round trip and a series of polls."""
    store = Store("sqlite://")
    await store.migrate()
    desk = large_desk(store, customers=500, tickets=2_000)
    data = desk.kickserv.transport.app.state.data
    open_jobs = [j for j in data.jobs.values() if j.status not in ("completed", "canceled")]
    now = datetime.now(UTC)
    for n, job in enumerate(open_jobs[:LINKED]):
        scheduled = job.scheduled_on.isoformat() if job.scheduled_on else ""
        visit = Visit(
            n + 1, job.job_number, "Bench", "U0BENCH", "Bench", "", now, job.status, scheduled
        )
        await store.visits.link(visit, [], now)
    linked = len(await store.visits.open_visits())
    kickserv, readydesk = count_calls(desk.kickserv), count_calls(desk.readydesk)
    slack = SlackSandbox()
    client = AsyncWebClient(token=SANDBOX_BOT_TOKEN, base_url=await slack.start() + "/api/")
    config = handler_config(Settings(_env_file=None))
    slow_down(desk, LATENCY)
    started = time.perf_counter()
    await desk.kickserv.get_job(open_jobs[0].job_number)
    trip = time.perf_counter() - started
    print(f"{linked} linked open jobs; one round trip {trip * 1000:.0f} ms; {POLL_AT_ONCE} at once")

    async def poll(label: str) -> None:
        kickserv.calls = readydesk.calls = 0
        started = time.perf_counter()
        lines = await poll_visits(desk, store, client, datetime.now(UTC), config=config)
        took = time.perf_counter() - started
        print(
            f"{label:28} {took:5.2f} s = {took / trip:6.1f}x a round trip; backend calls: "
            f"Kickserv {kickserv.calls}, ReadyDesk {readydesk.calls}; {'; '.join(lines)}"
        )

    await poll("steady, nothing changed")
    for job in open_jobs[:DONE]:
        job.status, job.completed_on = "completed", now
    await poll(f"{DONE} visits completed")
    await poll("steady again")
    await slack.stop()
    await desk.aclose()
    await store.close()


if __name__ == "__main__":
    asyncio.run(main())
