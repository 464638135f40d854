"""Visits: a Kickserv job booked for a ReadyDesk ticket. The link lives in Deskhand's database
(either side may have several); booking it owes the ticket a note and the job a note, and a job
later completed, cancelled or moved owes the ticket one more. Every owed note is written once
through the claimed, audited write of api/note_writes.py, and one not written is kept and tried
again (`write_owed`, from the sweeper) until it is."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from api.errors import BackendError, NotFound
from api.identity import Profile
from api.job_status import ON_MY_WAY_NOTE
from api.jobs import crew, newest_order, read_job_notes
from api.kickserv import Job, KickservClient
from api.note_writes import NotedRecord
from api.signatures import read_signature
from api.times import local_time
from api.writes import Intent, WriteResult
from store import Store
from store.claims import DONE
from store.visits import OwedNote, Visit

# Writes one note once (Desk.add_note).
WriteNote = Callable[[Intent, NotedRecord, str, Profile], Awaitable[WriteResult]]
SHOWN_VISITS = 5  # a ticket card reads its newest few visits' jobs
POLL_AT_ONCE = 8  # linked jobs read at once by the completion poll
FIRST_RETRY, LAST_RETRY = timedelta(seconds=30), timedelta(minutes=30)
DONE_STATUS = "completed"
CANCELLED = ("canceled", "cancelled")
GONE = "deleted"  # a linked job Kickserv no longer has
NOTE_QUOTE_MAX = 500
ORIGIN = "From ReadyDesk ticket #"  # how the note a booking writes on its job begins
BOOKING_NOTES = (":booked", ":from")  # the ends of the intent keys of a booking's two notes
VISIT_NOTES = "visit."  # what a visit note's write is audited as starts with this
DONE_NOTE = "done"  # a visit done's note key ends so: said with Close under the ticket's cards


@dataclass(frozen=True)
class VisitView:
    """One of a ticket's visits as read now (as last seen when the job could not be read)."""

    job_number: int
    status: str
    when: datetime | None
    service: str = ""
    crew: list[str] = field(default_factory=list)
    unread: bool = False


@dataclass(frozen=True)
class Booking:
    """A job just created from a ticket's Book a visit, and who booked it."""

    ticket_id: int
    subject: str
    ticket_link: str  # "" when the help desk's web address is not configured
    job_number: int
    job: Job | None  # as read back (None when it could not be)
    crew: list[str]  # who it was assigned to
    user_id: str
    author: Profile
    timezone: str  # the business's, for the times in the notes


def visit_description(ticket_id: int, subject: str, link: str) -> str:
    """The job form's description for a ticket's visit: `Ticket #34: <subject>` and its link."""
    first = f"Ticket #{ticket_id}: {subject or '(no subject)'}"
    return f"{first}\n{link}" if link else first


def booking_notes(booking: Booking, service: str) -> list[OwedNote]:
    """What booking a visit owes: a history note on the ticket and a note on the job."""
    job = booking.job
    when = local_time(job.scheduled_on if job else None, booking.timezone)
    parts = [f"job {booking.job_number}", service, when, ", ".join(booking.crew)]
    booked = "Visit booked: " + ", ".join(p for p in parts if p)
    origin = f"{ORIGIN}{booking.ticket_id}: {booking.subject or '(no subject)'}"
    if booking.ticket_link:
        origin += f"\n{booking.ticket_link}"
    base = f"{visit_note_keys(booking.ticket_id)}{booking.job_number}"
    return [
        _owed(booking, base + BOOKING_NOTES[0], "ticket", booked),
        _owed(booking, base + BOOKING_NOTES[1], "job", origin),
    ]


def _owed(booking: Booking, key: str, kind: str, text: str) -> OwedNote:
    author = booking.author
    return OwedNote(
        key,
        booking.ticket_id,
        booking.job_number,
        kind,
        text,
        booking.user_id,
        author.name,
        author.email or "",
    )


async def book_visit(
    store: Store, write_note: WriteNote, booking: Booking, service: str, now: datetime
) -> list[OwedNote]:
    """Link the ticket and the job, then write the notes the booking owes; the notes not
    written yet (the sweeper keeps trying them)."""
    job = booking.job
    visit = Visit(
        booking.ticket_id,
        booking.job_number,
        booking.subject,
        booking.user_id,
        booking.author.name,
        booking.author.email or "",
        now,
        job.status if job else "",
        _iso(job.scheduled_on) if job else "",
    )
    notes = booking_notes(booking, service)
    await store.visits.link(visit, notes, now)
    pending = await store.visits.unwritten([n.intent_key for n in notes])
    written = await write_owed(store, write_note, pending, now)
    return [n for n in pending if n not in written]


