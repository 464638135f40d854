"""The job card before the customer directory is filled: its customer read from Kickserv, and
note authors named from Kickserv's employee list (a GET of a note carries only `creator_id`)."""

from collections.abc import AsyncIterator

import pytest

from api.directory import CustomerDirectory
from bot.settings import Settings
from playground.console import Console


def _fields(card: dict) -> list[str]:
    return [f["text"] for f in card["blocks"][1]["fields"]]


@pytest.fixture
async def unfilled(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Console]:
    """The app in a process whose directory has not filled yet: its fill never starts here, so
    the directory stays empty whatever the test waits for (a large account's first minutes)."""
    monkeypatch.setattr(CustomerDirectory, "start", lambda self: None)
    async with Console(Settings(_env_file=None, DESKHAND_LOOKING_UP_AFTER=60)) as console:
        assert not await console.desk.directory.is_ready()
        assert await console.desk.directory.search("example") == []
        yield console


async def test_a_scheduled_jobs_customer_comes_from_its_calendar_entry(unfilled):
    data = unfilled.fake("kickserv").state.data
    task = next(iter(data.tasks.values()))
    job = next(j for j in data.jobs.values() if j.id == task.job_id)
    customer = data.customer_by_global_id(job.customer_id)
    [card] = await unfilled.send(f"/job {job.job_number}")
    assert f"*Customer*\n{customer.name} (#{customer.customer_number})" in _fields(card)
    assert "Customer" in [b["text"]["text"] for b in card["blocks"][-1]["elements"]]
    [shown] = await unfilled.send("click Customer")
    assert shown["blocks"][0]["text"]["text"] == customer.name


async def test_an_unscheduled_jobs_customer_is_read_from_kickserv(unfilled):
    data = unfilled.fake("kickserv").state.data
    scheduled = {t.job_id for t in data.tasks.values()}
    job = next(j for j in data.jobs.values() if j.id not in scheduled)
    customer = data.customer_by_global_id(job.customer_id)
    fault = unfilled.faults("kickserv").add("status", path="/customers.json")
    [failed] = await unfilled.send(f"/job {job.job_number}")
    assert "*Customer*\n—" in _fields(failed)
    assert "The customer could not be read: Kickserv" in repr(failed["blocks"])
    unfilled.faults("kickserv").active.remove(fault)
    [card] = await unfilled.send(f"/job {job.job_number}")
    assert f"*Customer*\n{customer.name} (#{customer.customer_number})" in _fields(card)
    assert "could not be read" not in repr(card["blocks"])


async def test_note_authors_are_named_from_the_employee_list(unfilled):
    kickserv = unfilled.desk.kickserv
    data = unfilled.fake("kickserv").state.data
    job = next(iter(data.jobs.values()))
    await kickserv.add_note("jobs", job.job_number, "Bring the long ladder")
    author = data.employees[846787].name  # the API key's user writes every note
    [card] = await unfilled.send(f"/job {job.job_number}")
    assert f"Latest note, by {author}: Bring the long ladder" in repr(card["blocks"])
    [notes] = await unfilled.send("click Notes")
    assert notes["blocks"][2]["elements"][0]["text"].startswith(f"{author} · ")


async def test_an_unreadable_employee_list_says_whose_name_is_missing(unfilled):
    kickserv = unfilled.desk.kickserv
    job = next(iter(unfilled.fake("kickserv").state.data.jobs.values()))
    await kickserv.add_note("jobs", job.job_number, "Gate code 4411")
    unfilled.faults("kickserv").add("status", path="/employees.json", status=401)
    [card] = await unfilled.send(f"/job {job.job_number}")
    text = repr(card["blocks"])
    assert "Latest note, by someone: Gate code 4411" in text
    assert "The note's author could not be read: Kickserv" in text


async def test_a_job_booked_from_slack_shows_its_description_without_the_signature(unfilled):
    data = unfilled.fake("kickserv").state.data
    job = next(iter(data.jobs.values()))
    job.description = "Ticket #34: Printer offline in accounts\n— alice via Slack · ref 44A14655"
    [card] = await unfilled.send(f"/job {job.job_number}")
    shown = str(card["blocks"])
    assert "Ticket #34: Printer offline in accounts" in shown and "ref 44A14655" not in shown
    job.description = "— alice via Slack · ref D3531D1B"  # booked with no description
    [bare] = await unfilled.send(f"/job {job.job_number}")
    assert "via Slack" not in str(bare["blocks"])
