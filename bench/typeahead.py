"""Customer typeahead through the real app: p50/p99 of signed options requests while both
backends take 1 s, against a baseline of the same requests with no backend latency.

Goal (issue "Write flows"): answers within 300 ms whatever the backends' latency.
"""

import asyncio
import statistics
import time

from _sandboxes import SECRET, large_desk, slack_settings, slow_down
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.app import build_app
from cards import ids
from playground.slack_requests import SlackRequests
from sandbox.slack import SlackSandbox
from store import Store

CUSTOMERS = 5_000
REQUESTS = 200
TYPED = ["de", "dem", "demo", "smi", "smith", "555", "555-0", "exa", "example.c", "zz-none"]


async def _timings(app, count: int) -> list[float]:
    requests = SlackRequests(SECRET)
    timings = []
    for n in range(count):
        typed = TYPED[n % len(TYPED)]
        body = requests.block_suggestion(
            ids.CUSTOMER_PICKER, "customer", typed, user={"id": "U1"}, container={"type": "view"}
        )
        headers = requests.headers(body)
        started = time.perf_counter()
        response = await app.async_dispatch(AsyncBoltRequest(body=body, headers=headers))
        timings.append(time.perf_counter() - started)
        assert response.status == 200, response.body
    return sorted(timings)


def _summary(label: str, timings: list[float]) -> str:
    p99 = timings[int(len(timings) * 0.99) - 1]
    return f"{label:38} p50 {statistics.median(timings) * 1000:6.1f} ms  p99 {p99 * 1000:6.1f} ms"


async def main() -> None:
    """Fill the directory, time the typeahead with fast and with 1-second backends."""
    slack = SlackSandbox()
    await slack.start()
    settings = slack_settings(slack)
    store = Store("sqlite://")
    await store.migrate()
    desk = large_desk(store, customers=CUSTOMERS, tickets=2_000)
    await desk.directory.refresh()
    app = build_app(settings, desk, store=store)
    await _timings(app, 5)  # warm up (auth.test, imports)
    fast = await _timings(app, REQUESTS)
    slow_down(desk, 1.0)
    slow = await _timings(app, REQUESTS)
    print(f"customer typeahead, {CUSTOMERS:,} customers a system, {REQUESTS} requests each:")
    print(_summary("backends answering at once (baseline)", fast))
    print(_summary("backends at 1 s latency", slow) + "  (goal p99 < 300 ms)")
    print(f"ratio of p99s: {slow[int(REQUESTS * 0.99) - 1] / fast[int(REQUESTS * 0.99) - 1]:.2f}x")
    await desk.aclose()
    await store.close()
    await slack.stop()


if __name__ == "__main__":
    asyncio.run(main())
