"""One business across ReadyDesk and Kickserv, read as a view: its records, tickets and jobs,
and what could not be read; and a `/customer` search through the directory."""

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Protocol

from api.business import KICKSERV, READYDESK, Business
from api.directory import CustomerDirectory
from api.errors import BackendError, NotFound
from api.kickserv import Job, KickservClient, KickservCustomer
from api.money import OWING_STATUSES, customer_owed, job_owed
from api.reads import combined, nothing, settle, unread_line
from api.readydesk import Customer, ReadyDeskClient, Ticket
from api.readydesk.search import customer_tickets
from api.refs import CustomerRef

SYSTEMS = ("ReadyDesk", "Kickserv")
ACTIVE_JOB_STATUSES = ("in_progress", "scheduled", "on_hold")
NEWEST_TICKETS = 5
LOADING_NOTE = (
    "The customer directory is still loading: ReadyDesk customers it has not reached yet are "
    "found by their exact ID only."
)


@dataclass
class BusinessView:
    """What a customer card shows; a part is None when its system was not asked or failed."""

    name: str
    readydesk: Customer | None = None
    kickserv: KickservCustomer | None = None
    ticket_counts: dict[str, int] | None = None  # None: not read (a line in `failed` says why)
    open_tickets: list[Ticket] = field(default_factory=list)
    jobs: list[Job] | None = None  # not done yet (ACTIVE_JOB_STATUSES); None: not read
    owed: Decimal | None = None  # api/money.py's owed, over every job; None: not read
    owing: list[Job] = field(default_factory=list)  # the jobs that owe something, by number
    services: dict[int, str] = field(default_factory=dict)  # Kickserv's services by job type id
    failed: list[str] = field(default_factory=list)  # messages naming the failed systems
    linked: str = ""


@dataclass
class CustomerSearch:
    """What `/customer <text>` found: one business read whole, several to pick from, or none."""

    text: str
    businesses: list[Business]
    note: str = ""  # a system that could not be searched, or the directory still loading
    failed_system: str | None = None  # the one system that could not be searched
    found: BusinessView | None = None  # read when exactly one business matched

    @property
    def searched(self) -> str:
        """The systems that were searched, in words."""
        if self.failed_system is None:
            return "ReadyDesk or in Kickserv"
        return next(s for s in SYSTEMS if s != self.failed_system)


class Backends(Protocol):
    """What a business read needs: both clients and the directory that links their records
    (the Desk)."""

    @property
    def readydesk(self) -> ReadyDeskClient:
        """The help desk's client."""
        ...

    @property
    def kickserv(self) -> KickservClient:
        """The field-service account's client."""
        ...

    @property
    def directory(self) -> CustomerDirectory:
        """The customer directory linking both systems' records."""
        ...


async def find_customer(backends: Backends, text: str, *, read_one: bool = True) -> CustomerSearch:
    """Search the directory (and, until its first fill is done, the backends' own lookups too);
    one match is read whole unless `read_one` is False. Neither system searchable and nothing
    found is the answer (raised); one system that failed is named in the note."""
    found = await backends.directory.find(text)
    businesses, failed = _exact_id_first(text, found.businesses), found.failed
    note = LOADING_NOTE if found.loading else ""
    if failed and len(failed) == len(SYSTEMS) and not businesses:
        raise combined(failed)
    if failed:
        note = f"{failed[0].backend} could not be searched: {failed[0].message} {note}".strip()
    search = CustomerSearch(text, businesses, note, failed[0].backend if failed else None)
    if read_one and len(businesses) == 1:
        search.found = await read_business(backends, ref_of(businesses[0]))
    return search


