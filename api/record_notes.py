"""A ticket's or job's notes as one list (for threads that show notes added elsewhere), and
changing a Kickserv job note's text (an edited reply). ReadyDesk history cannot be changed."""

from dataclasses import dataclass
from datetime import datetime

from api.errors import BackendError
from api.kickserv import KickservClient, Note
from api.readydesk import ReadyDeskClient
from api.readydesk.models import HistoryEntry
from api.writes import signature

NOTES_READ = 500  # a record's notes read at most (Kickserv pages them)
# The lines ReadyDesk writes in a ticket's history itself (an event, not a note): the ticket's
# opening, and a status change (which a live card already says in its thread).
OPENED_LINE = "ticket opened."
STATUS_LINE = "status changed to {status}."


@dataclass(frozen=True)
class RecordNote:
    """One note of a ticket (a history entry with a note) or a job."""

    id: str
    author: str
    at: datetime | None
    text: str


async def read_notes(
    readydesk: ReadyDeskClient, kickserv: KickservClient, kind: str, number: int
) -> list[RecordNote]:
    """The notes of `ticket` or `job` `number`, oldest first (the entries of a ticket's
    history that hold no note, such as a status change alone, are left out)."""
    if kind == "ticket":
        entries = await readydesk.get_history(tid=number)
        return [
            RecordNote(str(e.entry_id), e.updated_by, e.at, e.note)
            for e in entries
            if is_ticket_note(e) and e.entry_id is not None
        ]
    notes: list[Note] = []
    async for note in kickserv.iter_notes("jobs", number):
        notes.append(note)
        if len(notes) >= NOTES_READ:
            break
    names: dict[int, str] = {}
    if any(n.creator is None and n.creator_global_id for n in notes):  # a GET names only the id
        try:
            names = {e.global_id: e.name for e in await kickserv.employees()}  # cached
        except BackendError:
            names = {}
    found = [
        RecordNote(
            str(n.global_id),
            n.creator.name if n.creator else names.get(n.creator_global_id or 0, ""),
            n.created_at,
            n.text,
        )
        for n in notes
    ]
    return sorted(found, key=lambda n: int(n.id))


def is_ticket_note(entry: HistoryEntry) -> bool:
    """Whether a ticket history entry is a note: text someone wrote (in ReadyDesk, or through
    Deskhand), not ReadyDesk's own line for the ticket's opening or a change of its status."""
    said = " ".join(entry.note.split()).lower()
    return bool(said) and said not in (OPENED_LINE, STATUS_LINE.format(status=entry.status.lower()))


async def change_job_note(
    kickserv: KickservClient, job_number: int, note_id: int, text: str, author: str, marker: str
) -> None:
    """Replace a job note's text, signed as before (its marker kept: still recognised)."""
    await kickserv.update_note("jobs", job_number, note_id, f"{text}\n{signature(author, marker)}")
