"""One time, one wording: a visit's time reads the same on the run-sheet, Home, the jobs
digest and the job card (api/times.py writes them all), so a dispatcher can read it out from
any of them."""

import re
from datetime import timedelta

from api.times import day_words, time_of_day
from bot.settings import Settings
from cards.home import build_home
from playground.console import Console
from sandbox.kickserv_data import SANDBOX_PERSON
from tests.bot.served import texts

ZONE = "America/New_York"


def _todays_visit(console: Console, today):
    """The console person's calendar entry today, and its job (the fake's records)."""
    data = console.fake("kickserv").state.data
    [task] = [
        t
        for t in data.tasks.values()
        if SANDBOX_PERSON.id in t.employee_ids and t.starts_at.date() == today
    ]
    return task, next(j for j in data.jobs.values() if j.id == task.job_id)


async def test_a_visits_day_and_time_read_the_same_on_every_surface():
    async with Console(Settings(_env_file=None, DESKHAND_TIMEZONE=ZONE)) as console:
        today = console.clock.today(ZONE)
        task, job = _todays_visit(console, today)
        assert job.scheduled_on == task.starts_at  # the job's time is its calendar entry's
        shown = time_of_day(task.starts_at, ZONE)
        assert re.fullmatch(r"1?\d:\d\d [AP]M E[SD]T", shown), shown
        [sheet] = await console.send("/deskhand runsheet")
        [digest] = await console.send("/digest preview jobs-today")
        [card] = await console.send(f"/job {job.job_number}")
        home = await console.desk.home("U0CONSOLE", SANDBOX_PERSON.email_address, today, ZONE)
        tab = build_home(home, timezone=ZONE, admins=(), now=console.clock.local(ZONE))
    assert sheet["blocks"][0]["text"]["text"] == f"Your run-sheet for {day_words(today)}"
    assert f"*{shown}* · " in texts(sheet["blocks"])
    assert digest["blocks"][0]["text"]["text"].startswith(f"Jobs today · {day_words(today)}")
    assert f"{shown} · Job {job.job_number} " in texts(digest["blocks"])
    assert f"Your jobs today · {day_words(today)}" in texts(tab.to_dict()["blocks"])
    assert f"*{shown}* · " in texts(tab.to_dict()["blocks"])
    assert f" {shown}" in texts(card["blocks"])  # the card's date, then the same time


async def test_a_moved_visit_reads_its_calendar_time_in_the_digest_as_on_the_run_sheet():
    """The calendar entry was moved in Kickserv and the job's own time was not: the visit is
    at the entry's time on every surface that lists the day's visits."""
    async with Console(Settings(_env_file=None, DESKHAND_TIMEZONE=ZONE)) as console:
        today = console.clock.today(ZONE)
        task, job = _todays_visit(console, today)
        task.starts_at -= timedelta(hours=1)  # moved on the calendar only
        shown = time_of_day(task.starts_at, ZONE)
        assert shown != time_of_day(job.scheduled_on, ZONE)
        [sheet] = await console.send("/deskhand runsheet")
        [digest] = await console.send("/digest preview jobs-today")
    assert f"*{shown}* · " in texts(sheet["blocks"])
    assert f"{shown} · Job {job.job_number} " in texts(digest["blocks"])
