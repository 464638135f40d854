"""What an unfurl shows of a linked record, read as a view: only what a channel may see.

A channel can hold people who should not read notes, balances or contact details, so these views
carry none of them: a ticket's status, priority, customer, assignee and dates; a job's status,
customer, service, schedule and crew; a Kickserv customer's name and active jobs.
"""

import asyncio
import logging
from dataclasses import dataclass, replace

from api.business import KICKSERV, Entry
from api.customers import ACTIVE_JOB_STATUSES, every_job, job_order
from api.directory import CustomerDirectory
from api.errors import BackendError, NotFound
from api.jobs import crew, glued_customer, job_customer
from api.kickserv import Job, JobType, KickservClient
from api.links import LinkedRecord
from api.reads import all_at_once, settle
from api.readydesk import ReadyDeskClient, Ticket
from api.refs import CustomerRef, JobRef, TicketRef

logger = logging.getLogger("deskhand.unfurls")


@dataclass(frozen=True)
class TicketUnfurl:
    """A linked ticket."""

    ticket: Ticket


@dataclass(frozen=True)
class JobUnfurl:
    """A linked job: its customer's name and number, service and who is on it."""

    job: Job
    customer: str | None
    customer_number: int | None
    service: str | None
    assigned: list[str] | None  # None: the calendar is not read yet (a first look)


@dataclass(frozen=True)
class CustomerUnfurl:
    """A linked Kickserv customer: the name, its jobs not done yet, services by id,
    and the ReadyDesk customer the directory links it to."""

    name: str
    customer_number: int
    jobs: list[Job]
    services: dict[int, str]
    readydesk: Entry | None


@dataclass(frozen=True)
class Missing:
    """A link to a record its system says does not exist (`message`: its words)."""

    record: LinkedRecord
    message: str


Unfurl = TicketUnfurl | JobUnfurl | CustomerUnfurl | Missing


async def read_unfurls(
    readydesk: ReadyDeskClient,
    kickserv: KickservClient,
    directory: CustomerDirectory,
    records: list[LinkedRecord],
    *,
    first_look: bool = False,
) -> list[Unfurl | BackendError]:
    """Each linked record's unfurl, all at once; a failed read is its error (logged: the link
    stays bare), the rest stand. A `first_look` costs one round trip: a job is shown before its
    calendar is read (`still_to_read` names those)."""
    read = await asyncio.gather(
        *(settle(read_unfurl(readydesk, kickserv, directory, r, first_look)) for r in records)
    )
    for failed in (r for r in read if isinstance(r, BackendError)):
        logger.info("not unfurled, %s could not be read: %s", failed.backend, failed.message)
    return read


async def read_unfurl(
    readydesk: ReadyDeskClient,
    kickserv: KickservClient,
    directory: CustomerDirectory,
    record: LinkedRecord,
    first_look: bool = False,
) -> Unfurl:
    """One linked record as its unfurl shows it; Missing when its system has no such record."""
    try:
        if isinstance(record, TicketRef):
            return TicketUnfurl(await readydesk.get_ticket(record.ticket_id))
        if isinstance(record, JobRef) and first_look:
            return await _job_at_first_sight(kickserv, directory, record.job_number)
        if isinstance(record, JobRef):
            return await _job(kickserv, directory, record.job_number)
        return await _customer(kickserv, directory, record)
    except NotFound as err:
        return Missing(record, err.message)


def still_to_read(views: list[Unfurl | BackendError]) -> list[int]:
    """Where in `views` a first look left something to read (a job's calendar)."""
    return [i for i, v in enumerate(views) if isinstance(v, JobUnfurl) and v.assigned is None]


async def finish_unfurls(
    kickserv: KickservClient, directory: CustomerDirectory, views: list[JobUnfurl]
) -> list[JobUnfurl | BackendError]:
    """First looks at jobs made whole, all at once: each one's calendar (one more round trip),
    and its customer as the job card finds it when the first look had none."""

    return await asyncio.gather(*(settle(_finish(kickserv, directory, v)) for v in views))


async def _job_at_first_sight(
    kickserv: KickservClient, directory: CustomerDirectory, number: int
) -> JobUnfurl:
    """The job and the services (cached) at once, its customer from what is at hand (the
    directory, the job's own copy); who is on it waits for the calendar (`_finish`)."""
    job, services = await all_at_once(kickserv.get_job(number), settle(kickserv.job_types()))
    known = None
    if job.customer_global_id is not None:
        known = await directory.kickserv_by_global_id(job.customer_global_id)
    return _job_view(job, known or glued_customer(job), _service_of(job, services), None)


async def _job(kickserv: KickservClient, directory: CustomerDirectory, number: int) -> JobUnfurl:
    """The whole job unfurl: the first look, then its calendar."""
    return await _finish(
        kickserv, directory, await _job_at_first_sight(kickserv, directory, number)
    )


async def _finish(
    kickserv: KickservClient, directory: CustomerDirectory, view: JobUnfurl
) -> JobUnfurl:
    """A first look made whole: the job's calendar entries (Kickserv finds them only by the
    job's global id), and its customer as the job card finds it when the first look had none."""
    tasks = await kickserv.list_tasks(job_global_id=view.job.global_id)
    if view.customer is not None:
        return replace(view, assigned=crew(tasks))
    entry = await settle(job_customer(directory, view.job, tasks))
    known = entry if isinstance(entry, Entry) else None
    return _job_view(view.job, known, view.service, assigned=crew(tasks))


def _service_of(job: Job, services: list[JobType] | BackendError) -> str | None:
    if isinstance(services, BackendError):
        return None
    return next((t.name for t in services if t.job_type_id == job.job_type_id), None)


def _job_view(
    job: Job, known: Entry | None, service: str | None, assigned: list[str] | None
) -> JobUnfurl:
    return JobUnfurl(
        job,
        customer=(known.company or known.name) if known else None,
        customer_number=int(known.record_key) if known else None,
        service=service,
        assigned=assigned,
    )


async def _customer(
    kickserv: KickservClient, directory: CustomerDirectory, record: CustomerRef
) -> CustomerUnfurl:
    """The customer and its active jobs at once; its ReadyDesk twin from the directory."""
    number = record.kickserv_number or 0
    customer, jobs, services, business = await all_at_once(
        kickserv.get_customer(number),
        every_job(kickserv, number, ACTIVE_JOB_STATUSES),
        settle(kickserv.job_types()),
        directory.business(KICKSERV, str(number)),
    )
    linked = business.readydesk if business else None
    names = {} if isinstance(services, BackendError) else {t.job_type_id: t.name for t in services}
    return CustomerUnfurl(
        name=customer.company_name or customer.name,
        customer_number=customer.customer_number,
        jobs=sorted(jobs, key=job_order),
        services=names,
        readydesk=linked,
    )
