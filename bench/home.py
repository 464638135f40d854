"""The Home tab through the real app: from Refresh pressed to `views.publish` at the Slack fake,
as a multiple of one round trip of the slowest backend measured in the same run.

Goal (issue 17, "App Home"): published within 1.5 round trips of the slowest backend (Kickserv
at 150 ms here, ReadyDesk at 100 ms), with the lists every card caches for five minutes
(technicians, statuses, employees, services) already read, as they are after the first look of
the day. The cold figure beside it pays for those lists too: who the person is must be known
before their tickets and jobs can be asked for, so it takes about two round trips.
"""

import asyncio
import statistics
import time
from datetime import datetime, timedelta

from _sandboxes import SECRET, large_desk, slack_settings
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.app import build_app
from playground.slack_requests import SlackRequests
from sandbox.kickserv_data import ACCOUNT_TZ
from sandbox.slack import SlackSandbox, sandbox_user
from store import Store

ROUNDS = 7
# The fakes run in this process, so their own CPU time adds to every "round trip" (and one
# request waits for another's): few records keep that small, and the no-latency figure shows it.
TICKETS, CUSTOMERS = 500, 200
READYDESK_LATENCY, KICKSERV_LATENCY = 0.100, 0.150
USER = "U0SAM"
REQUESTS = SlackRequests(SECRET)  # signed as Slack signs them


def _latency(client, seconds: float) -> None:  # type: ignore[no-untyped-def]
    faults = client.transport.app.state.faults
    faults.clear()
    faults.add("latency", seconds=seconds)


async def _refresh(app, slack: SlackSandbox) -> float:  # type: ignore[no-untyped-def]
    """Press Refresh on the Home tab; seconds until views.publish reached Slack."""
    action = {"type": "button", "action_id": "home_refresh", "value": "refresh"}
    body = REQUESTS.block_actions(
        action, user={"id": USER}, container={"type": "view", "view_id": "VH1"}
    )
    headers = REQUESTS.headers(body)
    mark = len(slack.calls)
    started = time.monotonic()
    response = await app.async_dispatch(AsyncBoltRequest(body=body, headers=headers))
    assert response.status == 200, response.body
    while True:
        published = [c for c in slack.calls_since(mark) if c.name == "views.publish"]
        if published:
            return published[0].at - started
        await asyncio.sleep(0.001)


async def main() -> None:
    """A linked technician and employee with work today; time the Home warm and cold."""
    slack = SlackSandbox()
    await slack.start()
    slack.users[USER] = sandbox_user(USER, "Sam Ortiz", "sam@fieldcrew.example")
    settings = slack_settings(slack, DESKHAND_TIMEZONE="Etc/GMT+5")  # the Kickserv fake's own day
    store = Store("sqlite://")
    await store.migrate()
    desk = large_desk(store, customers=CUSTOMERS, tickets=TICKETS)
    await desk.directory.refresh()
    await store.links.set(USER, set_by="U0ADMIN", technician="bob")  # employee: by email
    today = desk.kickserv.transport.app.state.data.today
    for hour in (9, 13):
        starts = datetime.combine(today, datetime.min.time(), ACCOUNT_TZ) + timedelta(hours=hour)
        job = await desk.kickserv.create_job(
            1, 24554, "Fix leaking sink", scheduled_on=starts.isoformat()
        )
        await desk.kickserv.create_task(
            job.global_id, starts, starts + timedelta(hours=2), [846788]
        )
    app = build_app(settings, desk, store=store)
    await _refresh(app, slack)  # warm up: auth.test, the profile, imports
    bare = statistics.median([await _refresh(app, slack) for _ in range(ROUNDS)])
    print(f"Home published, no latency (the fakes' own work and the app's): {bare * 1000:.1f} ms")
    _latency(desk.readydesk, READYDESK_LATENCY)
    _latency(desk.kickserv, KICKSERV_LATENCY)
    trips, warm, cold = [], [], []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        await desk.kickserv.list_employees()  # one request, never cached
        trips.append(time.perf_counter() - started)
        warm.append(await _refresh(app, slack))
        desk.readydesk.forget_lookups()
        desk.kickserv.forget_lookups()
        cold.append(await _refresh(app, slack))
    trip = statistics.median(trips)
    print(
        f"one round trip of the slowest backend (Kickserv at {KICKSERV_LATENCY * 1000:.0f} ms; "
        f"ReadyDesk at {READYDESK_LATENCY * 1000:.0f} ms): {trip * 1000:7.1f} ms"
    )
    for label, times, goal in (
        ("Home published, cached lists read   ", warm, "  (goal <= 1.5x)"),
        ("Home published, cold (lists too)    ", cold, ""),
    ):
        median = statistics.median(times)
        print(f"{label} {median * 1000:7.1f} ms = {median / trip:.2f}x a round trip{goal}")
    await desk.aclose()
    await store.close()
    await slack.stop()


if __name__ == "__main__":
    asyncio.run(main())
