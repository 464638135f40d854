"""A technician's run-sheet: today's jobs of their Kickserv employee in time order with the
customer's address (a maps link) and notes; nothing scheduled; not linked; and by DM on a
schedule, once a slot across replicas and across the change to summer time."""

import asyncio
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from api.times import day_words, time_of_day
from bot.app import build_web_client, handler_config
from bot.settings import Settings
from playground.console import Console
from sandbox.kickserv_data import ACCOUNT_TZ, SANDBOX_PERSON, KSTask
from sandbox.slack import sandbox_user
from store import Store
from store.schedules import EVERY_DAY, DigestSchedule
from tests.conftest import ready_store
from workers.digests import run_due

ZONE = "America/New_York"
MAPS = "https://www.google.com/maps/search/?api=1&query="


def _settings(**env: str) -> Settings:
    return Settings(_env_file=None, DESKHAND_TIMEZONE=ZONE, **env)


def _data(console: Console):
    return console.fake("kickserv").state.data


def _alices_tasks(console: Console) -> list[KSTask]:
    return [t for t in _data(console).tasks.values() if SANDBOX_PERSON.id in t.employee_ids]


def _stops(card: dict) -> list[str]:
    return [b["text"]["text"] for b in card["blocks"] if b["type"] == "section"]


def _dms(console: Console) -> list:
    return [
        c
        for c in console.slack.calls
        if c.name == "chat.postMessage" and c.payload.get("channel") == "U0CONSOLE"
    ]


async def _due(console: Console, now: datetime, store: Store | None = None) -> list[str]:
    settings = console.app_settings
    client, config = build_web_client(settings), handler_config(settings)
    return await run_due(console.desk, store or console.store, client, now, config=config)


async def test_todays_jobs_in_time_order_with_address_notes_and_open():
    async with Console(_settings()) as console:
        data = _data(console)
        today = console.clock.today(ZONE)
        [hers] = [t for t in _alices_tasks(console) if t.starts_at.date() == today]
        # Another job of the day goes on her calendar too, two hours before hers.
        other = next(
            t
            for t in data.tasks.values()
            if t.starts_at.date() == today and SANDBOX_PERSON.id not in t.employee_ids
        )
        other.employee_ids.append(SANDBOX_PERSON.id)
        other.starts_at = hers.starts_at - timedelta(hours=2)
        first_job = next(j for j in data.jobs.values() if j.id == other.job_id)
        second_job = next(j for j in data.jobs.values() if j.id == hers.job_id)
        customer = data.customer_by_global_id(hers.customer_id)
        [card] = await console.send("/deskhand runsheet")
        first, second = _stops(card)
        assert first.startswith(f"*{time_of_day(other.starts_at, ZONE)}* · ")
        assert f"job {first_job.job_number}" in first
        assert second.startswith(
            f"*{time_of_day(hers.starts_at, ZONE)}* · *{customer.name}* · job "
        )
        assert f"job {second_job.job_number}" in second
        address = f"{customer.service_address}, {customer.service_city}"
        assert f"<{MAPS}{address.replace(' ', '+').replace(',', '%2C')}" in second
        assert second_job.name in second
        notes = [n.note for n in data.notes.values() if n.noteable_id == customer.id]
        assert notes and all(f"> {n}" in second for n in notes)  # gate codes live there
        [job_card] = await console.send("click Open")  # the first stop's
        assert job_card["blocks"][0]["text"]["text"].startswith(f"Job {first_job.job_number}")


async def test_read_again_the_same_day_it_shows_new_notes_new_stops_and_not_gone_ones():
    async with Console(_settings()) as console:
        data = _data(console)
        today = console.clock.today(ZONE)
        [hers] = [t for t in _alices_tasks(console) if t.starts_at.date() == today]
        customer = data.customer_by_global_id(hers.customer_id)
        [before] = await console.send("/deskhand runsheet")  # its customers read early next time
        assert customer.name in _stops(before)[0]
        await console.desk.kickserv.add_note("customers", customer.customer_number, "Code 4417")
        other = next(
            t
            for t in data.tasks.values()
            if t.starts_at.date() == today
            and SANDBOX_PERSON.id not in t.employee_ids
            and t.customer_id != hers.customer_id
        )
        other.employee_ids.append(SANDBOX_PERSON.id)  # a customer new to her day
        newcomer = data.customer_by_global_id(other.customer_id)
        [after] = await console.send("/deskhand runsheet")
        stops = _stops(after)
        assert len(stops) == 2
        [mine] = [s for s in stops if f"*{customer.name}*" in s]
        assert "> Code 4417" in mine  # read afresh, not remembered
        assert any(f"*{newcomer.name}*" in s for s in stops)
        hers.employee_ids.remove(SANDBOX_PERSON.id)  # her first customer leaves the day
        [last] = await console.send("/deskhand runsheet")
        assert [s for s in _stops(last) if f"*{customer.name}*" in s] == []
        assert len(_stops(last)) == 1


async def test_an_empty_day_says_nothing_is_scheduled():
    async with Console(_settings()) as console:
        for task in _alices_tasks(console):
            task.employee_ids.remove(SANDBOX_PERSON.id)
        [card] = await console.send("/deskhand runsheet")
    assert "Nothing scheduled today." in str(card["blocks"])


