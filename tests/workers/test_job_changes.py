"""A technician's DM when their jobs today or tomorrow change: one DM per burst, sent once the
changes have been quiet for the set time, saying what changed; one across replicas."""

import asyncio
from datetime import UTC, datetime, timedelta

from api.times import time_of_day
from bot.app import build_web_client, handler_config
from bot.settings import Settings
from playground.console import Console
from sandbox.kickserv_data import SANDBOX_PERSON
from store import Store
from store.schedules import EVERY_DAY
from tests.conftest import ready_store
from workers.job_changes import poll_job_changes

ZONE = "America/New_York"
SAM = 846788


def _dms(console: Console) -> list[str]:
    return [
        c.payload["text"]
        for c in console.slack.calls
        if c.name == "chat.postMessage" and c.payload.get("channel") == "U0CONSOLE"
    ]


async def _poll(console: Console, now: datetime, store: Store | None = None) -> list[str]:
    settings = console.app_settings
    client, config = build_web_client(settings), handler_config(settings)
    return await poll_job_changes(console.desk, store or console.store, client, now, config=config)


def _hers(console: Console) -> list:
    """Alice's (calendar entry, job) today and tomorrow, in time order."""
    data = console.fake("kickserv").state.data
    today = console.clock.today(ZONE)
    tasks = sorted(
        (t for t in data.tasks.values() if SANDBOX_PERSON.id in t.employee_ids),
        key=lambda t: t.starts_at,
    )
    jobs = {j.id: j for j in data.jobs.values()}
    return [
        (t, jobs[t.job_id]) for t in tasks if t.starts_at.date() in (today, today + timedelta(1))
    ]


async def test_a_burst_of_changes_is_one_dm_after_the_quiet_period_saying_what_changed():
    async with Console(Settings(_env_file=None, DESKHAND_TIMEZONE=ZONE)) as console:
        await console.send("/deskhand runsheet at 07:00 daily")
        (today_task, today_job), (tomorrow_task, tomorrow_job) = _hers(console)
        t0 = datetime.now(UTC)
        assert await _poll(console, t0) == []  # the first look: what is there is known
        today_task.starts_at += timedelta(hours=1)  # moved
        assert await _poll(console, t0 + timedelta(seconds=10)) == []
        tomorrow_task.employee_ids = [SAM]  # reassigned
        assert await _poll(console, t0 + timedelta(seconds=40)) == []
        assert await _poll(console, t0 + timedelta(seconds=90)) == []  # 50 s since the last
        assert _dms(console) == []
        assert await _poll(console, t0 + timedelta(seconds=101)) == ["U0CONSOLE: told"]
        assert await _poll(console, t0 + timedelta(seconds=300)) == []  # told once
        [dm] = _dms(console)
        assert dm.startswith("Changes to your jobs:\n")
        old = today_task.starts_at - timedelta(hours=1)
        assert f"• Moved: job {today_job.job_number} {today_job.name}" in dm
        was, now = time_of_day(old, ZONE), time_of_day(today_task.starts_at, ZONE)
        assert f"today {was} → today {now}" in dm
        assert f"• Reassigned: job {tomorrow_job.job_number} {tomorrow_job.name}" in dm
        assert dm.endswith("now Sam Ortiz")


async def test_a_cancelled_job_is_said_once_across_two_replicas(tmp_path):
    async with Console(Settings(_env_file=None, DESKHAND_TIMEZONE=ZONE)) as console:
        url = f"sqlite:///{tmp_path / 'shared.db'}"
        one, two = ready_store(url), ready_store(url)
        await one.digests.add(
            channel_id="U0CONSOLE",
            kind="runsheet",
            filters="",
            at_time="07:00",
            days=EVERY_DAY,
            timezone=ZONE,
            quiet=False,
            created_by="U0CONSOLE",
        )
        [(_, job), _] = _hers(console)
        t0 = datetime.now(UTC)
        await _poll(console, t0, one)
        job.status = "canceled"
        both = [_poll(console, t0 + timedelta(seconds=5), s) for s in (one, two)]
        await asyncio.gather(*both)
        later = [_poll(console, t0 + timedelta(seconds=70), s) for s in (one, two)]
        assert sorted(await asyncio.gather(*later)) == [[], ["U0CONSOLE: told"]]
        [dm] = _dms(console)
        assert f"• Cancelled: job {job.job_number} {job.name}" in dm
        await one.close()
        await two.close()


async def test_with_no_quiet_period_a_change_is_told_on_the_poll_that_sees_it():
    settings = Settings(_env_file=None, DESKHAND_TIMEZONE=ZONE, DESKHAND_CHANGE_QUIET="0")
    async with Console(settings) as console:
        await console.send("/deskhand runsheet at 07:00 daily")
        [(task, job), _] = _hers(console)
        t0 = datetime.now(UTC)
        await _poll(console, t0)
        task.employee_ids.append(SAM)  # a second technician on the job
        assert await _poll(console, t0 + timedelta(seconds=1)) == ["U0CONSOLE: told"]
        [dm] = _dms(console)
        assert dm.endswith(
            f"job {job.job_number} {job.name} for {_customer(console, job)}, "
            "now Alice Moreno, Sam Ortiz"
        )


def _customer(console: Console, job) -> str:
    return console.fake("kickserv").state.data.customer_by_global_id(job.customer_id).name
