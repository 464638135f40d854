"""Slack's own API failing under the workers: a digest slot or watch alert that Slack rate limits
or answers 5xx for is retried within Slack's rules (Retry-After honoured) and posted exactly once,
never twice when the failed post had landed; permanent refusals pause without a retry."""

import asyncio
import json
import re
from datetime import UTC, datetime, time, timedelta
from time import monotonic

import pytest

from bot.app import build_web_client, handler_config
from live.delivery import Delivery
from playground.console import Console
from store.schedules import EVERY_DAY, DigestSchedule
from tests.conftest import RecordingSleep
from tests.workers.test_claim_sweep import _a_written_note_left_by_a_dead_process
from tests.workers.test_live_cards import _field, _new_status, _share_ticket
from workers.claims import sweep_claims
from workers.digests import run_due
from workers.watches import poll_watches

pytestmark = pytest.mark.long_running

POST = "/api/chat.postMessage"
RATELIMITED = json.dumps({"ok": False, "error": "ratelimited"})
JSON = {"content-type": "application/json; charset=utf-8"}


def rate_limited(**extra: object) -> dict:
    """HTTP 429 with Retry-After: 1, as Slack answers over a limit."""
    return dict(status=429, body=RATELIMITED, headers={**JSON, "Retry-After": "1"}, **extra)


def refused(error: str, **extra: object) -> dict:
    """HTTP 200 with ok:false and `error`, as Slack answers a refusal."""
    body = json.dumps({"ok": False, "error": error})
    return dict(status=200, body=body, headers=JSON, **extra)


@pytest.fixture(autouse=True)
def slack_time(console: Console) -> None:
    """Message timestamps that follow the clock, as Slack's do (history is read since a time)."""
    console.slack.real_time_ts = True


def _messages(console: Console, channel: str = "C0CONSOLE") -> list[dict]:
    """What the channel shows, as Slack keeps it (whatever the app was answered)."""
    return [m for (where, _), m in console.slack.messages.items() if where == channel]


def _next_eight() -> datetime:
    return DigestSchedule(time(8, 0), EVERY_DAY, "America/New_York").next_slot(datetime.now(UTC))


async def _due(
    console: Console, now: datetime, sleeps: RecordingSleep, delivery: Delivery | None = None
) -> list[str]:
    settings = console.app_settings
    client = build_web_client(settings, delivery or Delivery(sleep=sleeps))
    return await run_due(console.desk, console.store, client, now, config=handler_config(settings))


async def _digest(console: Console) -> datetime:
    await console.send("/digest add overdue at 08:00 daily tz America/New_York")
    return _next_eight()


async def test_a_digest_rate_limited_once_waits_retry_after_and_is_posted_once(console, sleeps):
    slot = await _digest(console)
    console.slack.faults.add("status", path=POST, times=1, **rate_limited())
    assert await _due(console, slot, sleeps) == [f"#1 {slot.isoformat()}: posted"]
    assert len(_messages(console)) == 1
    assert 1.0 in sleeps.delays  # Retry-After honoured, on the injected sleep


async def test_a_digest_refused_ok_false_ratelimited_once_is_posted_once(console, sleeps):
    slot = await _digest(console)
    console.slack.faults.add("status", path=POST, times=1, **refused("ratelimited"))
    assert await _due(console, slot, sleeps) == [f"#1 {slot.isoformat()}: posted"]
    assert len(_messages(console)) == 1


async def test_a_digest_answered_500_before_posting_is_posted_once(console, sleeps):
    slot = await _digest(console)
    console.slack.faults.add("status", path=POST, times=1, status=500)
    assert await _due(console, slot, sleeps) == [f"#1 {slot.isoformat()}: posted"]
    [message] = _messages(console)
    assert message["metadata"]["event_type"] == "deskhand_slot"


async def test_a_digest_answered_500_after_it_landed_is_not_posted_twice(console, sleeps):
    slot = await _digest(console)
    console.slack.faults.add("applied_status", path=POST, times=1, status=500)
    assert await _due(console, slot, sleeps) == [f"#1 {slot.isoformat()}: posted"]
    assert len(_messages(console)) == 1
    [looked] = [c for c in console.slack.calls if c.name == "conversations.history"]
    assert looked.payload["channel"] == "C0CONSOLE"


