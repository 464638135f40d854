"""What a digest shows, read from the backends cheaply: totals from count_only, lists from
bounded pages, independent calls at once; memory does not grow with the number of tickets."""

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Literal, TypeVar
from zoneinfo import ZoneInfo

from api.jobs import entries_on, with_strays
from api.kickserv import Job, KickservClient
from api.readydesk import ReadyDeskClient, Ticket
from api.readydesk.models import is_closed_status
from api.readydesk.search import (
    SCAN_LIMIT,
    TicketSearch,
    count_overdue,
    most_overdue,
    scan_tickets,
    unassigned_keep,
)

Kind = Literal["unresolved", "overdue", "unassigned", "jobs-today", "jobs-tomorrow"]
Window = Literal["today", "tomorrow"]
KINDS: tuple[Kind, ...] = ("unresolved", "overdue", "unassigned", "jobs-today", "jobs-tomorrow")
# Names a kind had before: still understood when typed (stored ones were renamed, migration 0010).
FORMER_KIND_NAMES: dict[str, Kind] = {"open-tickets": "unresolved"}
OLDEST = 10
STRAYS = 10  # jobs on the day's calendar but not on its list, read one by one
T = TypeVar("T")


@dataclass
class TicketDigest:
    """Open tickets: totals by status, priority and group, and the oldest (or overdue) ones."""

    total: int
    by_status: dict[str, int]
    by_priority: dict[str, int] = field(default_factory=dict)
    by_group: dict[str, int] = field(default_factory=dict)
    tickets: list[Ticket] = field(default_factory=list)
    ticket_ids: list[int] = field(default_factory=list)  # for the next digest's change line
    partial: bool = False


_LAST = datetime.max.replace(tzinfo=UTC)  # a job with no time at all goes last


@dataclass
class JobDigest:
    """A day's jobs by employee."""

    day: date
    jobs: list[Job]
    crews: dict[int, list[str]]  # job global id -> assigned employee names
    # job global id -> its first calendar entry's start that day: the visit's time, as the
    # run-sheet and Home show it (the job's own `scheduled_on` may say another)
    starts: dict[int, datetime] = field(default_factory=dict)

    def starts_at(self, job: Job) -> datetime | None:
        """When the job's visit starts that day (its calendar's, else the job's own time)."""
        return self.starts.get(job.global_id, job.scheduled_on)


async def open_tickets(
    client: ReadyDeskClient, search: TicketSearch, priorities: list[str]
) -> TicketDigest:
    """Counts per open status, priority and group, and the ten oldest, all at once.

    Each breakdown counts only the tickets the filters match: a filtered priority or group is
    the one row of its breakdown (counting another would override the filter and count tickets
    the total leaves out)."""
    statuses = [s for s in await client.ticket_statuses() if not is_closed_status(s)]
    if search.status:
        statuses = [s for s in statuses if s == search.status]
    priorities = [search.priority] if search.priority else priorities
    groups = [search.group] if search.group else [g.name for g in await client.tech_groups()]
    base = search.variables()
    base.pop("status", None)

    async def count(**extra: str) -> int:
        """Summed over the open statuses (ReadyDesk cannot filter "not closed"), at once."""
        counts = await asyncio.gather(
            *(
                client.get_tickets(count_only=True, **{**base, "status": status, **extra})
                for status in statuses
            )
        )
        return sum(c for c in counts if isinstance(c, int))

    status_counts, priority_counts, group_counts, oldest = await asyncio.gather(
        asyncio.gather(
            *(client.get_tickets(count_only=True, **{**base, "status": s}) for s in statuses)
        ),
        asyncio.gather(*(count(priority=p) for p in priorities)),
        asyncio.gather(*(count(group=g) for g in groups)),
        asyncio.gather(
            *(
                client.get_tickets(
                    count=OLDEST,
                    page=1,
                    order="tid",
                    order_direction="ASC",
                    **{**base, "status": s},
                )
                for s in statuses
            )
        ),
    )
    tickets = sorted((t for page in oldest for t in page), key=lambda t: t.ticket_id)[:OLDEST]
    by_status = dict(zip(statuses, status_counts, strict=True))
    return TicketDigest(
        total=sum(by_status.values()),
        by_status=by_status,
        by_priority={p: n for p, n in zip(priorities, priority_counts, strict=True) if n},
        by_group={g: n for g, n in zip(groups, group_counts, strict=True) if n},
        tickets=tickets,
        ticket_ids=[t.ticket_id for t in tickets],
    )


async def overdue_tickets(
    client: ReadyDeskClient, search: TicketSearch, now: datetime
) -> TicketDigest:
    """Unresolved and past due: how many, and the most overdue (the earliest due dates of
    them all, then the lowest number), found without reading them all."""
    runs = await count_overdue(client, search, now)
    tickets = await most_overdue(client, search, runs, skip=0, size=OLDEST)
    return TicketDigest(
        total=sum(r.count for r in runs),
        by_status={},
        tickets=tickets,
        ticket_ids=[t.ticket_id for t in tickets],
    )


