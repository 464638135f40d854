"""Visits: which Kickserv jobs were booked for which ReadyDesk tickets, what each job looked like
when last seen, and the notes a visit owes, kept until written once. A primary key and a
conditional update, not a lock in memory, decide between processes."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Row, bindparam, select, update

from store.area import StoreArea, off_loop
from store.models import TicketVisit, VisitNote

# A new owed note is left to the process that made it this long before the sweep looks at it
# (its writer is trying it right now).
WRITER_FIRST = timedelta(seconds=30)

# A ticket's visits, the newest booked first: read for every ticket card, so the statement is
# built once (and its cache key worked out once), not for every read. An immutable construct.
_TICKET_VISITS = (
    select(TicketVisit.__table__)
    .where(TicketVisit.__table__.c.ticket_id == bindparam("ticket_id"))
    .order_by(TicketVisit.__table__.c.booked_at.desc(), TicketVisit.__table__.c.job_number.desc())
)


@dataclass(frozen=True)
class Visit:
    """A ticket's link to a job, and the job as last seen."""

    ticket_id: int
    job_number: int
    subject: str
    booked_by: str
    booker_name: str
    booker_email: str
    booked_at: datetime
    status: str
    scheduled: str  # ISO time ("" when unscheduled)


@dataclass(frozen=True)
class OwedNote:
    """A note a visit owes a ticket ("ticket") or its job ("job"), written as `user_id`."""

    intent_key: str
    ticket_id: int
    job_number: int
    kind: str
    text: str
    user_id: str
    author_name: str
    author_email: str
    tries: int = 0
    offer_close: bool = False


def _visit(row: TicketVisit | Row) -> Visit:
    return Visit(
        row.ticket_id,
        row.job_number,
        row.subject,
        row.booked_by,
        row.booker_name,
        row.booker_email,
        row.booked_at,
        row.status,
        row.scheduled,
    )


def _owed(row: VisitNote) -> OwedNote:
    return OwedNote(
        row.intent_key,
        row.ticket_id,
        row.job_number,
        row.kind,
        row.text,
        row.user_id,
        row.author_name,
        row.author_email,
        row.tries,
        row.offer_close,
    )


class VisitStore(StoreArea):
    """The links and the notes they owe; each method runs off the event loop."""

    @off_loop
    def link(self, visit: Visit, notes: list[OwedNote], now: datetime) -> bool:
        """Link a ticket and a job, with the notes the booking owes, in one transaction; False
        when they were linked already (nothing is added then)."""
        with self._session() as session:
            if session.get(TicketVisit, (visit.ticket_id, visit.job_number)) is not None:
                return False
            session.add(
                TicketVisit(
                    ticket_id=visit.ticket_id,
                    job_number=visit.job_number,
                    subject=visit.subject[:255],
                    booked_by=visit.booked_by,
                    booker_name=visit.booker_name[:255],
                    booker_email=visit.booker_email[:255],
                    booked_at=visit.booked_at,
                    status=visit.status,
                    scheduled=visit.scheduled,
                    done=False,
                )
            )
            session.add_all(_note_row(note, now) for note in notes)
            session.commit()
            return True

    @off_loop
    def of_ticket(self, ticket_id: int) -> list[Visit]:
        """A ticket's visits, the newest booked first."""
        # Read for every ticket card: plain rows, not ORM objects.
        with self._connection() as connection:
            rows = connection.execute(_TICKET_VISITS, {"ticket_id": ticket_id})
            return [_visit(row) for row in rows]

    @off_loop
    def of_job(self, job_number: int) -> list[Visit]:
        """The tickets a job was booked for, the newest first."""
        with self._session() as session:
            rows = session.scalars(
                select(TicketVisit)
                .where(TicketVisit.job_number == job_number)
                .order_by(TicketVisit.booked_at.desc(), TicketVisit.ticket_id.desc())
            )
            return [_visit(row) for row in rows]

    @off_loop
    def open_visits(self) -> list[Visit]:
        """Every visit whose job is neither completed nor cancelled (as last seen)."""
        with self._session() as session:
            rows = session.scalars(select(TicketVisit).where(TicketVisit.done.is_(False)))
            return [_visit(row) for row in rows]

    @off_loop
    def changed(
        self,
        seen: Visit,
        status: str,
        scheduled: str,
        done: bool,
        note: OwedNote | None,
        now: datetime,
    ) -> bool:
        """Record that the job now has `status` and `scheduled`, with the note the change owes
        the ticket (None when it owes none, e.g. started): True for the one process that saw
        the change first (the job still had the status and time `seen` says), False for every
        other."""
        with self._session() as session:
            moved = session.execute(
                update(TicketVisit)
                .where(TicketVisit.ticket_id == seen.ticket_id)
                .where(TicketVisit.job_number == seen.job_number)
                .where(TicketVisit.status == seen.status)
                .where(TicketVisit.scheduled == seen.scheduled)
                .values(status=status, scheduled=scheduled, done=done)
            )
            if moved.rowcount != 1:
                session.rollback()
                return False
            if note is not None and session.get(VisitNote, note.intent_key) is None:
                session.add(_note_row(note, now))
            session.commit()
            return True

    @off_loop
    def owe(self, note: OwedNote, now: datetime) -> bool:
        """Keep one more owed row (once: False when its key is there already)."""
        return self._insert_once(_note_row(note, now))

    @off_loop
    def due_notes(self, now: datetime, limit: int = 50) -> list[OwedNote]:
        """The notes not written yet whose next try is due."""
        with self._session() as session:
            rows = session.scalars(
                select(VisitNote)
                .where(VisitNote.written_at.is_(None))
                .where(VisitNote.next_try_at <= now)
                .order_by(VisitNote.next_try_at)
                .limit(limit)
            )
            return [_owed(row) for row in rows]

    @off_loop
    def unwritten(self, intent_keys: list[str]) -> list[OwedNote]:
        """Which of these notes are not written yet."""
        with self._session() as session:
            rows = session.scalars(
                select(VisitNote)
                .where(VisitNote.intent_key.in_(intent_keys))
                .where(VisitNote.written_at.is_(None))
            )
            return [_owed(row) for row in rows]

    @off_loop
    def written(self, intent_key: str, now: datetime) -> bool:
        """Mark a note written: True for the one caller that marked it (it says so)."""
        with self._session() as session:
            moved = session.execute(
                update(VisitNote)
                .where(VisitNote.intent_key == intent_key)
                .where(VisitNote.written_at.is_(None))
                .values(written_at=now)
            )
            session.commit()
            return moved.rowcount == 1

    @off_loop
    def try_later(self, intent_key: str, at: datetime) -> None:
        """A try that did not write the note: the next at `at`."""
        with self._session() as session:
            session.execute(
                update(VisitNote)
                .where(VisitNote.intent_key == intent_key)
                .values(next_try_at=at, tries=VisitNote.tries + 1)
            )
            session.commit()


def _note_row(note: OwedNote, now: datetime) -> VisitNote:
    return VisitNote(
        intent_key=note.intent_key,
        ticket_id=note.ticket_id,
        job_number=note.job_number,
        kind=note.kind,
        text=note.text,
        user_id=note.user_id,
        author_name=note.author_name[:255],
        author_email=note.author_email[:255],
        made_at=now,
        next_try_at=now + WRITER_FIRST,
        tries=0,
        written_at=None,
        offer_close=note.offer_close,
    )