async def write_owed(
    store: Store, write_note: WriteNote, notes: list[OwedNote], now: datetime
) -> list[OwedNote]:
    """Write each owed note once; the ones this call found written (each told once across
    processes). One not written is tried again later, sooner at first."""
    written = []
    for note in notes:
        intent = Intent(
            key=note.intent_key,
            action=f"{VISIT_NOTES}{note.kind}_note",
            user_id=note.user_id,
            channel_id="",
            target=_target(note),
            summary=note.text[:300],
        )
        number = str(note.ticket_id if note.kind == "ticket" else note.job_number)
        author = Profile(note.author_name or "Deskhand", note.author_email or None)
        kind: Literal["ticket", "job"] = "ticket" if note.kind == "ticket" else "job"
        result = await write_note(intent, NotedRecord(kind, number), note.text, author)
        done = result.outcome in ("written", "confirmed") or (
            result.outcome == "duplicate" and result.earlier and result.earlier.state == DONE
        )
        if done:
            if await store.visits.written(note.intent_key, now):
                written.append(note)
            continue
        wait = min(FIRST_RETRY * 2**note.tries, LAST_RETRY)
        await store.visits.try_later(note.intent_key, now + wait)
    return written


def visit_note_keys(ticket_id: int) -> str:
    """What the intent keys of a ticket's visit notes start with."""
    return f"visit:{ticket_id}:"


def of_a_change(intent_key: str) -> bool:
    """Whether a visit note's write (by its intent key) is one Deskhand wrote of itself when the
    job changed in Kickserv (done, canceled, moved, deleted): signed by the booker, whom the
    backends need as an author, though no one wrote it (unlike the booking's two notes)."""
    return intent_key.split(":")[3:4] in ([DONE_NOTE], ["cancelled"], ["moved"], [GONE])


def told_under_cards(intent_key: str) -> bool:
    """Whether a visit note's write (by its intent key, a part's too) is one the ticket's card
    threads are told of with Close ticket (a visit done), so never posted there as a note."""
    return intent_key.split(":")[3:4] == [DONE_NOTE]


def _target(note: OwedNote) -> str:
    return f"ticket #{note.ticket_id}" if note.kind == "ticket" else f"job {note.job_number}"


async def read_visits(kickserv: KickservClient, store: Store, ticket_id: int) -> list[VisitView]:
    """A ticket's visits, the newest few read now (at once); the rest as last seen."""
    visits = await store.visits.of_ticket(ticket_id)
    if not visits:
        return []
    try:
        services = {t.job_type_id: t.name for t in await kickserv.job_types()}
    except BackendError:
        services = {}
    read = await asyncio.gather(
        *(_read_visit(kickserv, v, services) for v in visits[:SHOWN_VISITS])
    )
    return list(read) + [_as_seen(v) for v in visits[SHOWN_VISITS:]]


async def _read_visit(
    kickserv: KickservClient, visit: Visit, services: dict[int | None, str]
) -> VisitView:
    try:
        job = await kickserv.get_job(visit.job_number)
        tasks = await kickserv.list_tasks(job_global_id=job.global_id)
    except BackendError:
        return _as_seen(visit)
    service = services.get(job.job_type_id, job.name)
    return VisitView(job.job_number, job.status, job.scheduled_on, service, crew(tasks))


def _as_seen(visit: Visit) -> VisitView:
    when = datetime.fromisoformat(visit.scheduled) if visit.scheduled else None
    return VisitView(visit.job_number, visit.status, when, unread=True)


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


@dataclass(frozen=True)
class VisitPoll:
    """One completion poll: the linked jobs read, the notes this process was the first to owe,
    and the changes it was the first to see, as (ticket, change) (its live cards show them)."""

    read: int
    owed: list[OwedNote]
    changed: list[tuple[int, str]]


