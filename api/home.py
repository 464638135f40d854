"""A person's Home tab as a view: their technician's unresolved tickets, their employee's jobs today
and tomorrow, and the digests and watches they created; each system is read at once, apart.

Who they are follows `tech:me` (api/identity.py): an admin's link, else the profile's email. A
system that fails (or does not know them) leaves the other's part standing, with one line.
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from api.business import Entry
from api.directory import CustomerDirectory
from api.errors import BackendError
from api.identity import Match, employee_match, technician_match
from api.jobs import entries_on, job_customer, with_strays
from api.kickserv import Employee, Job, KickservClient, Task
from api.reads import all_at_once, settle
from api.readydesk import ReadyDeskClient, Ticket
from api.readydesk.models import is_closed_status
from api.refs import TicketQuery
from store import Store
from store.alerts import Watch
from store.digests import RUNSHEET, Subscription
from store.links import Link

OLDEST = 5  # the oldest unresolved tickets listed
JOBS_PAGE = 100  # a day's jobs are read in pages this big (one page for most accounts)
STRAYS = 10  # jobs on the person's calendar but not on the day's list, read one by one
T = TypeVar("T")


@dataclass
class TicketPart:
    """The technician's unresolved tickets: counts by status and the oldest; `error` when ReadyDesk
    could not be read (its message)."""

    technician: str | None
    how: Match
    counts: dict[str, int] = field(default_factory=dict)
    oldest: list[Ticket] = field(default_factory=list)
    error: str = ""

    @property
    def total(self) -> int:
        """Unresolved tickets in all."""
        return sum(self.counts.values())


@dataclass(frozen=True)
class HomeJob:
    """One job on the person's calendar: when their entry starts, the customer, the service."""

    job: Job
    starts_at: datetime | None
    customer: str
    service: str


@dataclass
class JobPart:
    """The employee's jobs by day (today, tomorrow); `error` when Kickserv could not be read."""

    employee: Employee | None
    how: Match
    days: dict[date, list[HomeJob]] = field(default_factory=dict)
    error: str = ""


@dataclass(frozen=True)
class Standing:
    """A digest or a watch the person created: its number, where it posts, what it looks for
    (`search`: its ticket filters) and when (`when`, in words)."""

    number: int
    channel_id: str
    what: str  # the digest's kind (unresolved …) or what is watched (tickets, jobs)
    search: TicketQuery | None
    when: str
    paused: bool


@dataclass
class HomeView:
    """Everything a person's Home tab shows."""

    user_id: str
    email: str | None
    tickets: TicketPart
    jobs: JobPart
    digests: list[Standing]
    watches: list[Watch]
    runsheet: str = ""  # when the person's run-sheet comes by DM ("07:00 weekdays"), else ""


async def read_home(
    readydesk: ReadyDeskClient,
    kickserv: KickservClient,
    directory: CustomerDirectory,
    store: Store,
    user_id: str,
    email: str | None,
    today: date,
    timezone: str,
) -> HomeView:
    """The person's Home: both systems' parts and the store's at once (`today` and `timezone`
    are the business's, in which the days are cut)."""
    link = await store.links.get(user_id)
    tickets, jobs, digests, watches = await asyncio.gather(
        _ticket_part(readydesk, link, email),
        _job_part(kickserv, directory, link, email, today, ZoneInfo(timezone)),
        store.digests.created_by(user_id),
        store.alerts.created_by(user_id),
    )
    return HomeView(
        user_id,
        email,
        tickets,
        jobs,
        [_digest(d) for d in digests if d.kind != RUNSHEET],
        watches,
        next((d.schedule_words for d in digests if d.kind == RUNSHEET), ""),
    )


def _digest(sub: Subscription) -> Standing:
    search = TicketQuery.model_validate_json(sub.filters) if sub.filters else None
    quiet = " quiet" if sub.quiet else ""
    when = f"at {sub.schedule_words} {sub.timezone}{quiet}"
    return Standing(sub.id, sub.channel_id, sub.kind, search, when, sub.paused)


