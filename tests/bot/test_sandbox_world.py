"""The sandbox changes as its clock moves: new tickets, jobs moving on, digests falling due, and
what Deskhand writes dated by the same clock. Driven by jumping the clock, never by sleeping."""

import re
from datetime import UTC, datetime, time, timedelta

import pytest

from api.times import day_words
from bot.app import build_web_client, handler_config
from bot.scheduler import build_scheduler
from bot.settings import Settings
from playground.console import Console
from sandbox.clock import SandboxClock
from store.schedules import EVERY_DAY, DigestSchedule
from workers.watches import poll_watches

CHANNEL = "C0CONSOLE"
# A fixed instant, so the world's jobs today and its changes are the same on every run.
MIDDAY = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
async def world():
    clock = SandboxClock(real=lambda: MIDDAY)
    settings = Settings(_env_file=None, DESKHAND_LOOKING_UP_AFTER=60)
    async with Console(settings, clock=clock, world=True) as console:
        yield console


def _readydesk(console: Console):
    return console.fake("readydesk").state.data


def _kickserv(console: Console):
    return console.fake("kickserv").state.data


async def _poll(console: Console) -> list[str]:
    settings = console.app_settings
    return await poll_watches(
        console.desk,
        console.store,
        build_web_client(settings),
        console.clock(),
        config=handler_config(settings, clock=console.clock),
    )


def _posts(console: Console) -> list[dict]:
    return [
        c.payload
        for c in console.slack.calls
        if c.name == "chat.postMessage"
        and c.payload.get("channel") == CHANNEL
        and not c.payload.get("thread_ts")
    ]


def _header(payload: dict) -> str:
    return payload["blocks"][0]["text"]["text"] if payload.get("blocks") else ""


async def test_within_five_minutes_a_watch_alerts_and_a_posted_card_changes(world):
    await world.send("/deskhand watch tickets priority:urgent")
    await world.send("/deskhand watch jobs today")
    await _poll(world)  # the baselines
    newest = max(_readydesk(world).tickets)

    world.clock.jump(timedelta(minutes=1))  # a job on today's schedule starts
    await _poll(world)
    [job_alert] = _posts(world)
    assert _header(job_alert).startswith("Job 86")
    assert "In progress" in repr(job_alert["blocks"])
    number = int(_header(job_alert).split()[1])

    world.clock.jump(timedelta(minutes=1))  # a new urgent ticket
    await _poll(world)
    ticket_alert = _posts(world)[-1]
    assert _header(ticket_alert).startswith(f"#{newest + 1} ")
    assert _readydesk(world).tickets[newest + 1].priority == "Urgent"

    world.clock.jump(timedelta(minutes=1))  # the job is done: its card changes in place
    assert f"job:{number}: changed, 1 card(s) updated" in await _poll(world)
    assert len(_posts(world)) == 2
    [(ts, card)] = [
        (ts, m) for (ch, ts), m in world.slack.messages.items() if _header(m) == _header(job_alert)
    ]
    assert "Completed" in repr(card["blocks"])
    [reply] = [c.payload["text"] for c in world.slack.calls if c.payload.get("thread_ts") == ts]
    assert reply == f"Job {number} changed: *Status*: In progress → Completed"
    assert world.clock() - MIDDAY <= timedelta(minutes=5)


async def test_a_long_jump_brings_a_few_changes_dated_just_before_it(world):
    data = _readydesk(world)
    before = max(data.tickets)
    statuses = {n: j.status for n, j in _kickserv(world).jobs.items()}
    world.clock.jump(timedelta(hours=10))
    assert max(data.tickets) == before + 3
    [listed] = await world.send("/tickets")
    assert listed["blocks"][2]["block_id"] == f"row_{before + 3}"  # the newest first
    opened = [data.tickets[before + n].date_opened for n in (1, 2, 3)]
    local_now = world.clock.local("UTC")
    assert opened == sorted(opened) and local_now - timedelta(minutes=7) < opened[0]
    assert opened[-1] <= local_now
    moved = [n for n, j in _kickserv(world).jobs.items() if j.status != statuses[n]]
    assert 1 <= len(moved) <= 3