async def test_a_person_not_linked_is_told_how_to_link_and_gets_no_schedule():
    async with Console(_settings()) as console:
        console.slack.users["U0CONSOLE"] = sandbox_user("U0CONSOLE", "New Hire", "n@x.example")
        [now] = await console.send("/deskhand runsheet")
        [later] = await console.send("/deskhand runsheet at 07:00 weekdays")
        assert await console.store.digests.created_by("U0CONSOLE") == []
    for answer in (now, later):
        assert "does not know which Kickserv employee you are" in answer["text"]
        assert "/deskhand link @you employee:&lt;number&gt;" in answer["text"]


def _title(slot: datetime) -> str:
    day = slot.astimezone(ZoneInfo(ZONE)).date()
    return f"Your run-sheet for {day_words(day)}"


async def test_a_scheduled_run_sheet_comes_by_dm_once_and_off_stops_it():
    async with Console(_settings()) as console:
        [said] = await console.send("/deskhand runsheet at 07:00 daily")
        assert said["text"].startswith("Your run-sheet comes by direct message at 07:00 daily")
        slot = DigestSchedule(time(7, 0), EVERY_DAY, ZONE).next_slot(datetime.now(UTC))
        assert await _due(console, slot - timedelta(minutes=1)) == []
        assert await _due(console, slot + timedelta(seconds=5)) == [
            f"#1 {slot.isoformat()}: posted"
        ]
        assert await _due(console, slot + timedelta(seconds=10)) == []  # claimed: once
        [dm] = _dms(console)
        assert dm.payload["blocks"][0]["text"]["text"] == _title(slot)
        assert "Comes by direct message at 07:00 daily; `/deskhand runsheet off`" in str(
            dm.payload["blocks"]
        )
        [off] = await console.send("/deskhand runsheet off")
        assert off["text"] == "Your run-sheet is off."
        assert await _due(console, slot + timedelta(days=1)) == []
        assert len(_dms(console)) == 1


async def test_two_replicas_sharing_a_database_send_one_run_sheet(tmp_path):
    async with Console(_settings()) as console:
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
        slot = DigestSchedule(time(7, 0), EVERY_DAY, ZONE).next_slot(datetime.now(UTC))
        results = await asyncio.gather(_due(console, slot, one), _due(console, slot, two))
        assert sorted(len(r) for r in results) == [0, 1]
        assert len(_dms(console)) == 1
        await one.close()
        await two.close()


async def test_across_the_change_to_summer_time_it_comes_at_seven_local_with_that_days_jobs():
    async with Console(_settings()) as console:
        await console.send("/deskhand runsheet at 07:00 daily")
        data = _data(console)
        # A job on Alice's calendar on the Sunday clocks go forward (Kickserv's account keeps
        # EST all year): 07:30 EST is 08:30 EDT, the business's wall clock that morning.
        task = _alices_tasks(console)[0]
        job = next(j for j in data.jobs.values() if j.id == task.job_id)
        starts = datetime(2027, 3, 14, 7, 30, tzinfo=ACCOUNT_TZ)
        task.starts_at, task.ends_at, job.scheduled_on = starts, starts + timedelta(hours=2), starts
        saturday = datetime(2027, 3, 13, 12, 0, tzinfo=UTC)  # 07:00 EST
        sunday = datetime(2027, 3, 14, 11, 0, tzinfo=UTC)  # 07:00 EDT
        assert await _due(console, saturday) == [
            f"#1 {saturday.astimezone(ZoneInfo(ZONE)).isoformat()}: posted"
        ]
        assert await _due(console, sunday - timedelta(minutes=1)) == []
        assert await _due(console, sunday) == [
            f"#1 {sunday.astimezone(ZoneInfo(ZONE)).isoformat()}: posted"
        ]
        assert await _due(console, sunday + timedelta(hours=1)) == []  # 07:00 EST would be now
        before, after = _dms(console)
        assert before.payload["blocks"][0]["text"]["text"] == "Your run-sheet for Sat, Mar 13"
        assert "Nothing scheduled today." in str(before.payload["blocks"])
        assert after.payload["blocks"][0]["text"]["text"] == "Your run-sheet for Sun, Mar 14"
        [stop] = _stops(after.payload)
        assert stop.startswith("*8:30 AM EDT* · ") and f"job {job.job_number}" in stop


async def test_a_run_sheet_without_a_time_shows_the_run_sheets_usage():
    async with Console(_settings()) as console:
        [said] = await console.send("/deskhand runsheet tomorrow")
    assert said["text"].startswith("When? Add `at 08:00`. Usage: `/deskhand runsheet")
    assert "/digest" not in said["text"]


async def test_a_run_sheets_schedule_mistake_names_only_what_a_run_sheet_takes():
    rule = "After the time come only `daily`, `weekdays` or days like `mon,thu`;"
    async with Console(_settings()) as console:
        [please] = await console.send("/deskhand runsheet at 07:00 weekdays please")
        [zone] = await console.send("/deskhand runsheet at 07:00 tz Europe/Berlin")
        [typo] = await console.send("/deskhand runsheet at 07:00 weekdys")
    assert please["text"].startswith("`please` is not a schedule word. " + rule)
    assert zone["text"].startswith("`tz` is not for a run-sheet. " + rule)
    assert typo["text"].startswith("`weekdys` is not a schedule word. Did you mean `weekdays`?")
    for said in (please, zone, typo):
        assert "quiet" not in said["text"] and "tz Europe" not in said["text"].split("\n")[0]