async def check_visits(
    kickserv: KickservClient, store: Store, timezone: str, now: datetime
) -> VisitPoll:
    """Read every linked job not done yet (a few at once) and note on its ticket each one
    completed, cancelled or moved since last seen; another process seeing the same change
    owes nothing and sees no change."""
    visits = await store.visits.open_visits()
    numbers = sorted({v.job_number for v in visits})
    gate = asyncio.Semaphore(POLL_AT_ONCE)

    async def read(number: int) -> Job | str | None:
        async with gate:
            try:
                return await kickserv.get_job(number)
            except NotFound:
                return GONE
            except BackendError:
                return None  # read again next poll

    jobs = dict(zip(numbers, await asyncio.gather(*(read(n) for n in numbers)), strict=True))
    owed, changed = [], []
    for visit in visits:
        job = jobs.get(visit.job_number)
        if job is None:
            continue
        if isinstance(job, str):  # deleted in Kickserv: said once, then no longer read
            key = f"{visit_note_keys(visit.ticket_id)}{visit.job_number}:{GONE}"
            text = f"Visit removed: job {visit.job_number} is no longer in Kickserv"
            note: OwedNote | None = _change(visit, key, text)
            seen = (GONE, visit.scheduled)
        elif (job.status, _iso(job.scheduled_on)) == (visit.status, visit.scheduled):
            continue
        else:
            # A job never read (not read back when booked) is only seen now: nothing to say.
            note = await _change_note(kickserv, visit, job, timezone) if visit.status else None
            seen = (job.status, _iso(job.scheduled_on))
        done = seen[0] in (DONE_STATUS, GONE, *CANCELLED)
        if not await store.visits.changed(visit, *seen, done, note, now):
            continue
        changed.append((visit.ticket_id, f"visit:{visit.job_number}:{seen[0]}:{seen[1]}"))
        if note is not None:
            owed.append(note)
    return VisitPoll(len(numbers), owed, changed)


async def _change_note(
    kickserv: KickservClient, visit: Visit, job: Job, timezone: str
) -> OwedNote | None:
    """The note a job's change owes its ticket: done, cancelled or moved (None for another
    status change, e.g. started)."""
    base = f"{visit_note_keys(visit.ticket_id)}{visit.job_number}"
    number = visit.job_number
    if job.status == DONE_STATUS:
        who, quote = await _done_by(kickserv, job)
        # The day too: the note may be written (and read) long after, as a moved visit's is.
        at = local_time(job.completed_on or job.updated_at, timezone, none="at an unknown time")
        text = f"Visit done: job {number}" + (f" by {who}" if who else "") + f", {at}"
        if quote:
            text += f" — {quote}"
        return _change(visit, f"{base}:{DONE_NOTE}", text, offer_close=True)
    if job.status in CANCELLED:
        return _change(visit, f"{base}:cancelled", f"Visit canceled: job {number}")
    if _iso(job.scheduled_on) != visit.scheduled:
        when = local_time(job.scheduled_on, timezone)
        key = f"{base}:moved:{_iso(job.scheduled_on)}"
        return _change(visit, key, f"Visit moved: job {number}, now {when}")
    return None


async def _done_by(kickserv: KickservClient, job: Job) -> tuple[str, str]:
    """Who is on the job, and its latest note a person wrote (in Kickserv or from Slack), its
    signature left out (either "")."""
    try:
        tasks = await kickserv.list_tasks(job_global_id=job.global_id)
        who = ", ".join(crew(tasks))
    except BackendError:
        who = ""
    try:
        notes = await read_job_notes(kickserv, job.job_number)
    except BackendError:
        return who, ""
    words = [(n, read_signature(n.text).text) for n in notes]
    theirs = [(n, text) for n, text in words if _a_persons(text)]
    latest = max(theirs, key=lambda pair: newest_order(pair[0]), default=None)
    text = " ".join(latest[1].split()) if latest else ""
    return who, text[:NOTE_QUOTE_MAX]


def _a_persons(note: str) -> bool:
    """Not a note Deskhand words itself on a job (its visit's origin, On my way)."""
    body = note.strip()
    return bool(body) and body != ON_MY_WAY_NOTE and not body.startswith(ORIGIN)


def _change(visit: Visit, key: str, text: str, *, offer_close: bool = False) -> OwedNote:
    return OwedNote(
        key,
        visit.ticket_id,
        visit.job_number,
        "ticket",
        text,
        visit.booked_by,
        visit.booker_name,
        visit.booker_email,
        offer_close=offer_close,
    )
