"""A technician's day on a job: On my way (a job note), Started and Done (the job's status),
each written once per intent and read back by the job's status when the reply was lost.

Kickserv documents no list of job statuses: `in_progress` and `completed` are inferred from its
job board (Unscheduled → Scheduled → In Progress → Completed) and kept in this one table.
"""

from dataclasses import dataclass, replace
from typing import Literal

from api.kickserv import Employee, KickservClient
from api.writes import DEFAULTS, Intent, ReadBack, WritePlan, WriteResult, WriteSettings, write_once
from store import Store

Step = Literal["on_my_way", "started", "done"]

# The status each step sets in Kickserv (inferred: see the module's docstring); On my way sets
# none, it is a note.
STEP_STATUS: dict[Step, str] = {"started": "in_progress", "done": "completed"}
ON_MY_WAY_NOTE = "On my way."  # the job note On my way writes (signed like every note)
# The statuses after which a job has no step left to take.
FINISHED_STATUSES = ("completed", "canceled", "cancelled")


@dataclass(frozen=True)
class StepWords:
    """How a step is said: the note On my way writes, the audit summary, the dispatch line."""

    summary: str  # "on my way", "started", "done"
    dispatch: str  # "{who} is on the way to {customer}, job {job}"


STEP_WORDS: dict[Step, StepWords] = {
    "on_my_way": StepWords("on my way", "{who} is on the way to {customer}, job {job}"),
    "started": StepWords("started", "{who} started job {job} for {customer}"),
    "done": StepWords("done", "{who} finished job {job} for {customer}"),
}


def steps_left(status: str) -> list[Step]:
    """The steps a job in `status` still offers: none once finished, Done alone once started."""
    if status in FINISHED_STATUSES:
        return []
    if status == STEP_STATUS["started"]:
        return ["done"]
    return ["on_my_way", "started", "done"]


async def set_job_status(
    kickserv: KickservClient,
    store: Store,
    read_back: ReadBack,
    intent: Intent,
    job_number: int,
    step: Step,
    settings: WriteSettings = DEFAULTS,
) -> WriteResult:
    """Set the job's status for `step` once for this intent; a read-back compares the status."""
    status = STEP_STATUS[step]
    plan = WritePlan(
        check="job_fields",
        target=str(job_number),
        fields={"status": status},
        label=f"{STEP_WORDS[step].summary} on job {job_number}",
        response_url=intent.response_url,
    )

    async def write() -> str:
        await kickserv.update_job(job_number, status=status)
        return str(job_number)

    return await write_once(
        store, replace(intent, plan=plan), write, read_back=read_back, settings=settings
    )


async def job_has_fields(kickserv: KickservClient, plan: WritePlan) -> str | None:
    """The job's number when it has the plan's fields (its status), else None."""
    job = await kickserv.get_job(int(plan.target))
    have = {"status": job.status}
    matches = all(have.get(k, "").casefold() == v.casefold() for k, v in plan.fields.items())
    return plan.target if matches else None


async def is_assigned(kickserv: KickservClient, employee: Employee, job_number: int) -> bool:
    """Whether `employee` is on the job's calendar entries (the job's crew)."""
    job = await kickserv.get_job(job_number)
    tasks = await kickserv.list_tasks(job_global_id=job.global_id)
    return any(
        e.global_id == employee.global_id
        or (e.employee_number is not None and e.employee_number == employee.employee_number)
        for task in tasks
        for e in task.employees
    )
