"""Link unfurls through the real app: from a signed link_shared event to `chat.unfurl` at the
Slack fake, as a multiple of one backend round trip measured in the same run (both sandboxes
at 100 ms latency).

Goal (issue 17, "Link unfurls"): an unfurl within one round trip — a ticket link costs one read
(the ticket), a Kickserv customer link one (the customer and its jobs at once; the services are
cached), a job link one (the job; its crew, "checking…" until then, needs a second read because
Kickserv finds a job's calendar entries only by the job's global id, which the link does not
carry — the crew's arrival is printed too).
"""

import asyncio
import json
import statistics
import time

from _sandboxes import SECRET, large_desk, slack_settings, slow_down
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.app import build_app
from playground.slack_requests import JSON, SlackRequests
from sandbox.slack import SlackSandbox
from store import Store

ROUNDS = 7
LATENCY = 0.100
# The fakes run in this process, so their own CPU time adds to every "round trip": few records
# keep that small, and the no-latency figure shows it.
TICKETS, CUSTOMERS = 500, 200
WEB = "https://helpdesk.example/readydesk/tickets.aspx?tid={tid}"
KICKSERV = "https://app.kickserv.com/sandbox"
LINKS = {
    "ticket link  ": WEB.replace("{tid}", "34"),
    "customer link": f"{KICKSERV}/customers/1",
    "job link     ": f"{KICKSERV}/jobs/86001",
}
REQUESTS = SlackRequests(SECRET)  # signed as Slack signs them


async def _unfurl(app, slack: SlackSandbox, url: str, *, whole: bool = False) -> float:  # type: ignore[no-untyped-def]
    """A link posted in a channel; seconds until its first chat.unfurl reached Slack (`whole`:
    until one with nothing left "checking…")."""
    # Each post waits for its chat.unfurl, so the count of calls so far is new for each.
    mark = len(slack.calls)
    event = {
        "type": "link_shared",
        "channel": "C0BENCH",
        "user": "U1",
        "message_ts": f"1700000000.{mark:06d}",
        "unfurl_id": f"C0BENCH.{mark}",
        "source": "conversations_history",
        "links": [{"domain": url.split("/")[2], "url": url}],
    }
    body = REQUESTS.event(event)
    headers = REQUESTS.headers(body, JSON)
    started = time.monotonic()
    response = await app.async_dispatch(AsyncBoltRequest(body=body, headers=headers))
    assert response.status == 200, response.body
    ts = event["message_ts"]
    while True:
        for call in slack.calls_since(mark):
            if call.name != "chat.unfurl" or call.payload.get("ts") != ts:
                continue
            assert url in call.payload["unfurls"]
            if not whole or "checking…" not in json.dumps(call.payload, ensure_ascii=False):
                return call.at - started
        await asyncio.sleep(0.001)


async def main() -> None:
    """Time each kind of link with no latency (the fakes' own work), then at 100 ms."""
    slack = SlackSandbox()
    await slack.start()
    settings = slack_settings(slack, READYDESK_WEB_URL=WEB)
    store = Store("sqlite://")
    await store.migrate()
    desk = large_desk(store, customers=CUSTOMERS, tickets=TICKETS)
    await desk.directory.refresh()
    app = build_app(settings, desk, store=store)
    for url in LINKS.values():
        await _unfurl(app, slack, url)  # warm up: auth.test, the cached services, imports
    for label, url in LINKS.items():
        bare = statistics.median([await _unfurl(app, slack, url) for _ in range(ROUNDS)])
        print(f"{label} unfurled, no latency (the fakes' own work): {bare * 1000:5.1f} ms")
    slow_down(desk, LATENCY)
    trips = []
    times: dict[str, list[float]] = {label: [] for label in LINKS}
    crews = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        await desk.readydesk.get_ticket(34)
        trips.append(time.perf_counter() - started)
        for label, url in LINKS.items():
            times[label].append(await _unfurl(app, slack, url))
        crews.append(await _unfurl(app, slack, LINKS["job link     "], whole=True))
    trip = statistics.median(trips)
    print(f"one round trip (baseline, {LATENCY * 1000:.0f} ms latency): {trip * 1000:7.1f} ms")
    for label, taken in times.items():
        median = statistics.median(taken)
        print(
            f"{label} unfurled: {median * 1000:7.1f} ms = {median / trip:.2f}x a round trip"
            "  (goal: one round trip, < 1.5x)"
        )
    crew = statistics.median(crews)
    print(
        f"job link, crew in place: {crew * 1000:7.1f} ms = {crew / trip:.2f}x (two reads in a row)"
    )
    # The last listener still records its unfurl after the chat.unfurl this script waited for.
    await asyncio.sleep(0.5)
    await desk.aclose()
    await store.close()
    await slack.stop()


if __name__ == "__main__":
    asyncio.run(main())
