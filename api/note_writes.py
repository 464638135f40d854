"""Notes written once: on a ReadyDesk ticket's history (as the author's technician), or on a
Kickserv customer or job. Every note ends with the author's signature and a marker that lets a
read-back recognise it."""

from dataclasses import dataclass, replace
from typing import Literal

from api.errors import BackendError
from api.identity import Profile, technician_of
from api.kickserv import KickservClient
from api.readydesk import ReadyDeskClient
from api.writes import (
    DEFAULTS,
    Intent,
    ReadBack,
    WritePlan,
    WriteResult,
    WriteSettings,
    new_marker,
    not_sent,
    signature,
    write_once,
)
from store import Store

_CHECKS: dict[str, Literal["ticket_note", "customer_note", "job_note"]] = {
    "ticket": "ticket_note",
    "customer": "customer_note",
    "job": "job_note",
}


@dataclass(frozen=True)
class NotePart:
    """One part of a note written in parts: which, its own text and the text after it."""

    name: str  # "part 2 of 3"
    typed: str  # this part's text as typed (without the label it is written with)
    rest: str  # the text of the parts after it


@dataclass(frozen=True)
class NotedRecord:
    """The record a note goes on: a ReadyDesk ticket, a Kickserv customer or a Kickserv job."""

    kind: Literal["ticket", "customer", "job"]
    number: str  # the ticket number, Kickserv customer number or job number


async def add_note(
    readydesk: ReadyDeskClient,
    kickserv: KickservClient,
    store: Store,
    read_back: ReadBack,
    intent: Intent,
    record: NotedRecord,
    text: str,
    author: Profile,
    part: NotePart | None = None,
    settings: WriteSettings = DEFAULTS,
) -> WriteResult:
    """Write the note once for this intent, signed with the author's name (on a ticket, as
    their technician) and a reference that lets a read-back recognise it. A `part` of a long
    note is told as that part, and what comes after it is kept to give back if it ends there."""
    marker = new_marker()
    signed = f"{text}\n{signature(author.name, marker)}"
    plan = WritePlan(
        check=_CHECKS[record.kind],
        target=record.number,
        marker=marker,
        typed=part.typed if part else text,
        response_url=intent.response_url,
        posted_in=intent.posted_in,
        label=f"{part.name + ' of ' if part else ''}the note on {intent.target}",
        rest=part.rest if part else "",
    )
    intent = replace(intent, plan=plan)
    technician = None
    if record.kind == "ticket":  # who writes it, found before anything is sent
        try:
            technician = await technician_of(readydesk, store, intent.user_id, author.email)
        except BackendError as err:
            return await not_sent(store, intent, err)

    async def write() -> str:
        if record.kind == "ticket":
            entry = await readydesk.add_history_note(int(record.number), signed, uid=technician)
            return str(entry)
        owner = "customers" if record.kind == "customer" else "jobs"
        note = await kickserv.add_note(owner, int(record.number), signed)
        return str(note.global_id)

    return await write_once(store, intent, write, read_back=read_back, settings=settings)
