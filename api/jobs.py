"""Job reads as views: a job with its customer, service, crew and latest note; its notes."""

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime

from api.business import Entry
from api.directory import CustomerDirectory
from api.errors import BackendError
from api.kickserv import Job, KickservClient, Note, Task
from api.reads import all_at_once, settle, unread_line


@dataclass
class JobView:
    """A job read now; a part is None when it could not be read (`unread` names it)."""

    job: Job
    customer: Entry | None = None
    service: str | None = None
    latest_note: Note | None = None
    assigned: list[str] | None = None  # None: the calendar could not be read
    unread: str = ""


async def read_job(
    kickserv: KickservClient, directory: CustomerDirectory, job_number: int
) -> JobView:
    """Job `job_number`, its reads at once: the job, its services and its notes together, its
    calendar entries and customer as soon as the job names them. Only the job's own failure is
    the answer; any other read that fails becomes one line of the view."""
    (job, customer, tasks), job_types, notes = await all_at_once(
        _job_and_crew(kickserv, directory, job_number),
        settle(kickserv.job_types()),
        settle(kickserv.list_notes("jobs", job_number)),
    )
    parts = {"the service": job_types, "the assignments": tasks, "the latest note": notes}
    unread = {what: result for what, result in parts.items() if isinstance(result, BackendError)}
    view = JobView(job, customer=customer, unread=unread_line(unread))
    if not isinstance(job_types, BackendError):
        view.service = next((t.name for t in job_types if t.job_type_id == job.job_type_id), None)
    if not isinstance(notes, BackendError):
        view.latest_note = max(notes, key=written_at, default=None)
    if not isinstance(tasks, BackendError):
        view.assigned = crew(tasks)
    return view


async def read_job_notes(kickserv: KickservClient, job_number: int) -> list[Note]:
    """Every note on the job, newest first."""
    notes = [note async for note in kickserv.iter_notes("jobs", job_number)]
    return sorted(notes, key=written_at, reverse=True)


async def read_job_crew(kickserv: KickservClient, job_number: int) -> tuple[Job, list[str]]:
    """A job and who is assigned to it (the job, then its calendar entries)."""
    job = await kickserv.get_job(job_number)
    return job, crew(await kickserv.list_tasks(job_global_id=job.global_id))


def crew(tasks: list[Task]) -> list[str]:
    """The names on a job's calendar entries, each once, in order."""
    return list(dict.fromkeys(e.name for t in tasks for e in t.employees if e.name))


def written_at(note: Note) -> datetime:
    """When a note was written (or last changed; the oldest time when neither is known)."""
    return note.created_at or note.updated_at or datetime.min.replace(tzinfo=UTC)


async def _job_and_crew(
    kickserv: KickservClient, directory: CustomerDirectory, job_number: int
) -> tuple[Job, Entry | None, list[Task] | BackendError]:
    """The job, then (at once) its customer and its calendar entries, which Kickserv finds only
    by the job's global id; the calendar's failure is kept, the job's raised."""
    job = await kickserv.get_job(job_number)
    customer, tasks = await asyncio.gather(
        _customer(directory, job.customer_global_id),
        settle(kickserv.list_tasks(job_global_id=job.global_id)),
    )
    return job, customer, tasks


async def _customer(directory: CustomerDirectory, global_id: int | None) -> Entry | None:
    return None if global_id is None else await directory.kickserv_by_global_id(global_id)
