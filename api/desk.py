"""`Desk`: the one door handlers/ and workers/ use to reach the backends.

Built whole at start (both clients, the customer directory and the store). Its reads return
views (models that cards/ draws), and its writes go through the claim and the read-back of
api/writes.py; each method delegates to the api module that knows how.
"""

import asyncio
from datetime import date, datetime

from api import digests
from api.business import Business, Entry
from api.callbacks import CallbackCheck, CallbackList, CallbackRadar, CallbackRule
from api.customers import BusinessView, CustomerSearch, find_customer, read_business
from api.directory import PICKER_WAIT, CustomerDirectory
from api.errors import BackendError
from api.field_loop import FieldLoop
from api.home import HomeView, read_home
from api.identity import Identity, Profile, employee_match, identify
from api.job_changes import Schedule, read_schedule
from api.job_status import ON_MY_WAY_NOTE, Step, is_assigned, set_job_status
from api.job_writes import JobCreation, NewJob, create_job
from api.jobs import JobView, read_job, read_job_crew, read_job_notes
from api.kickserv import Employee, Job, JobType, KickservClient, Note
from api.links import LinkedRecord
from api.note_parts import add_note_in_parts
from api.note_writes import NotedRecord, NotePart, add_note
from api.read_back import find_write
from api.readydesk import ReadyDeskClient, Ticket
from api.readydesk.models import Technician
from api.record_notes import RecordNote, change_job_note, read_notes
from api.refs import AnyRef, CustomerRef, JobRef, TicketQuery, TicketRef
from api.runsheet import RunSheet, RunSheets
from api.ticket_writes import NewTicket, change_ticket, create_ticket
from api.tickets import (
    FilterChoices,
    TicketListView,
    TicketView,
    filter_choices,
    newest_ticket_number,
    read_ticket,
    read_ticket_page,
    tickets_between,
)
from api.unfurls import JobUnfurl, Unfurl, finish_unfurls, read_unfurl, read_unfurls
from api.visits import read_visits
from api.writes import DEFAULTS, Intent, WritePlan, WriteResult, WriteSettings, WritesInFlight
from store import Store

AnyView = TicketView | TicketListView | BusinessView | JobView
# Room kept in a ticket note's request for the technician it is written as (found later).
_SOME_TECHNICIAN = "t" * 40


