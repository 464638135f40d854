"""What the visit tests share: the console they book in (its person in New York, ReadyDesk's
web address set), and booking, completing and reading a visit as a person and Kickserv would."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from bot.settings import Settings
from playground.console import Console
from sandbox.kickserv_data import KSNote
from sandbox.slack import sandbox_user
from tests.conftest import FAST_RETRY, UNPACED, directory_filled

ZONE = "America/New_York"
WEB = "https://help.example.com/ticket?id={tid}"
TWIN, LONE = 34, 3  # ticket 34's customer has a Kickserv twin; ticket 3's has none


@asynccontextmanager
async def visit_console() -> AsyncIterator[Console]:
    """The console in New York with ReadyDesk's web address, its directory filled."""
    settings = Settings(
        _env_file=None,
        DESKHAND_LOOKING_UP_AFTER=60,
        DESKHAND_TIMEZONE=ZONE,
        READYDESK_WEB_URL=WEB,
        **FAST_RETRY,
        **UNPACED,
    )
    async with Console(settings) as console:
        console.slack.users["U0CONSOLE"] = sandbox_user(
            "U0CONSOLE", "Alice Moreno", "alice@helpdesk.example", tz=ZONE
        )
        await directory_filled(console)
        yield console


def ticket_notes(console: Console, ticket_id: int, start: str) -> list[str]:
    """The ticket's history notes that start with `start`."""
    history = console.fake("readydesk").state.data.history.get(ticket_id, [])
    return [h.note for h in history if h.note.startswith(start)]


def job_notes(console: Console, job_number: int) -> list[str]:
    """The texts of the job's Kickserv notes."""
    data = console.fake("kickserv").state.data
    job = next(j for j in data.jobs.values() if j.job_number == job_number)
    return [n.note for n in data.notes.values() if n.noteable_id == job.id]


async def open_booking(console: Console, ticket_id: int) -> dict[str, Any]:
    """The Book a visit form opened from the ticket's card."""
    await console.send(f"/ticket {ticket_id}")
    await console.send("click Book a visit")
    return console.slack.views[console.slack.last_view_id]


def employee_value(view: dict[str, Any]) -> str:
    """The form's option value for Sam Ortiz."""
    employee = next(b for b in view["blocks"] if b.get("block_id") == "employee")
    return next(o for o in employee["element"]["options"] if o["text"]["text"] == "Sam Ortiz")[
        "value"
    ]


def booking_values(view: dict[str, Any], customer: str = "", sam: bool = True) -> dict[str, str]:
    """What a person fills in the form: Wed 9 Dec at 10:00, a Printer Repair, the prefilled
    customer (or `customer`) and description, Sam Ortiz unless `sam` is False."""
    chosen = (view["blocks"][0]["element"].get("initial_option") or {}).get("value", "")
    values = {
        "customer": customer or chosen,
        "service": "24554",
        "description": view["blocks"][2]["element"].get("initial_value", ""),
        "date": "2026-12-09",
        "time": "10:00",
    }
    return values | ({"employee": employee_value(view)} if sam else {})


async def book(console: Console, ticket_id: int, customer: str = "") -> tuple[dict, int]:
    """Book a visit on Wed 9 Dec at 10:00 for Sam Ortiz (the form's customer unless one is
    given); the outcome view and the new job's number."""
    view = await open_booking(console, ticket_id)
    values = booking_values(view, customer)
    data = console.fake("kickserv").state.data
    before = {j.job_number for j in data.jobs.values()}
    ack = await console.submit_view(view["id"], values)
    again = await console.submit_view(view["id"], values)  # a double submit writes nothing more
    assert again["response_action"] == "update"
    [new] = {j.job_number for j in data.jobs.values()} - before
    await console.settle()
    return ack["view"], new


def complete_job(console: Console, job_number: int, at: datetime, note: str) -> None:
    """Kickserv marks the job completed at `at`, with `note` as its latest note."""
    data = console.fake("kickserv").state.data
    job = next(j for j in data.jobs.values() if j.job_number == job_number)
    job.status, job.completed_on, job.updated_at = "completed", at, at
    note_id = data.next_id("note", 24_600)
    data.notes[note_id] = KSNote(note_id, note, "Job", job.id, 846788, at, at)
