"""The live-card re-reads are bounded per poll and reach every record in turn."""

from dataclasses import replace
from datetime import UTC, datetime
from itertools import pairwise

from bot.app import build_web_client, handler_config
from live.delivery import Delivery
from live.reads import GAP, SPAN, TICKET_READS, plan_spans
from tests.conftest import RecordingSleep
from workers.watches import poll_watches


def test_ranges_are_bounded_split_at_gaps_and_most_overdue_first():
    due = [9_000, *range(1, 1_200, 3), *range(5_000, 5_000 + GAP * 40, GAP + 1)]
    spans = plan_spans(due)
    assert len(spans) == TICKET_READS
    assert spans[0] == [9_000]  # the least recently checked comes first
    assert all(s[-1] - s[0] < SPAN for s in spans)
    assert all(b - a <= GAP for s in spans for a, b in pairwise(s))
    assert sorted(n for s in plan_spans(due, reads=1000) for n in s) == sorted(due)


async def test_a_poll_reads_at_most_its_bound_and_the_next_poll_reads_the_rest(console):
    now = datetime.now(UTC)
    scattered = range(5, 5 + 30 * (GAP + 1), GAP + 1)  # 30 tickets too far apart to share a range
    data = console.fake("readydesk").state.data
    for n in scattered:
        if n not in data.tickets:
            data.add_ticket(replace(data.tickets[1], tid=n))
    for n in scattered:
        console.slack.messages[("C1", f"{n}.1")] = {"text": "card"}
        await console.store.live.remember("C1", f"{n}.1", f"ticket:{n}", {"Status": "?"}, now)
    settings = console.app_settings
    # The change notes all go to C1: paced a second apart, they would take half a minute.
    client = build_web_client(settings, Delivery(sleep=RecordingSleep()))
    config = handler_config(settings)
    first = await poll_watches(
        console.desk, console.store, client, datetime.now(UTC), config=config
    )
    assert first[-1] == f"live cards: 30 records, {TICKET_READS} read, {TICKET_READS} backend calls"
    second = await poll_watches(
        console.desk, console.store, client, datetime.now(UTC), config=config
    )
    assert second[-1] == first[-1]  # the bound again: the 10 left out first, then the oldest
    # Every card showed a made-up status, so each was corrected exactly once over the two polls.
    updated = [c.payload["ts"] for c in console.slack.calls if c.name == "chat.update"]
    assert sorted(updated) == sorted(f"{n}.1" for n in scattered)