async def test_what_deskhand_writes_is_dated_by_the_sandbox_clock(world):
    world.clock.jump(timedelta(days=2, hours=3))
    [done] = await world.send("/note ticket 34 Called back after the weekend")
    assert "Added" in done["text"]
    entry = _readydesk(world).history[34][-1]
    assert entry.note.startswith("Called back after the weekend")
    assert entry.date == world.clock.local("UTC").replace(microsecond=0)
    [audited] = await world.store.audit.recent(limit=1)  # the audit log reads the same clock
    assert audited.at == world.clock.now()
    [due] = await world.send("/tickets due:today")
    assert "due:2026-12-04" in due["text"]  # "today" is the sandbox's


async def test_jumping_to_the_next_digest_posts_it_at_once():
    clock = SandboxClock()  # the real time: digests count from when they were added
    async with Console(Settings(_env_file=None), clock=clock) as console:
        await console.send("/digest add unresolved at 08:00 daily tz UTC")
        scheduler = build_scheduler(console.app_settings, console.store, console.desk, clock)
        clock.on_jump(lambda _now: scheduler.wake())
        scheduler.start()
        try:
            slot = DigestSchedule(time(8), EVERY_DAY, "UTC").next_slot(clock())
            clock.jump_to(slot + timedelta(seconds=5))
            post = await console.slack.wait_for_call("api", "chat.postMessage", timeout=10)
        finally:
            await scheduler.aclose()
    assert post.payload["channel"] == CHANNEL
    assert _header(post.payload) == "Unresolved tickets"  # before its time by the real clock


async def test_a_jump_brings_what_the_watches_see_at_once_not_at_their_next_poll():
    clock = SandboxClock()
    async with Console(Settings(_env_file=None), clock=clock) as console:
        await console.send("/deskhand watch tickets priority:urgent")
        scheduler = build_scheduler(console.app_settings, console.store, console.desk, clock)
        await scheduler.look()  # the watch's baseline; its next poll is a minute away
        clock.on_jump(lambda _now: scheduler.wake())
        scheduler.start()
        try:
            urgent = await console.desk.readydesk.add_ticket(
                cid="demo", subject="Server room flooding", priority="Urgent"
            )
            clock.jump(timedelta(minutes=5))
            post = await console.slack.wait_for_call("api", "chat.postMessage", timeout=10)
        finally:
            await scheduler.aclose()
    assert post.payload["blocks"][0]["text"]["text"] == f"#{urgent} Server room flooding"


async def test_the_person_at_the_sandbox_has_jobs_today_and_tomorrow_on_any_day(world):
    data = _kickserv(world)
    world.clock.jump(timedelta(days=3))
    today = data.now().date()
    alice = next(e for e in data.employees.values() if e.name == "Alice Moreno")
    hers = {t.job_id for t in data.tasks.values() if alice.id in t.employee_ids}
    for day in (today, today + timedelta(days=1)):
        [job] = [j for j in data.jobs.values() if j.id in hers and j.scheduled_on.date() == day]
        [card] = await world.send(f"/job {job.job_number}")
        assert "Alice Moreno" in str(card["blocks"])


async def test_after_a_days_jump_the_jobs_digest_lists_that_days_jobs_and_crews(world):
    """The heading's day is the day of every job under it, and each job's crew is the one its
    calendar entries that day name (the fake's "today" follows the jumped clock)."""
    world.clock.jump(timedelta(days=1))
    await _assert_jobs_digest_is_of(world, world.clock.local("UTC").date())


async def _assert_jobs_digest_is_of(console: Console, day) -> None:
    data = _kickserv(console)
    [card] = await console.send("/digest preview jobs-today")
    text = str(card["blocks"])
    assert _header(card).startswith(f"Jobs today · {day_words(day)}")
    shown = {int(n) for n in re.findall(r"Job (\d+)", text)}
    on_day = {
        n
        for n, j in data.jobs.items()
        if j.scheduled_on and j.scheduled_on.astimezone(UTC).date() == day
    }
    assert shown and shown <= on_day | _calendar_jobs(data, day)
    assert on_day <= shown
    crews = {
        data.employees[e].name
        for t in data.tasks.values()
        if t.starts_at.astimezone(UTC).date() == day
        for e in t.employee_ids
    }
    assert crews and all(name in text for name in crews)


def _calendar_jobs(data, day) -> set[int]:
    """The job numbers of the calendar entries on `day` (UTC, the world's business zone)."""
    numbers = {j.id: n for n, j in data.jobs.items()}
    return {
        numbers[t.job_id]
        for t in data.tasks.values()
        if t.starts_at.astimezone(UTC).date() == day and t.job_id in numbers
    }
