"""Job reads as views: a job with its customer, service, crew and latest note; its notes."""

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from api.business import KICKSERV, Entry
from api.directory import CustomerDirectory
from api.errors import BackendError
from api.kickserv import Employee, Job, KickservClient, Note, Task
from api.reads import all_at_once, nothing, settle, unread_line
from store.visits import Visit

ONE_DAY = timedelta(days=1)


@dataclass
class JobView:
    """A job read now; a part is None when it could not be read (`unread` names it)."""

    job: Job
    customer: Entry | None = None
    service: str | None = None
    latest_note: Note | None = None
    assigned: list[str] | None = None  # None: the calendar could not be read
    unread: str = ""
    tickets: list[Visit] = field(default_factory=list)  # the tickets it is a visit for


async def read_job(
    kickserv: KickservClient, directory: CustomerDirectory, job_number: int
) -> JobView:
    """Job `job_number`, its reads at once: the job, its services, all its notes (every page:
    the latest may be on the last) and the employees who write them together, its calendar
    entries and customer as soon as the job names them.
    Only the job's own failure is the answer; any other read that fails becomes one line."""
    (job, customer, tasks), job_types, notes, employees = await all_at_once(
        _job_and_crew(kickserv, directory, job_number),
        settle(kickserv.job_types()),
        settle(_all_notes(kickserv, job_number)),
        settle(kickserv.employees()),
    )
    parts = {
        "the customer": customer,
        "the service": job_types,
        "the assignments": tasks,
        "the latest note": notes,
    }
    view = JobView(job, customer=None if isinstance(customer, BackendError) else customer)
    if not isinstance(job_types, BackendError):
        view.service = next((t.name for t in job_types if t.job_type_id == job.job_type_id), None)
    if not isinstance(notes, BackendError):
        latest = max(notes, key=newest_order, default=None)
        if latest is not None:
            view.latest_note = with_author(latest, employees)
            if latest.creator is None and latest.creator_global_id is not None:
                parts["the note's author"] = employees
    if not isinstance(tasks, BackendError):
        view.assigned = crew(tasks)
    unread = {what: result for what, result in parts.items() if isinstance(result, BackendError)}
    view.unread = unread_line(unread)
    return view


async def read_job_notes(kickserv: KickservClient, job_number: int) -> list[Note]:
    """Every note on the job, newest first, each naming its author where Kickserv knows them."""
    notes, employees = await asyncio.gather(
        _all_notes(kickserv, job_number), settle(kickserv.employees())
    )
    return sorted((with_author(n, employees) for n in notes), key=newest_order, reverse=True)


def with_author(note: Note, employees: list[Employee] | BackendError) -> Note:
    """The note with its creator filled in from the employee list: Kickserv's GET of a note
    carries only `creator_id` (the employee's global id). Unchanged when that is not known."""
    if note.creator is not None or note.creator_global_id is None:
        return note
    if isinstance(employees, BackendError):
        return note
    author = next((e for e in employees if e.global_id == note.creator_global_id), None)
    return note.model_copy(update={"creator": author}) if author else note


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


def newest_order(note: Note) -> tuple[datetime, int]:
    """A note's place among its owner's notes: by when it was written, then by id (a later id
    breaks a tie), so "latest" is one note whatever page Kickserv listed it on."""
    return written_at(note), note.global_id


async def _all_notes(kickserv: KickservClient, job_number: int) -> list[Note]:
    return [note async for note in kickserv.iter_notes("jobs", job_number)]


async def job_customer(
    directory: CustomerDirectory, job: Job, tasks: list[Task] | BackendError
) -> Entry | None:
    """The job's customer, looked for in this order: the directory, the short copies Kickserv
    puts in the job and in its calendar entries (`tasks`), then a bounded walk of Kickserv's
    customers (whose failure is raised). None when the job names no customer."""
    if job.customer_global_id is None:
        return None
    known = await directory.kickserv_by_global_id(job.customer_global_id)
    return known or await _unlisted_customer(directory, job, tasks)


async def _job_and_crew(
    kickserv: KickservClient, directory: CustomerDirectory, job_number: int
) -> tuple[Job, Entry | BackendError | None, list[Task] | BackendError]:
    """The job, then (at once) its customer and its calendar entries, which Kickserv finds only
    by the job's global id; the calendar's and the customer's failures are kept, the job's
    raised. The customer is looked for as `job_customer` does, the directory beside the
    calendar read."""
    job = await kickserv.get_job(job_number)
    global_id = job.customer_global_id
    known, tasks = await asyncio.gather(
        directory.kickserv_by_global_id(global_id) if global_id is not None else nothing(),
        settle(kickserv.list_tasks(job_global_id=job.global_id)),
    )
    if known is not None or global_id is None:
        return job, known, tasks
    return job, await settle(_unlisted_customer(directory, job, tasks)), tasks


async def _unlisted_customer(
    directory: CustomerDirectory, job: Job, tasks: list[Task] | BackendError
) -> Entry | None:
    """A customer the directory does not have (yet): from the glue, else by asking Kickserv."""
    glued = _glued(job, tasks)
    if glued is not None or job.customer_global_id is None:
        return glued
    return await directory.walk_for_kickserv(job.customer_global_id)


def glued_customer(job: Job) -> Entry | None:
    """The job's customer from the short copy Kickserv may put in the job itself (no read)."""
    return _glued(job, [])


def _glued(job: Job, tasks: list[Task] | BackendError) -> Entry | None:
    """The job's customer from the short copies Kickserv puts in the job or its calendar entries."""
    glue = [job.customer] + ([t.customer for t in tasks] if isinstance(tasks, list) else [])
    for customer in glue:
        if customer and customer.customer_number and customer.global_id == job.customer_global_id:
            return Entry(
                system=KICKSERV,
                record_key=str(customer.customer_number),
                name=customer.name,
                global_id=customer.global_id,
            )
    return None


async def with_strays(
    kickserv: KickservClient, mine: list[Task], listed: list[Job], limit: int
) -> dict[int, Job]:
    """The jobs by global id; an entry whose job is not on the day's list (Kickserv's day and
    the business's differ, or the list ran long) is read by its number (one deleted meanwhile
    is left out; at most `limit` are read)."""
    jobs = {j.global_id: j for j in listed}
    strays = sorted(
        {t.job.job_number for t in mine if t.job and t.job.job_number}
        - {j.job_number for j in listed}
    )
    read = await asyncio.gather(*(settle(kickserv.get_job(n)) for n in strays[:limit]))
    jobs.update({j.global_id: j for j in read if isinstance(j, Job)})
    return jobs


async def entries_on(
    kickserv: KickservClient, first: date, last: date, zone: tzinfo, **filters: Any
) -> list[Task]:
    """The calendar entries (matching `filters`) that start on the business's days `first` to
    `last` in `zone`, and those without a start. Kickserv's days are the account's, which may
    be a day off the business's: it is asked for a day either side, and its answer is cut."""
    found = kickserv.iter_tasks(start=first - ONE_DAY, end=last + ONE_DAY, **filters)
    return [t async for t in found if _starts_within(t, first, last, zone)]


def _starts_within(task: Task, first: date, last: date, zone: tzinfo) -> bool:
    """Whether the entry starts on one of the days (one without a start is kept)."""
    return task.starts_at is None or first <= task.starts_at.astimezone(zone).date() <= last