async def test_a_slot_slack_keeps_failing_stays_due_and_is_posted_once_later(console, sleeps):
    slot = await _digest(console)
    console.slack.faults.add("applied_status", path=POST, times=1, status=500)
    console.slack.faults.add("status", path="/api/conversations.history", status=503)
    assert await _due(console, slot, sleeps) == [f"#1 {slot.isoformat()}: uncertain"]
    console.slack.faults.clear()
    later = slot + timedelta(minutes=1)
    assert await _due(console, later, sleeps) == [f"#1 {slot.isoformat()}: posted"]
    assert len(_messages(console)) == 1  # it had landed: found, not posted again
    assert await _due(console, later, sleeps) == []


async def test_a_slot_rate_limited_past_the_retries_stays_due_and_is_posted_later(console, sleeps):
    slot = await _digest(console)
    console.slack.faults.add("status", path=POST, times=4, **rate_limited())
    assert await _due(console, slot, sleeps) == [f"#1 {slot.isoformat()}: unsent"]
    assert _messages(console) == []
    later = slot + timedelta(minutes=1)
    assert await _due(console, later, sleeps) == [f"#1 {slot.isoformat()}: posted"]
    assert len(_messages(console)) == 1
    assert not [c for c in console.slack.calls if c.name == "conversations.history"]


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        ("channel_not_found", "the channel is gone or private"),
        ("invalid_auth", "Deskhand's Slack token is not valid"),
    ],
)
async def test_a_permanent_refusal_pauses_the_digest_without_a_retry(
    console, sleeps, error, reason
):
    slot = await _digest(console)
    console.slack.faults.add("status", path=POST, times=1, **refused(error))
    assert await _due(console, slot, sleeps) == [f"#1 {slot.isoformat()}: paused"]
    [sub] = await console.store.digests.in_channel("C0CONSOLE")
    assert sub.paused and sub.paused_reason == reason
    assert sleeps.delays == []  # never retried
    [told] = _messages(console, "U0CONSOLE")
    assert f"is paused: {reason}" in told["text"]


async def test_two_digests_for_one_channel_are_paced_a_second_apart(console, sleeps):
    await console.send("/digest add overdue at 08:00 daily tz America/New_York")
    await console.send("/digest add unassigned at 08:00 daily tz America/New_York")
    still = Delivery(sleep=sleeps, clock=lambda: 0.0)  # a clock that stands still
    assert len(await _due(console, _next_eight(), sleeps, still)) == 2
    assert len(_messages(console)) == 2
    assert sleeps.delays == [1.0]  # the second waited a second


# -- watch alerts -------------------------------------------------------------------------------


async def _poll(console: Console, sleeps: RecordingSleep) -> list[str]:
    settings = console.app_settings
    lines = await poll_watches(
        console.desk,
        console.store,
        build_web_client(settings, Delivery(sleep=sleeps)),
        datetime.now(UTC),
        config=handler_config(settings),
    )
    return [line for line in lines if line.startswith("#")]


async def _new_ticket(console: Console, subject: str) -> int:
    return await console.desk.readydesk.add_ticket(cid="demo", subject=subject, priority="Urgent")


async def _watching(console: Console, sleeps: RecordingSleep) -> None:
    await console.send("/deskhand watch tickets priority:urgent")
    assert await _poll(console, sleeps) == []  # it starts at the newest ticket: nothing new


def _alerts(console: Console, ticket: int, channel: str = "C0CONSOLE") -> list[dict]:
    shown = f"#{ticket} "
    return [m for m in _messages(console, channel) if shown in json.dumps(m.get("blocks"))]


async def test_an_alert_rate_limited_or_answered_500_once_is_posted_once(console, sleeps):
    await _watching(console, sleeps)
    for fault in (rate_limited(), refused("ratelimited"), {"status": 500}):
        ticket = await _new_ticket(console, f"Server room flooding {fault['status']}")
        console.slack.faults.add("status", path=POST, times=1, **fault)
        assert await _poll(console, sleeps) == ["#1: 1 new"]
        assert len(_alerts(console, ticket)) == 1


async def test_an_alert_answered_500_after_it_landed_is_not_posted_twice(console, sleeps):
    await _watching(console, sleeps)
    ticket = await _new_ticket(console, "Server room flooding")
    console.slack.faults.add("applied_status", path=POST, times=1, status=500)
    assert await _poll(console, sleeps) == ["#1: 1 new"]
    assert len(_alerts(console, ticket)) == 1