async def unassigned_tickets(
    client: ReadyDeskClient, search: TicketSearch, *, limit: int = SCAN_LIMIT
) -> TicketDigest:
    """Open tickets with no technician, oldest first, found among the newest `limit` tickets
    (ReadyDesk cannot filter on "no technician" or "not closed"; walking from the oldest would
    look only at tickets long since handled)."""
    found, partial = await scan_tickets(
        client, search, unassigned_keep(True), newest_first=True, limit=limit
    )
    found.sort(key=lambda t: t.ticket_id)
    return TicketDigest(
        total=len(found),
        by_status={},
        tickets=found[:OLDEST],
        ticket_ids=[t.ticket_id for t in found],
        partial=partial,
    )


async def read_digest(
    readydesk: ReadyDeskClient,
    kickserv: KickservClient,
    kind: str,
    search: TicketSearch,
    now: datetime,
    priorities: list[str],
    timezone: str,
    slot_day: date | None = None,
) -> TicketDigest | JobDigest:
    """What the digest `kind` shows at `now` (the business's wall clock, in `timezone`). A jobs
    digest is of the day of its slot (`slot_day`, the business's date of it; `now`'s when not
    given) or the day after: a post retried past midnight keeps the day it was due for."""
    if kind in ("jobs-today", "jobs-tomorrow"):
        day = (slot_day or now.date()) + timedelta(days=0 if kind == "jobs-today" else 1)
        # Kickserv's list of that day, when it has one (else the calendar names every job).
        today = now.date()
        lists: dict[date, Window] = {today: "today", today + timedelta(days=1): "tomorrow"}
        return await jobs_on(kickserv, day, lists.get(day), timezone)
    if kind == "overdue":
        return await overdue_tickets(readydesk, search, now)
    if kind == "unassigned":
        return await unassigned_tickets(readydesk, search)
    return await open_tickets(readydesk, search, priorities)


def snapshot(digest: TicketDigest | JobDigest) -> str:
    """What the next digest of the same subscription compares with (ids and totals)."""
    if isinstance(digest, JobDigest):
        ids_now = [j.job_number for j in digest.jobs]
        return json.dumps({"ids": ids_now, "total": len(ids_now)})
    by_status = {"by_status": digest.by_status} if digest.by_status else {}
    return json.dumps({"ids": digest.ticket_ids, "total": digest.total, **by_status})


async def jobs_on(
    client: KickservClient, day: date, which: Window | None, timezone: str
) -> JobDigest:
    """The business's day's jobs and who is on each; `which`: Kickserv's list of that day (None
    for a day it has none of, such as yesterday's for a digest retried past midnight: then
    every job the day's calendar names is read by its number).

    Kickserv's `today` and `tomorrow` are the account's days, which may be a day off the
    business's (in `timezone`): the list is cut to the business's day, the calendar is read a
    day either side and cut the same way, and a job an entry of the day names that the list
    missed is read by its number. So the day a digest is headed with is the day of every job
    under it and of every crew it names."""
    zone = ZoneInfo(timezone)
    listed, tasks = await asyncio.gather(
        _collect(client.iter_jobs(scheduled=which)) if which else _nothing(),
        entries_on(client, day, day, zone),
    )
    listed = [j for j in listed if _day_of(j.scheduled_on, zone) == day]
    listed_ids = {j.global_id for j in listed}
    # An entry without a start belongs to the day when its job is on the day's list.
    entries = [t for t in tasks if t.job and (t.starts_at or t.job.global_id in listed_ids)]
    jobs = await with_strays(client, entries, listed, STRAYS if which else len(entries))
    crews: dict[int, list[str]] = {}
    starts: dict[int, datetime] = {}
    for task in entries:
        job_id = task.job.global_id if task.job else None
        if job_id is None or job_id not in jobs:
            continue
        crews.setdefault(job_id, []).extend(e.name for e in task.employees)
        if task.starts_at and (job_id not in starts or task.starts_at < starts[job_id]):
            starts[job_id] = task.starts_at
    digest = JobDigest(day=day, jobs=[], crews=crews, starts=starts)

    def order(job: Job) -> tuple[bool, datetime]:
        when = digest.starts_at(job)
        return when is None, when or job.created_at or _LAST

    digest.jobs = sorted(jobs.values(), key=order)
    return digest


def _day_of(moment: datetime | None, zone: tzinfo) -> date | None:
    """The business's date of `moment` (None for none)."""
    return moment.astimezone(zone).date() if moment else None


async def _collect(items: AsyncIterator[T]) -> list[T]:
    """Every item of a Kickserv walk (a day's jobs or tasks: a few pages at most)."""
    return [item async for item in items]


async def _nothing() -> list[Job]:
    return []
