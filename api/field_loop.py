"""`FieldLoop`: the Desk's door to the link between the two systems — a visit booked for a
ticket, the notes it owes both records, and the watch on its job until the visit is done.

`Desk` builds it (as `desk.field`) over the same clients, store and note writer; each method
delegates to api/visits.py or api/visit_bookings.py, which know how.
"""

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime

from api.business import KICKSERV, READYDESK, Entry
from api.errors import BackendError
from api.identity import Profile
from api.kickserv import KickservClient
from api.note_writes import NotedRecord
from api.readydesk import ReadyDeskClient, Ticket
from api.visit_bookings import LINK, booking_settled, keep_booking, settle_bookings
from api.visits import Booking, OwedNote, VisitPoll, book_visit, check_visits, write_owed
from api.writes import Intent, WriteResult, WritesInFlight
from store import Store

CustomerIn = Callable[[str, str, str], Awaitable[Entry | None]]
NoteWriter = Callable[[Intent, NotedRecord, str, Profile], Awaitable[WriteResult]]


class FieldLoop:
    """Visits: booking one from a ticket, its owed notes, and its job watched to the end."""

    def __init__(
        self,
        readydesk: ReadyDeskClient,
        kickserv: KickservClient,
        store: Store,
        customer_in: CustomerIn,
        add_note: NoteWriter,
        in_flight: WritesInFlight,
    ) -> None:
        self._readydesk = readydesk
        self._kickserv = kickserv
        self._store = store
        self._customer_in = customer_in
        self._add_note = add_note
        self._in_flight = in_flight

    async def visit_customer(self, ticket_id: int) -> tuple[Ticket, Entry | None]:
        """A ticket, and the Kickserv customer its customer is (the directory's link; None when
        it has no Kickserv twin): what Book a visit starts from."""
        ticket = await self._readydesk.get_ticket(ticket_id)
        if not ticket.customer_id:
            return ticket, None
        return ticket, await self._customer_in(KICKSERV, READYDESK, ticket.customer_id)

    async def book_visit(self, booking: Booking, now: datetime) -> list[OwedNote]:
        """Link a job just created to its ticket and write the two notes the booking owes,
        once each; the notes not written yet (the sweeper keeps trying them)."""
        self._in_flight.keep_running()
        service = ""
        if booking.job is not None:
            try:
                types = await self._kickserv.job_types()
                service = next(
                    (t.name for t in types if t.job_type_id == booking.job.job_type_id), ""
                )
            except BackendError:
                service = booking.job.name
        return await book_visit(self._store, self._add_note, booking, service, now)

    async def write_owed_notes(self, now: datetime) -> list[OwedNote]:
        """Try again the visit notes not written yet whose time has come, and link the kept
        bookings whose job is now confirmed; the notes now written."""
        due = await self._store.visits.due_notes(now)
        notes = [n for n in due if n.kind != LINK]
        written = await write_owed(self._store, self._add_note, notes, now)
        links = [n for n in due if n.kind == LINK]
        await settle_bookings(
            self._kickserv, self._store, lambda b: self.book_visit(b, now), links, now
        )
        return written

    async def keep_booking(self, job_intent: str, booking: Booking, now: datetime) -> None:
        """A booking whose job is being created: linked by the sweep once the job's write is
        confirmed, unless `booking_settled` says it was linked first."""
        await keep_booking(self._store, job_intent, booking, now)

    async def booking_settled(self, job_intent: str, now: datetime) -> None:
        """The booking kept for this job's write is linked (the sweep has nothing to do)."""
        await booking_settled(self._store, job_intent, now)

    async def check_visits(self, timezone: str, now: datetime) -> VisitPoll:
        """Read every linked job not done yet; note each completed, cancelled or moved one on
        its ticket (once across processes): the jobs read, the notes now written (`owed`) and
        the changes this process saw first."""
        poll = await check_visits(self._kickserv, self._store, timezone, now)
        written = await write_owed(self._store, self._add_note, poll.owed, now)
        return replace(poll, owed=written)