class Desk:
    """Both backends and the directory; handlers receive it from the context as `desk`."""

    def __init__(
        self,
        readydesk: ReadyDeskClient,
        kickserv: KickservClient,
        directory: CustomerDirectory,
        store: Store,
        writes: WriteSettings = DEFAULTS,
    ) -> None:
        self.readydesk = readydesk
        self.kickserv = kickserv
        self.directory = directory
        self.store = store
        self.writes = writes  # claim lease, read-back deadline and apply window of its writes
        self.in_flight = WritesInFlight()  # what a graceful stop waits for
        self.callbacks = CallbackRadar(kickserv, directory)  # its Kickserv reads cached
        self.runsheets = RunSheets(kickserv, store)  # each day's customers read early next time
        self.field = FieldLoop(
            readydesk, kickserv, store, self.customer_in, self.add_note, self.in_flight
        )

    async def read(
        self, ref: AnyRef, now: datetime, callbacks: CallbackRule | None = None
    ) -> AnyView:
        """What a card's reference stands for, read at `now` (the business's wall clock, which
        a ticket search's dates are relative to); a ticket checked by `callbacks` when given."""
        if isinstance(ref, TicketRef):
            return await self.ticket(ref.ticket_id, callbacks)
        if isinstance(ref, TicketQuery):
            return await read_ticket_page(self.readydesk, ref, now)
        if isinstance(ref, JobRef):
            return await self.job(ref.job_number)
        return await read_business(self, ref)

    async def ticket(self, ticket_id: int, callbacks: CallbackRule | None = None) -> TicketView:
        """A ticket, its statuses and its visits at once (a statuses' failure is said); with
        `callbacks`, also the visit it may be a callback about (a failed read is named)."""

        async def checked() -> tuple[TicketView, CallbackCheck]:
            view = await read_ticket(self.readydesk, ticket_id)
            if callbacks is None:
                return view, CallbackCheck()
            return view, await self.callbacks.check(view.ticket, callbacks)

        # The flag's Kickserv reads start once the ticket is read, beside the visits' own.
        (view, check), visits = await asyncio.gather(
            checked(), read_visits(self.kickserv, self.store, ticket_id)
        )
        view.visits = visits
        view.callback = check.visit
        view.unread = " · ".join(line for line in (view.unread, check.unread) if line)
        return view

    async def ticket_as_is(self, ticket_id: int) -> Ticket | None:
        """The ticket as ReadyDesk has it now, alone (no statuses, visits or flags), or None when
        it cannot be read: what a press checks before it writes (the write then says why)."""
        try:
            return await self.readydesk.get_ticket(ticket_id)
        except BackendError:
            return None

    async def ticket_read(self, ticket: Ticket, callbacks: CallbackRule) -> TicketView:
        """A ticket already read (a watch's match, a live card's range) as `ticket` views it:
        the statuses (cached), its visits and the visit it may be a callback about (cached
        reads)."""
        statuses, visits, check = await asyncio.gather(
            self.readydesk.ticket_statuses(),
            read_visits(self.kickserv, self.store, ticket.ticket_id),
            self.callbacks.check(ticket, callbacks),
        )
        return TicketView(ticket, statuses, check.unread, check.visit, visits)

    async def possible_callbacks(self, rule: CallbackRule, now: datetime) -> CallbackList:
        """The possible callbacks among the tickets opened in the rule's last days."""
        return await self.callbacks.recent(self.readydesk, rule, now)

    async def ticket_page(self, query: TicketQuery, now: datetime) -> TicketListView:
        """One page of a ticket search, newest first."""
        return await read_ticket_page(self.readydesk, query, now)

    async def business(self, ref: CustomerRef) -> BusinessView:
        """One business across both systems."""
        return await read_business(self, ref)

    async def find_customer(self, text: str, *, read_one: bool = True) -> CustomerSearch:
        """`/customer <text>`: the businesses found, the one read whole when only one (and
        `read_one`; a form that only needs the match passes False)."""
        return await find_customer(self, text, read_one=read_one)

    async def job(self, job_number: int) -> JobView:
        """A job with its customer, service, crew, latest note and the tickets it is a visit for."""
        view, tickets = await asyncio.gather(
            read_job(self.kickserv, self.directory, job_number),
            self.store.visits.of_job(job_number),
        )
        view.tickets = tickets
        return view

    async def job_notes(self, job_number: int) -> list[Note]:
        """Every note on a job, newest first."""
        return await read_job_notes(self.kickserv, job_number)

    async def job_crew(self, job_number: int) -> tuple[Job, list[str]]:
        """A job and who is assigned to it."""
        return await read_job_crew(self.kickserv, job_number)

    async def filter_choices(self, priorities: list[str]) -> FilterChoices:
        """The values each `/tickets` filter may name."""
        return await filter_choices(self.readydesk, priorities)

    async def digest(
        self,
        kind: str,
        query: TicketQuery,
        now: datetime,
        priorities: list[str],
        timezone: str,
        slot_day: date | None = None,
    ) -> digests.TicketDigest | digests.JobDigest:
        """What a digest of `kind` shows now (`now`: the wall clock in `timezone`); a jobs
        digest is of its slot's day (`slot_day`) when given."""
        return await digests.read_digest(
            self.readydesk, self.kickserv, kind, query, now, priorities, timezone, slot_day
        )

    async def jobs_on(
        self, day: date, which: digests.Window | None, timezone: str
    ) -> digests.JobDigest:
        """The business's day's jobs (in `timezone`) and who is on each; `which`: Kickserv's
        list of that day (None: a day it has no list of)."""
        return await digests.jobs_on(self.kickserv, day, which, timezone)

    async def ticket_statuses(self) -> list[str]:
        """The statuses a ticket card's Status menu offers (cached)."""
        return await self.readydesk.ticket_statuses()

    async def newest_ticket_number(self) -> int:
        """The number of the newest ticket (0 when there is none)."""
        return await newest_ticket_number(self.readydesk)

    async def tickets_between(
        self, first: int, last: int, count: int, search: TicketQuery | None = None
    ) -> list[Ticket]:
        """Tickets numbered `first` to `last` (matching `search`), oldest first, at most `count`."""
        return await tickets_between(self.readydesk, first, last, count, search)

    async def technicians(self) -> list[Technician]:
        """ReadyDesk's technicians (cached)."""
        return await self.readydesk.technicians()

    async def employees(self) -> list[Employee]:
        """Kickserv's employees (cached)."""
        return await self.kickserv.employees()

    async def job_types(self) -> list[JobType]:
        """Kickserv's services, the job form's choices (cached)."""
        return await self.kickserv.job_types()

    async def ticket_categories(self) -> list[str]:
        """ReadyDesk's ticket categories, the ticket form's choices (cached)."""
        return await self.readydesk.ticket_categories()

    async def search_businesses(self, text: str, limit: int = 20) -> list[Business]:
        """Businesses matching `text` (ID, name, company, email or phone), for a picker: from
        the directory, and while it fills from the backends' lookups too (within PICKER_WAIT)."""
        return (await self.directory.find(text, limit, wait=PICKER_WAIT)).businesses

    def start(self) -> None:
        """Start the desk's background work, once a process has migrated its store: the
        customer directory's fill and refresh (`aclose` stops it)."""
        self.directory.start()

    async def customer_in(self, wanted: str, system: str, record_key: str) -> Entry | None:
        """The customer record in `wanted` (READYDESK or KICKSERV) of the business a record of
        either system belongs to (the record itself when it is `wanted`'s already); None when
        that business has no record there. The one place the two systems' customers meet."""
        return await self.directory.record_in(wanted, system, record_key)

    async def find_write(self, plan: WritePlan) -> str | None:
        """Read a write's target back: its reference when the write is there, None when not."""
        return await find_write(self.readydesk, self.kickserv, plan)

    async def home(self, user_id: str, email: str | None, today: date, timezone: str) -> HomeView:
        """A person's Home tab: their open tickets, their jobs today and tomorrow, and the digests
        and watches they created (each system's part read at once, and apart)."""
        backends = (self.readydesk, self.kickserv, self.directory, self.store)
        return await read_home(*backends, user_id, email, today, timezone)

    async def runsheet(self, user_id: str, email: str | None, day: date, timezone: str) -> RunSheet:
        """A person's run-sheet: their Kickserv employee's jobs on `day`, with each customer's
        address and notes (`day` and `timezone` are the business's)."""
        return await self.runsheets.read(user_id, email, day, timezone)

    async def job_schedule(self, today: date, timezone: str) -> Schedule:
        """Every technician's calendar entries and jobs today and tomorrow (the business's)."""
        return await read_schedule(self.kickserv, today, timezone)

    async def employee_of(self, user_id: str, email: str | None) -> Employee | None:
        """The user's Kickserv employee: an admin's link, else their email (None: not known)."""
        employee, _ = await employee_match(
            self.kickserv, await self.store.links.get(user_id), email
        )
        return employee

    async def unfurls(
        self, records: list[LinkedRecord], *, first_look: bool = False
    ) -> list[Unfurl | BackendError]:
        """What each linked record's unfurl shows (nothing a channel should not see), at once;
        a record whose read failed is its error. A `first_look` is one round trip: a job comes
        without its crew (`api.unfurls.still_to_read`)."""
        return await read_unfurls(
            self.readydesk, self.kickserv, self.directory, records, first_look=first_look
        )

    async def finish_unfurls(self, views: list[JobUnfurl]) -> list[JobUnfurl | BackendError]:
        """First looks at jobs with their crew (one more round trip, all at once)."""
        return await finish_unfurls(self.kickserv, self.directory, views)

    async def unfurl(self, record: LinkedRecord) -> Unfurl:
        """One linked record as its unfurl shows it (a live unfurl's redraw)."""
        return await read_unfurl(self.readydesk, self.kickserv, self.directory, record)

    async def aclose(self) -> None:
        """Stop the directory's refresh and close every backend client's connection pool."""
        await self.directory.aclose()
        await asyncio.gather(self.readydesk.aclose(), self.kickserv.aclose())

    # Identity and safe writes: each delegates to its module under api/.

    async def identify(self, user_id: str, email: str | None) -> Identity:
        """Who a user is in each system: the admin's link first, then their profile's `email`."""
        return await identify(self.readydesk, self.kickserv, self.store, user_id, email)

    async def add_note(
        self, intent: Intent, record: NotedRecord, text: str, author: Profile
    ) -> WriteResult:
        """Write a note once: on a ticket (as the author's technician; in numbered parts when
        one ReadyDesk request cannot hold it), a customer or a job."""
        self.in_flight.keep_running()

        async def one(
            part_intent: Intent, part_record: NotedRecord, note: str, part: NotePart | None
        ) -> WriteResult:
            return await add_note(
                self.readydesk,
                self.kickserv,
                self.store,
                self.find_write,
                part_intent,
                part_record,
                note,
                author,
                part,
                self.writes,
            )

        if record.kind != "ticket":
            return await one(intent, record, text, None)
        ticket_id = int(record.number)

        def fits(note: str) -> bool:
            return self.readydesk.history_note_fits(ticket_id, note, uid=_SOME_TECHNICIAN)

        return await add_note_in_parts(one, intent, record, text, author, fits)

    async def notes_of(self, kind: str, number: int) -> list[RecordNote]:
        """A ticket's history notes or a job's notes, oldest first."""
        return await read_notes(self.readydesk, self.kickserv, kind, number)

    async def change_job_note(
        self, job_number: int, note_id: int, text: str, author: str, marker: str
    ) -> None:
        """Replace a job note's text, signed by `author` with its first `marker` (an edit is
        idempotent: sent again, it sets the same text)."""
        await change_job_note(self.kickserv, job_number, note_id, text, author, marker)

    async def create_ticket(
        self, intent: Intent, ticket: NewTicket, author: Profile
    ) -> WriteResult:
        """Create a ReadyDesk ticket once, signed by `author`."""
        self.in_flight.keep_running()
        return await create_ticket(
            self.readydesk, self.store, self.find_write, intent, ticket, author, self.writes
        )

    async def create_job(self, intent: Intent, job: NewJob, author: Profile) -> JobCreation:
        """Create a Kickserv job once, signed by `author`; then read it back and assign it."""
        self.in_flight.keep_running()
        return await create_job(
            self.kickserv, self.store, self.find_write, intent, job, author, self.writes
        )

    async def take_job_step(
        self, intent: Intent, job_number: int, step: Step, author: Profile
    ) -> WriteResult:
        """A technician's step on a job, once per intent: On my way (a note on the job),
        Started or Done (its status in Kickserv)."""
        self.in_flight.keep_running()
        if step == "on_my_way":
            record = NotedRecord(kind="job", number=str(job_number))
            return await self.add_note(intent, record, ON_MY_WAY_NOTE, author)
        return await set_job_status(
            self.kickserv, self.store, self.find_write, intent, job_number, step, self.writes
        )

    async def is_assigned(self, user_id: str, email: str | None, job_number: int) -> bool:
        """Whether the user's Kickserv employee (linked, or by email) is on the job's crew."""
        employee = await self.employee_of(user_id, email)
        return employee is not None and await is_assigned(self.kickserv, employee, job_number)

    async def assign_ticket(self, intent: Intent, ticket_id: int, technician: str) -> WriteResult:
        """Assign a ticket to a technician, once per intent."""
        return await self._change_ticket(intent, ticket_id, {"assigned_to": technician})

    async def set_ticket_status(self, intent: Intent, ticket_id: int, status: str) -> WriteResult:
        """Set a ticket's status, once per intent."""
        return await self._change_ticket(intent, ticket_id, {"status": status})

    async def close_ticket(self, intent: Intent, ticket_id: int, at: datetime) -> WriteResult:
        """Close a ticket, dated `at` (the business's wall-clock time), once per intent."""
        return await self._change_ticket(intent, ticket_id, {}, closed_at=at)

    async def _change_ticket(
        self,
        intent: Intent,
        ticket_id: int,
        fields: dict[str, str],
        *,
        closed_at: datetime | None = None,
    ) -> WriteResult:
        self.in_flight.keep_running()
        return await change_ticket(
            self.readydesk,
            self.store,
            self.find_write,
            intent,
            ticket_id,
            fields,
            closed_at=closed_at,
            settings=self.writes,
        )
