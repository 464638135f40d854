"""What changed in a technician's jobs today and tomorrow: each technician's bookings as a
snapshot (read for everyone at once), and the changes between what they were told and what is
there now — added, moved, reassigned, cancelled.

The snapshot is plain data (JSON in the store): {"days": [today, tomorrow], "jobs": {number:
{"when", "status", "crew", "customer", "service"}}}, times in the business's time zone.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from api.job_status import FINISHED_STATUSES
from api.jobs import entries_on, with_strays
from api.kickserv import Employee, Job, KickservClient, Task
from api.reads import all_at_once
from api.runsheet import assigned_to
from api.times import day_words, time_of_day

JOBS_PAGE = 100
STRAYS = 20  # calendar entries whose job is not on the days' lists, read one by one
CANCELLED = ("canceled", "cancelled")
Snapshot = dict[str, Any]


@dataclass(frozen=True)
class Schedule:
    """Today's and tomorrow's calendar entries and jobs (by global id), for every technician."""

    days: tuple[date, date]
    tasks: list[Task]
    jobs: dict[int, Job]
    services: dict[int, str]
    zone: ZoneInfo


async def read_schedule(kickserv: KickservClient, today: date, timezone: str) -> Schedule:
    """Every calendar entry and job today and tomorrow (the business's days), at once."""
    tomorrow = today + timedelta(days=1)
    zone = ZoneInfo(timezone)
    tasks, listed_today, listed_tomorrow, job_types = await all_at_once(
        entries_on(kickserv, today, tomorrow, zone),
        _walk(kickserv.iter_jobs(per_page=JOBS_PAGE, scheduled="today")),
        _walk(kickserv.iter_jobs(per_page=JOBS_PAGE, scheduled="tomorrow")),
        kickserv.job_types(),
    )
    jobs = await with_strays(kickserv, tasks, [*listed_today, *listed_tomorrow], STRAYS)
    services = {t.job_type_id: t.name for t in job_types}
    return Schedule((today, tomorrow), tasks, jobs, services, zone)


def snapshot_of(schedule: Schedule, employee: Employee) -> Snapshot:
    """The employee's jobs today and tomorrow as plain data."""
    crews: dict[int, list[str]] = {}
    for task in schedule.tasks:
        if task.job:
            crews.setdefault(task.job.global_id, []).extend(e.name for e in task.employees)
    jobs: dict[str, dict[str, Any]] = {}
    for task in sorted(schedule.tasks, key=lambda t: (t.starts_at is None, t.starts_at)):
        job = schedule.jobs.get(task.job.global_id) if task.job else None
        if job is None or task.starts_at is None or not assigned_to(task, employee):
            continue
        local = task.starts_at.astimezone(schedule.zone)
        if local.date() not in schedule.days or str(job.job_number) in jobs:
            continue
        jobs[str(job.job_number)] = {
            "when": local.isoformat(),
            "status": job.status,
            "crew": sorted(set(crews.get(job.global_id, []))),
            "customer": task.customer.name if task.customer else "",
            "service": schedule.services.get(job.job_type_id or 0) or job.name or "job",
        }
    return {"days": [d.isoformat() for d in schedule.days], "jobs": jobs}


def describe_changes(told: Snapshot, seen: Snapshot, schedule: Schedule) -> list[str]:
    """One line per job that changed between `told` and `seen` (plain text). A job that only
    came into the window or left it as the days turned over is not a change."""
    first, last = (date.fromisoformat(d) for d in seen["days"])
    told_until = date.fromisoformat(told["days"][-1])
    before, now = told["jobs"], seen["jobs"]

    def at(job: dict[str, Any]) -> str:
        return _when(job, first, schedule.zone)

    lines = []
    for number, job in now.items():
        old = before.get(number)
        if old is None:
            if _day(job) <= told_until and job["status"] not in CANCELLED:
                lines.append(f"Added: {_job(number, job)}, {at(job)}")
            continue
        if job["status"] in CANCELLED and old["status"] not in CANCELLED:
            lines.append(f"Cancelled: {_job(number, job)}, {at(old)}")
            continue
        if job["when"] != old["when"]:
            lines.append(f"Moved: {_job(number, job)}, {at(old)} → {at(job)}")
        if job["crew"] != old["crew"]:
            lines.append(f"Crew changed: {_job(number, job)}, now {', '.join(job['crew'])}")
    for number, old in before.items():
        if number in now or not first <= _day(old) <= last:
            continue
        lines.append(_gone(number, old, schedule, first))
    return lines


def _gone(number: str, old: dict[str, Any], schedule: Schedule, first: date) -> str:
    """A job that left the technician's calendar: cancelled, given to others, or gone."""
    job = next((j for j in schedule.jobs.values() if str(j.job_number) == number), None)
    what = f"{_job(number, old)}, {_when(old, first, schedule.zone)}"
    if job is not None and job.status in CANCELLED:
        return f"Cancelled: {what}"
    crew = sorted(
        {
            e.name
            for t in schedule.tasks
            if t.job and job and t.job.global_id == job.global_id
            for e in t.employees
        }
    )
    if crew:
        return f"Reassigned: {what}, now {', '.join(crew)}"
    if job is not None and job.status in FINISHED_STATUSES:
        return f"Finished: {what}"
    return f"Taken off your calendar: {what}"


def _job(number: str, job: dict[str, Any]) -> str:
    customer = f" for {job['customer']}" if job["customer"] else ""
    return f"job {number} {job['service']}{customer}"


def _day(job: dict[str, Any]) -> date:
    return datetime.fromisoformat(job["when"]).date()


def _when(job: dict[str, Any], today: date, zone: ZoneInfo) -> str:
    """`today 2:00 PM EST`, `tomorrow …`, or the day's words for another day."""
    at = datetime.fromisoformat(job["when"]).astimezone(zone)
    day = {today: "today", today + timedelta(days=1): "tomorrow"}.get(at.date(), day_words(at))
    return f"{day} {time_of_day(at, zone.key)}"


async def _walk(items: Any) -> list[Any]:
    return [item async for item in items]
