"""Job watches: jobs new or changed on the watched day, posted once, then kept live."""

import json
from datetime import UTC, date, datetime, time

import pytest

from api.digests import JobDigest
from api.times import day_words
from bot.app import build_web_client, handler_config
from bot.settings import Settings
from cards.config import HandlerConfig
from live.delivery import Delivery
from playground.console import Console
from sandbox.kickserv_data import ACCOUNT_TZ
from store.alerts import Watch
from tests.conftest import RecordingSleep
from workers.job_watches import read_windows
from workers.watches import poll_watches

CHANNEL = "C0CONSOLE"


@pytest.fixture
async def console():
    # The business's zone is Kickserv's (UTC-5), so "today" is the same day on both sides.
    async with Console(Settings(_env_file=None, DESKHAND_TIMEZONE="Etc/GMT+5")) as console:
        yield console


def _kickserv(console: Console):
    return console.desk.kickserv


async def _poll(console: Console) -> list[str]:
    settings = console.app_settings
    return await poll_watches(
        console.desk,
        console.store,
        build_web_client(settings),
        datetime.now(UTC),
        config=handler_config(settings),
    )


async def _job_today(console: Console, hour: int = 15) -> int:
    today = datetime.now(ACCOUNT_TZ).date()
    at = datetime.combine(today, time(hour), ACCOUNT_TZ).isoformat()
    job = await _kickserv(console).create_job(6, 24551, "Gutters", scheduled_on=at)
    return job.job_number


def _posts(console: Console) -> list:
    return [
        c
        for c in console.slack.calls
        if c.name == "chat.postMessage"
        and c.payload.get("channel") == CHANNEL
        and not c.payload.get("thread_ts")
    ]


def _job_posts(console: Console, number: int) -> list[str]:
    """The channel messages that are job `number`'s card."""
    header = f"Job {number} "
    return [
        ts
        for (channel, ts), m in console.slack.messages.items()
        if channel == CHANNEL
        and m.get("blocks")
        and m["blocks"][0]["text"]["text"].startswith(header)
    ]


async def test_a_new_job_today_is_posted_once_and_its_card_then_follows_it(console):
    [added] = await console.send("/deskhand watch jobs today")
    assert added["text"].startswith("Watching `#1`: jobs today.")
    [baseline] = [line for line in await _poll(console) if line.startswith("#")]
    assert baseline.startswith("#1: baseline")
    assert _posts(console) == []
    number = await _job_today(console)
    assert "#1: 1 new or changed jobs today" in await _poll(console)
    [ts] = _job_posts(console, number)
    assert "watch #1" in repr(console.slack.messages[(CHANNEL, ts)]["blocks"])
    assert "#1: 0 new or changed jobs today" in await _poll(console)
    assert len(_posts(console)) == 1
    await _kickserv(console).update_job(number, status="in_progress")
    lines = await _poll(console)
    assert f"job:{number}: changed, 1 card(s) updated" in lines
    assert len(_posts(console)) == 1  # updated in place, not posted again
    [reply] = [c.payload["text"] for c in console.slack.calls if c.payload.get("thread_ts") == ts]
    assert reply == f"Job {number} changed: *Status*: Scheduled → In progress"
    # Redrawn with the change, the card still says which watch posted it.
    today = day_words(datetime.now(ACCOUNT_TZ).date())  # by its date: "today" would go stale
    footer = f"New or changed on the schedule for {today} · watch #1"
    assert footer in repr(console.slack.messages[(CHANNEL, ts)]["blocks"])


async def test_a_job_already_there_is_posted_when_it_changes_and_only_then(console):
    number = await _job_today(console, hour=9)
    await console.send("/deskhand watch jobs today")
    await _poll(console)
    assert await _poll(console) == ["#1: 0 new or changed jobs today"]
    await _kickserv(console).update_job(number, status="on_hold")
    await _poll(console)
    assert len(_job_posts(console, number)) == 1
    await _poll(console)
    assert len(_posts(console)) == 1


async def test_a_status_filter_and_a_burst_summary(console):
    await console.send("/deskhand watch jobs today status:scheduled")
    await _poll(console)
    for hour in range(8, 14):
        await _job_today(console, hour)
    assert "#1: 6 new or changed jobs today" in await _poll(console)
    [summary] = _posts(console)
    assert (
        "*6 jobs new or changed today* (watch #1)" in summary.payload["blocks"][0]["text"]["text"]
    )
    [listed] = await console.send("/deskhand watches")
    assert "`#1` jobs: jobs today with status scheduled" in listed["text"]


async def test_job_watch_mistakes_are_explained(console):
    [typo] = await console.send("/deskhand watch jobs today status:sheduled")
    assert "Kickserv has no job status `sheduled`. Did you mean `scheduled`?" in typo["text"]
    [odd] = await console.send("/deskhand watch jobs yesterday")
    assert "not `yesterday`" in odd["text"]


async def test_a_deleted_job_says_so_and_an_unreadable_one_waits(console):
    await console.send("/deskhand watch jobs today")
    await _poll(console)
    gone, unreadable = await _job_today(console, 10), await _job_today(console, 11)
    await _poll(console)
    fake = console.fake("kickserv").state
    del fake.data.jobs[gone]
    fake.data.jobs[unreadable].scheduled_on = None  # off today's list: read on its own
    fake.faults.add("status", status=500, path=f"/jobs/{unreadable}.json")
    lines = await _poll(console)
    assert f"job:{gone}: gone from Kickserv, 1 card(s) say so" in lines
    assert any(line.startswith(f"job:{unreadable}: unreadable") for line in lines)
    [ts] = _job_posts(console, unreadable)
    assert not [c for c in console.slack.calls if c.name == "chat.update" and c.payload["ts"] == ts]
    fake.faults.clear()
    assert f"job:{unreadable}: changed, 1 card(s) updated" in await _poll(console)


