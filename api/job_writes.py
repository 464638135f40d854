"""Creating a Kickserv job once per intent (signed, with a marker in its description), then
reading it back and, when asked, putting it on an employee's calendar."""

import asyncio
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from api.errors import BackendError
from api.identity import Profile
from api.kickserv import Job, KickservClient
from api.writes import (
    DEFAULTS,
    Intent,
    ReadBack,
    WritePlan,
    WriteResult,
    WriteSettings,
    new_marker,
    signature,
    write_once,
)
from store import Store

TASK_LENGTH = timedelta(hours=2)  # how long a job booked from Slack holds the calendar
NAME_WAIT = 0.5  # seconds for the chosen employee's name before the job is written


@dataclass(frozen=True)
class NewJob:
    """What the Create job form asked for."""

    customer_number: int  # the Kickserv customer
    service: int  # the job type's id
    description: str = ""
    scheduled: datetime | None = None
    employee: int | None = None  # the employee's global id; assigning needs `scheduled`


@dataclass(frozen=True)
class JobCreation:
    """How creating the job ended, and what followed a job that was created."""

    result: WriteResult
    job: Job | None = None  # the job as Kickserv reads it back
    unread: BackendError | None = None  # the job exists but could not be read back
    unassigned: BackendError | None = None  # the job exists but assigning it failed


async def create_job(
    kickserv: KickservClient,
    store: Store,
    read_back: ReadBack,
    intent: Intent,
    new: NewJob,
    author: Profile,
    settings: WriteSettings = DEFAULTS,
) -> JobCreation:
    """Create the job once for this intent; once it exists, read it and assign it. A failure
    after the job exists is reported, not raised (a retry must not make a second job)."""
    marker = new_marker()
    description = "\n".join(p for p in (new.description, signature(author.name, marker)) if p)
    fields: dict[str, Any] = {"scheduled_on": new.scheduled.isoformat()} if new.scheduled else {}
    plan = WritePlan(
        check="job",
        target=str(new.customer_number),
        marker=marker,
        typed=new.description,
        label=f"the job for Kickserv customer {new.customer_number}",
        undone=await _assignment(kickserv, new),
    )

    async def write() -> str:
        job = await kickserv.create_job(new.customer_number, new.service, description, **fields)
        return str(job.job_number)

    result = await write_once(
        store, replace(intent, plan=plan), write, read_back=read_back, settings=settings
    )
    if result.outcome not in ("written", "confirmed") or not result.reference:
        return JobCreation(result)
    try:
        job = await kickserv.get_job(int(result.reference))
    except BackendError as err:
        return JobCreation(result, unread=err)
    if new.employee is None or new.scheduled is None:
        return JobCreation(result, job)
    when = new.scheduled
    try:
        await kickserv.create_task(job.global_id, when, when + TASK_LENGTH, [new.employee])
    except BackendError as err:
        return JobCreation(result, job, unassigned=err)
    return JobCreation(result, job)


async def _assignment(kickserv: KickservClient, new: NewJob) -> str:
    """The assignment asked for, as said when it is not made ("assigned to Sam Ortiz"): a job
    confirmed only later by the sweeper is not assigned."""
    if new.employee is None or new.scheduled is None:
        return ""
    try:  # the form listed them a moment ago (cached); a slow read must not hold the write up
        employees = await asyncio.wait_for(kickserv.employees(), NAME_WAIT)
        names = {e.global_id: e.name for e in employees}
    except (BackendError, TimeoutError):
        names = {}
    return f"assigned to {names.get(new.employee) or 'the person you chose'}"