async def _ticket_part(
    readydesk: ReadyDeskClient, link: Link | None, email: str | None
) -> TicketPart:
    """Counts per open status and the oldest of each, for the technician, in one round trip
    once the statuses (cached) and the technician are known (read side by side)."""
    statuses = asyncio.ensure_future(_settled(readydesk.ticket_statuses))
    technician, how = await technician_match(readydesk, link, email)
    if technician is None:
        statuses.cancel()
        return TicketPart(None, how, error=how.error)
    listed = await statuses
    if isinstance(listed, BackendError):
        return TicketPart(technician, how, error=listed.message)
    open_statuses = [s for s in listed if not is_closed_status(s)]
    mine = {"uid": technician}
    try:
        found = await all_at_once(
            *(readydesk.get_tickets(count_only=True, status=s, **mine) for s in open_statuses),
            *(
                readydesk.get_tickets(
                    count=OLDEST, page=1, order="tid", order_direction="ASC", status=s, **mine
                )
                for s in open_statuses
            ),
        )
    except BackendError as err:
        return TicketPart(technician, how, error=err.message)
    counts, pages = found[: len(open_statuses)], found[len(open_statuses) :]
    part = TicketPart(technician, how)
    part.counts = {
        s: n for s, n in zip(open_statuses, counts, strict=True) if isinstance(n, int) and n
    }
    oldest = [t for page in pages if isinstance(page, list) for t in page]
    part.oldest = sorted(oldest, key=lambda t: t.ticket_id)[:OLDEST]
    return part


async def _job_part(
    kickserv: KickservClient,
    directory: CustomerDirectory,
    link: Link | None,
    email: str | None,
    today: date,
    zone: ZoneInfo,
) -> JobPart:
    """The employee's calendar entries today and tomorrow, joined with the days' job lists and
    the services, which are read beside the employee lookup: one round trip once it is known."""
    tomorrow = today + timedelta(days=1)

    async def day_lists() -> list[Any]:
        return await all_at_once(
            _collect(kickserv.iter_jobs(per_page=JOBS_PAGE, scheduled="today")),
            _collect(kickserv.iter_jobs(per_page=JOBS_PAGE, scheduled="tomorrow")),
            kickserv.job_types(),
        )

    lists = asyncio.ensure_future(_settled(day_lists))
    employee, how = await employee_match(kickserv, link, email)
    if employee is None:
        lists.cancel()
        return JobPart(None, how, error=how.error)
    try:
        number = employee.employee_number
        tasks = await entries_on(kickserv, today, tomorrow, zone, employee_number=number)
        listed = await lists
        if isinstance(listed, BackendError):
            raise listed
        jobs_today, jobs_tomorrow, job_types = listed
        mine = [t for t in tasks if t.job and _assigned_to(t, employee)]
        jobs = await with_strays(kickserv, mine, [*jobs_today, *jobs_tomorrow], STRAYS)
    except BackendError as err:
        return JobPart(employee, how, error=err.message)
    finally:
        lists.cancel()
    services = {t.job_type_id: t.name for t in job_types}
    part = JobPart(employee, how, days={today: [], tomorrow: []})
    placed: set[tuple[int, date]] = set()
    for task in sorted(mine, key=_starts):
        job = jobs.get(task.job.global_id) if task.job else None
        when = task.starts_at or (job.scheduled_on if job else None)
        day = when.astimezone(zone).date() if when else None
        if job is None or day not in part.days or (job.global_id, day) in placed:
            continue
        placed.add((job.global_id, day))
        customer = await _customer(directory, job, task)
        service = services.get(job.job_type_id or 0) or job.name or "—"
        part.days[day].append(HomeJob(job, when, customer, service))
    return part


def _assigned_to(task: Task, employee: Employee) -> bool:
    """The entry names the employee (checked here too: the filter's name is inferred)."""
    return any(
        e.global_id == employee.global_id
        or (e.employee_number is not None and e.employee_number == employee.employee_number)
        for e in task.employees
    )


async def _customer(directory: CustomerDirectory, job: Job, task: Task) -> str:
    """The customer's name, found as the job card finds it (this calendar entry's copy among
    the places it looks); a dash when it cannot be found."""
    entry = await settle(job_customer(directory, job, [task]))
    return (entry.company or entry.name or "—") if isinstance(entry, Entry) else "—"


async def _settled(read: Callable[[], Awaitable[T]]) -> T | BackendError:
    """`settle(read())`, the read started only once this runs (a task cancelled before it
    starts leaves no read behind)."""
    return await settle(read())


def _starts(task: Task) -> tuple[bool, datetime | None]:
    return (task.starts_at is None, task.starts_at)


async def _collect(items: AsyncIterator[T]) -> list[T]:
    """Every item of a Kickserv walk (a day or two of one person's work: a page or so)."""
    return [item async for item in items]