async def test_a_job_watch_in_a_channel_the_bot_left_pauses_and_tells_its_creator(console):
    await console.send("/deskhand watch jobs tomorrow")
    await _poll(console)
    console.slack.channels_without_bot.add(CHANNEL)
    today = datetime.now(ACCOUNT_TZ).date()
    at = datetime.combine(today.fromordinal(today.toordinal() + 1), time(9), ACCOUNT_TZ)
    await _kickserv(console).create_job(6, 24551, "Gutters", scheduled_on=at.isoformat())
    assert "#1: paused (Deskhand is not in the channel)" in await _poll(console)
    told = [c for c in console.slack.calls if c.payload.get("channel") == "U0CONSOLE"]
    assert "job watch #1" in told[-1].payload["text"]


async def test_a_new_day_posts_only_the_jobs_created_since_midnight(console):
    old = await _job_today(console, hour=8)
    fake = console.fake("kickserv").state.data
    fake.jobs[old].created_at = datetime.now(ACCOUNT_TZ).replace(year=2020)  # booked long ago
    fresh = await _job_today(console, hour=16)  # booked today, after midnight
    await console.send("/deskhand watch jobs today")
    yesterday = datetime.now(ACCOUNT_TZ).date().toordinal() - 1
    await console.store.alerts.advance(1, yesterday)  # the watch last looked yesterday
    assert "#1: 1 new or changed jobs today" in await _poll(console)
    assert _job_posts(console, old) == [] and len(_job_posts(console, fresh)) == 1
    assert (await console.store.alerts.get(1)).cursor == yesterday + 1


class _Days:
    """A desk that reports which day each window was read for."""

    async def jobs_on(self, day, which, timezone):
        return JobDigest(day=day, jobs=[], crews={})


async def test_today_is_the_business_day_at_the_polls_now_not_the_clock_on_the_wall():
    watches = [
        Watch(1, CHANNEL, "jobs", json.dumps({"window": w}), "U1", False, "", None)
        for w in ("today", "tomorrow")
    ]
    late_evening_utc = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)  # already 2 March in Auckland
    config = HandlerConfig(timezone="Pacific/Auckland")
    windows = await read_windows(watches, _Days(), config, late_evening_utc)
    assert windows["today"].day == date(2026, 3, 2)
    assert windows["tomorrow"].day == date(2026, 3, 3)


async def test_a_job_alert_slack_did_not_take_stays_due_and_is_posted_once(console):
    console.slack.real_time_ts = True  # history is read since a time, as Slack's is
    await console.send("/deskhand watch jobs today")
    await _poll(console)
    number = await _job_today(console)
    console.slack.faults.add("applied_status", path="/api/chat.postMessage", status=500, times=1)
    console.slack.faults.add("status", path="/api/conversations.history", status=503, times=4)
    settings = console.app_settings
    client = build_web_client(settings, Delivery(sleep=RecordingSleep()))
    lines = await poll_watches(
        console.desk, console.store, client, datetime.now(UTC), config=handler_config(settings)
    )
    assert any(line.startswith("#1: ") and "stays due" in line for line in lines)
    console.slack.faults.clear()
    assert "#1: 1 new or changed jobs today" in await _poll(console)
    assert len(_job_posts(console, number)) == 1  # it had landed: found, not posted twice
    assert "#1: 0 new or changed jobs today" in await _poll(console)
    assert len(_job_posts(console, number)) == 1


async def test_jobs_a_summary_in_doubt_showed_are_not_posted_again_when_another_fails(console):
    console.slack.real_time_ts = True  # history is read since a time, as Slack's is
    await console.send("/deskhand watch jobs today")
    await _poll(console)
    numbers = [await _job_today(console, hour) for hour in range(9, 15)]  # a burst of six
    console.slack.faults.add("applied_status", path="/api/chat.postMessage", status=500, times=1)
    console.slack.faults.add("status", path="/api/conversations.history", status=503, times=4)
    settings = console.app_settings
    client = build_web_client(settings, Delivery(sleep=RecordingSleep()))

    async def poll() -> list[str]:
        now = datetime.now(UTC)
        return await poll_watches(
            console.desk, console.store, client, now, config=handler_config(settings)
        )

    assert any("stays due" in line for line in await poll())  # the summary landed, unseen
    console.slack.faults.clear()
    fake = console.fake("kickserv").state.data
    fake.jobs[numbers[0]].status = "in_progress"  # the first job changes: owed again, alone
    limited = {"status": 429, "headers": {"Retry-After": "1"}}
    console.slack.faults.add("status", path="/api/chat.postMessage", times=4, **limited)
    assert any("stays due" in line for line in await poll())  # its card is not taken
    console.slack.faults.clear()
    await poll()
    await poll()
    shown = [json.dumps(c.payload.get("blocks")) for c in _posts(console)]
    for number in numbers[1:]:
        assert sum(f"Job {number}" in s or f"#{number}" in s for s in shown) == 1, number