async def test_an_alert_slack_keeps_failing_stays_due_and_other_watches_go_on(console, sleeps):
    await console.send("/deskhand watch tickets priority:urgent")
    await console.store.alerts.add(
        channel_id="C0OTHER", kind="tickets", filters='{"priority": "Urgent"}', created_by="U1"
    )
    [baseline] = await _poll(console, sleeps)  # #1 started at the newest ticket when made
    assert baseline.startswith("#2: baseline")
    ticket = await _new_ticket(console, "Server room flooding")
    console.slack.faults.add("applied_status", path=POST, status=500, times=1)
    console.slack.faults.add("status", path="/api/conversations.history", status=503, times=4)
    lines = await _poll(console, sleeps)
    assert lines[0].startswith("#1: ") and "stays due" in lines[0]
    assert lines[1] == "#2: 1 new"  # the other watch was not held up
    assert len(_alerts(console, ticket, "C0OTHER")) == 1
    console.slack.faults.clear()
    assert await _poll(console, sleeps) == ["#1: 1 new"]
    assert len(_alerts(console, ticket)) == 1  # it had landed: found, not posted again
    assert await _poll(console, sleeps) == []


@pytest.mark.parametrize(
    ("error", "reason"),
    [("is_archived", "the channel is archived"), ("invalid_auth", "Deskhand's Slack token")],
)
async def test_a_permanent_refusal_pauses_the_watch_without_a_retry(console, sleeps, error, reason):
    await _watching(console, sleeps)
    await _new_ticket(console, "Server room flooding")
    console.slack.faults.add("status", path=POST, times=1, **refused(error))
    [line] = await _poll(console, sleeps)
    assert line.startswith(f"#1: paused ({reason}")
    assert sleeps.delays == []
    [watch] = await console.store.alerts.in_channel("C0CONSOLE")
    assert watch.paused


# -- live cards and the claim sweeper ----------------------------------------------------------


async def test_a_live_card_slack_fails_to_update_once_is_updated_on_the_same_poll(console, sleeps):
    ts = await _share_ticket(console, 41)
    status = await _new_status(console, 41)
    console.slack.faults.add("status", path="/api/chat.update", status=500, times=1)
    lines = await poll_watches(
        console.desk,
        console.store,
        build_web_client(console.app_settings, Delivery(sleep=sleeps)),
        datetime.now(UTC),
        config=handler_config(console.app_settings),
    )
    assert "ticket:41: changed, 1 card(s) updated" in lines
    assert _field(console.slack.messages[("C0CONSOLE", ts)], "Status") == status


async def test_the_sweeper_tells_in_place_when_the_response_url_fails_once(console, sleeps):
    await _a_written_note_left_by_a_dead_process(console)
    console.slack.faults.add("status", path="/response/dead1", status=500, times=1)
    client = build_web_client(console.app_settings, Delivery(sleep=sleeps))
    assert await sweep_claims(console.desk, console.store, client, datetime.now(UTC)) == [
        "note.ticket cmd:dead1: confirmed"
    ]
    [told] = [c for c in console.slack.calls if c.kind == "response_url"]
    assert "The note on ticket #34 was written" in told.payload["text"]
    assert _messages(console, "U1") == []  # no DM: it arrived where they waited


async def test_the_sweeper_tells_by_dm_when_the_response_url_keeps_failing(console, sleeps):
    await _a_written_note_left_by_a_dead_process(console)
    console.slack.faults.add("status", path="/response/dead1", status=503)
    client = build_web_client(console.app_settings, Delivery(sleep=sleeps))
    await sweep_claims(console.desk, console.store, client, datetime.now(UTC))
    [dm] = _messages(console, "U1")
    assert "The note on ticket #34 was written" in dm["text"]
    assert sleeps.delays == [0.5, 1.0, 2.0]  # retried with backoff before the DM


def _times_shown(console: Console, ticket: int) -> int:
    """In how many of the channel's messages ticket `ticket` shows (a card or a summary line)."""
    shown = re.compile(rf"#{ticket}\b")
    return sum(bool(shown.search(json.dumps(m.get("blocks")))) for m in _messages(console))


async def _burst_in_doubt(console: Console, sleeps: RecordingSleep, count: int) -> list[int]:
    """`count` new tickets whose summary Slack took but answered 500 for, the channel unreadable."""
    await _watching(console, sleeps)
    tickets = [await _new_ticket(console, f"Leak on floor {n}") for n in range(count)]
    console.slack.faults.add("applied_status", path=POST, status=500, times=1)
    console.slack.faults.add("status", path="/api/conversations.history", status=503, times=4)
    [line] = await _poll(console, sleeps)
    assert "stays due" in line
    console.slack.faults.clear()
    return tickets