async def read_business(backends: Backends, ref: CustomerRef) -> BusinessView:
    """One business read now: both systems' four reads at once; what failed becomes one line."""
    business = await _linked(backends.directory, ref)
    rd_id = business.readydesk.record_key if business and business.readydesk else ref.readydesk_id
    ks_number = (
        int(business.kickserv.record_key) if business and business.kickserv else ref.kickserv_number
    )
    rd, tickets, ks, jobs, job_types = await asyncio.gather(*_reads(backends, rd_id, ks_number))
    asked = [r for r in (rd, ks) if r is not None]
    errors = [r for r in asked if isinstance(r, BackendError)]
    if errors and len(errors) == len(asked):  # nothing of the business could be read
        raise errors[0] if len(errors) == 1 else combined(errors)
    view = BusinessView(name=business.name if business else "Customer")
    failed: dict[str, BackendError] = {}
    if isinstance(rd, Customer):
        view.readydesk = rd
        if isinstance(tickets, BackendError):
            failed["ReadyDesk tickets"] = tickets
        elif tickets is not None:
            view.ticket_counts, view.open_tickets = tickets.counts, tickets.newest_open
    if isinstance(ks, KickservCustomer):
        view.kickserv = ks
        if isinstance(jobs, BackendError):
            failed["Kickserv jobs"] = jobs
        elif jobs is not None:
            active = [j for j in jobs if j.status in ACTIVE_JOB_STATUSES]
            view.jobs = sorted(active, key=job_order)
            view.owed = customer_owed(jobs)
            view.owing = sorted((j for j in jobs if job_owed(j)), key=lambda j: j.job_number)
        # Without the services a job line names the job as Kickserv titles it (usually the
        # service anyway), so their failure needs no line of its own.
        if isinstance(job_types, list):
            view.services = {t.job_type_id: t.name for t in job_types}
    view.failed = [_why(e) for e in (rd, ks) if isinstance(e, BackendError)]
    if failed:
        view.failed.append(unread_line(failed))
    if business and business.linked_by:
        view.linked = (
            f"ReadyDesk {business.readydesk.record_key} and Kickserv "
            f"#{business.kickserv.record_key} are linked: same {business.linked_by}."
        )
    view.name = _display_name(view) or view.name
    return view


def _exact_id_first(text: str, businesses: list[Business]) -> list[Business]:
    """An exact ReadyDesk customer ID names one business, whoever else the words match (its
    company's other contacts, say), before the directory's first fill as after it."""
    exact = [b for b in businesses if b.readydesk and b.readydesk.record_key == text.strip()]
    return exact if len(exact) == 1 else businesses


def ref_of(business: Business) -> CustomerRef:
    """The reference of a business found in the directory."""
    return CustomerRef(
        readydesk_id=business.readydesk.record_key if business.readydesk else None,
        kickserv_number=int(business.kickserv.record_key) if business.kickserv else None,
    )


def _reads(backends: Backends, rd_id: str | None, ks_number: int | None) -> list[Any]:
    """The ReadyDesk customer and its tickets, the Kickserv customer, its jobs and the services
    they are of (a cached list)."""
    rd, ks = backends.readydesk, backends.kickserv
    return [
        settle(rd.get_customer(rd_id)) if rd_id else nothing(),
        settle(customer_tickets(rd, rd_id, newest=NEWEST_TICKETS)) if rd_id else nothing(),
        settle(ks.get_customer(ks_number)) if ks_number else nothing(),
        settle(every_job(ks, ks_number)) if ks_number else nothing(),
        settle(ks.job_types()) if ks_number else nothing(),
    ]


async def every_job(
    kickserv: KickservClient, customer_number: int, statuses: tuple[str, ...] = OWING_STATUSES
) -> list[Job]:
    """The customer's jobs in `statuses` (booked or done unless said), every page: what they
    owe is summed over all of them, and "next" and counts are never those of a first page."""
    return [j async for j in kickserv.iter_customer_jobs(customer_number, statuses=statuses)]


def job_order(job: Job) -> tuple[bool, bool, datetime]:
    """Scheduled jobs first, soonest first; then the unscheduled, oldest first; then those
    Kickserv gave no date at all (a total order: no date is ever compared with None)."""
    when = job.scheduled_on or job.created_at
    return (job.scheduled_on is None, when is None, when or EARLIEST)


EARLIEST = datetime.min.replace(tzinfo=UTC)


def _why(error: BackendError) -> str:
    """A system whose record could not be read: its own words for a real "no such record"."""
    if isinstance(error, NotFound):
        return error.message
    return f"{error.backend} could not be read: {error.message}"


async def _linked(directory: CustomerDirectory, ref: CustomerRef) -> Business | None:
    if ref.readydesk_id:
        return await directory.business(READYDESK, ref.readydesk_id)
    if ref.kickserv_number:
        return await directory.business(KICKSERV, str(ref.kickserv_number))
    return None


def _display_name(view: BusinessView) -> str:
    if view.readydesk and (view.readydesk.company_name or view.readydesk.contact):
        return view.readydesk.company_name or view.readydesk.contact
    if view.kickserv:
        return view.kickserv.name
    return ""