@pytest.mark.parametrize("count", [6, 30], ids=["burst", "long-burst"])
async def test_a_burst_in_doubt_retried_with_one_more_ticket_shows_each_ticket_once(
    console, sleeps, count
):
    tickets = await _burst_in_doubt(console, sleeps, count)
    late = await _new_ticket(console, "Leak on the roof")
    await _poll(console, sleeps)
    assert [_times_shown(console, t) for t in [*tickets, late]] == [1] * (count + 1)
    assert await _poll(console, sleeps) == []


async def test_a_burst_in_doubt_retried_with_a_ticket_fewer_is_not_posted_again(console, sleeps):
    tickets = await _burst_in_doubt(console, sleeps, 6)
    readydesk = console.fake("readydesk").state.data
    readydesk.tickets[tickets[0]].priority = "Low"  # it no longer matches the watch
    await _poll(console, sleeps)
    assert [_times_shown(console, t) for t in tickets[1:]] == [1] * 5


async def _late_post_applied(console: Console, sent: float, late: float) -> None:
    """Wait (bounded) until Slack has carried out the post it took `late` seconds after `sent`."""
    for _ in range(100):
        posts = [c for c in console.slack.calls if c.name == "chat.postMessage"]
        if any(c.at >= sent + late for c in posts):
            return
        await asyncio.sleep(0.05)


async def test_a_digest_post_that_timed_out_and_landed_late_is_not_posted_twice(console, sleeps):
    slot = await _digest(console)
    console.slack.faults.add("latency_applied_anyway", path=POST, seconds=1.0, times=1)
    client = build_web_client(console.app_settings, Delivery(sleep=sleeps))
    client.timeout = 0.3  # Slack answers after Deskhand gave up; the post lands after that
    settings = handler_config(console.app_settings)
    sent = monotonic()
    await run_due(console.desk, console.store, client, slot, config=settings)
    await _late_post_applied(console, sent, 1.0)
    later = slot + timedelta(minutes=1)
    await run_due(console.desk, console.store, client, later, config=settings)
    assert len(_messages(console)) == 1


async def test_an_alert_post_that_timed_out_and_landed_late_is_not_posted_twice(console, sleeps):
    await _watching(console, sleeps)
    ticket = await _new_ticket(console, "Server room flooding")
    console.slack.faults.add("latency_applied_anyway", path=POST, seconds=1.0, times=1)
    client = build_web_client(console.app_settings, Delivery(sleep=sleeps))
    client.timeout = 0.3
    config = handler_config(console.app_settings)
    sent = monotonic()
    await poll_watches(console.desk, console.store, client, datetime.now(UTC), config=config)
    await _late_post_applied(console, sent, 1.0)
    await poll_watches(console.desk, console.store, client, datetime.now(UTC), config=config)
    assert len(_alerts(console, ticket)) == 1


async def test_a_digest_in_doubt_whose_channel_history_is_refused_pauses_and_says_why(
    console, sleeps
):
    # An install from before channels:history was asked for: the look can never succeed.
    slot = await _digest(console)
    console.slack.faults.add("applied_status", path=POST, times=1, status=500)
    console.slack.faults.add(
        "status", path="/api/conversations.history", **refused("missing_scope")
    )
    assert await _due(console, slot, sleeps) == [f"#1 {slot.isoformat()}: paused"]
    [told] = _messages(console, "U0CONSOLE")
    assert "is paused: Deskhand's Slack app lacks a permission" in told["text"]


async def test_an_alert_in_doubt_whose_channel_history_is_refused_pauses_the_watch(console, sleeps):
    await _watching(console, sleeps)
    await _new_ticket(console, "Server room flooding")
    console.slack.faults.add("applied_status", path=POST, times=1, status=500)
    console.slack.faults.add(
        "status", path="/api/conversations.history", **refused("not_in_channel")
    )
    [line] = await _poll(console, sleeps)
    assert line.startswith("#1: paused (Deskhand is not in the channel")
    [watch] = await console.store.alerts.in_channel("C0CONSOLE")
    assert watch.paused


async def test_a_live_cards_thread_reply_slack_took_but_answered_500_for_is_not_posted_twice(
    console, sleeps
):
    ts = await _share_ticket(console, 41)
    status = await _new_status(console, 41)
    console.slack.faults.add("applied_status", path=POST, status=500, times=1)
    client = build_web_client(console.app_settings, Delivery(sleep=sleeps))
    config = handler_config(console.app_settings)
    for _ in range(2):  # the poll, and the next one that catches up what an update missed
        await poll_watches(console.desk, console.store, client, datetime.now(UTC), config=config)
    assert _field(console.slack.messages[("C0CONSOLE", ts)], "Status") == status
    replies = [m for (where, _), m in console.slack.messages.items() if m.get("thread_ts") == ts]
    assert len(replies) == 1
