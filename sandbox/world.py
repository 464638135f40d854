"""The sandbox's world changing while it runs: a new ReadyDesk ticket every couple of minutes, a
Kickserv job on today's schedule moved on a step, and a customer answering the latest technician
note (so a synced thread hears from ReadyDesk), by the sandbox clock.

So a newcomer who starts a watch sees an alert within minutes, and a job card posted by a job
watch changes in place soon after. The same clock start gives the same changes (each change
draws from its own seeded generator). A jump of the clock by hours brings a few changes, not
hundreds: `catch_up` applies at most MOST_AT_ONCE of each kind, the latest ones.
"""

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sandbox.data import SandboxData
from sandbox.kickserv_data import (
    ACCOUNT_TZ,
    SANDBOX_PERSON,
    SANDBOX_PERSON_DAYS,
    KickservData,
    KSJob,
    book_sandbox_person,
)
from sandbox.names import CATEGORIES, GROUPS, PLACES, SUBJECTS, SUMMARIES
from sandbox.readydesk_records import RDTicket

logger = logging.getLogger("deskhand.sandbox.world")

TICKET_EVERY = timedelta(minutes=2)
JOB_EVERY = timedelta(minutes=2)
JOB_OFFSET = timedelta(minutes=1)  # jobs move between two new tickets
ANSWER_EVERY = timedelta(minutes=3)
CUSTOMER_ANSWERS = (
    "Thanks, that helps. We will try it this afternoon.",
    "Still happening here, I am afraid. Could someone call me back?",
    "Great, that fixed it. Thank you!",
)
MOST_AT_ONCE = 3
LOOK_EVERY = 5.0  # real seconds between looks while running
# Every other new ticket is urgent, so `/deskhand watch tickets priority:urgent` (an example in
# `/deskhand help`) fires within minutes too.
NEW_PRIORITIES = ("Urgent", "Normal", "Urgent", "High", "Urgent", "Low")
NEW_SOURCES = ("Email", "Customer Portal", "Customer Call")
NEXT_STATUS = {
    "unscheduled": "scheduled",
    "scheduled": "in_progress",
    "on_hold": "in_progress",
    "in_progress": "completed",
}


class World:
    """The ticker: `catch_up()` applies what is due by the clock; `start()` looks every few
    seconds (and at once after a jump of a clock that has `on_jump`) until `aclose()`."""

    def __init__(
        self,
        clock: Callable[[], datetime],
        readydesk: SandboxData | None,
        kickserv: KickservData | None,
        *,
        timezone: str = "UTC",
        ticket_every: timedelta = TICKET_EVERY,
        job_every: timedelta = JOB_EVERY,
        seed: int = 18,
    ) -> None:
        self._clock, self._readydesk, self._kickserv = clock, readydesk, kickserv
        self._zone = ZoneInfo(timezone)
        self._every = {"ticket": ticket_every, "job": job_every, "answer": ANSWER_EVERY}
        start = clock()
        self._next = {
            "ticket": start + ticket_every,
            "job": start + JOB_OFFSET,
            "answer": start + ANSWER_EVERY,
        }
        self._made = {"ticket": 0, "job": 0, "answer": 0}
        self._answered: set[int] = set()  # the history entries a customer answered
        # Entries up to this one were seeded; one added since (a note from Slack) is answered
        # first, whatever the clock: seeded entries may be dated later in the small hours.
        self._seeded = readydesk.history_count if readydesk is not None else 0
        self._seed = seed
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        on_jump = getattr(clock, "on_jump", None)
        if on_jump is not None:
            on_jump(lambda _now: self._log(self.catch_up()))

    @property
    def next_change(self) -> datetime:
        """When the next change is due."""
        return min(self._next.values())

    def catch_up(self) -> list[str]:
        """Apply every change due by now (at most MOST_AT_ONCE of each kind); one line each."""
        now = self._clock()
        lines: list[str] = []
        changes = (
            ("ticket", self._new_ticket),
            ("job", self._move_job),
            ("answer", self._customer_answers),
        )
        for kind, change in changes:
            every = self._every[kind]
            due = (now - self._next[kind]) // every + 1 if now >= self._next[kind] else 0
            if due > MOST_AT_ONCE:  # a jump: only the latest few
                self._next[kind] += every * (due - MOST_AT_ONCE)
                self._made[kind] += due - MOST_AT_ONCE
                due = MOST_AT_ONCE
            for _ in range(due):
                line = change(self._next[kind], random.Random(self._seed * 7919 + self._made[kind]))
                self._next[kind] += every
                self._made[kind] += 1
                if line:
                    lines.append(line)
        return lines + self._book_sandbox_person()

    def _book_sandbox_person(self) -> list[str]:
        """The person at the page has a job today and tomorrow, whatever day the clock is at."""
        data = self._kickserv
        if data is None:
            return []
        today = self._clock().astimezone(ACCOUNT_TZ).date()  # the account's day, by this clock
        booked = [book_sandbox_person(data, today + timedelta(days=n)) for n in SANDBOX_PERSON_DAYS]
        return [f"job {j.job_number} booked for {SANDBOX_PERSON.name}" for j in booked if j]

    def start(self) -> None:
        """Keep catching up in the background (once)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="sandbox-world")

    async def aclose(self) -> None:
        """Stop the background looks."""
        self._stopping.set()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        while not self._stopping.is_set():
            self._log(self.catch_up())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), LOOK_EVERY)

    @staticmethod
    def _log(lines: list[str]) -> None:
        for line in lines:
            logger.info("sandbox world: %s", line)

    def _new_ticket(self, at: datetime, rng: random.Random) -> str | None:
        """A ticket from one of the first customers, opened at `at` by the help desk's clock."""
        data = self._readydesk
        if data is None or not data.customers:
            return None
        customer = rng.choice(list(data.customers.values())[:40])
        opened = at.astimezone(ZoneInfo(data.timezone)).replace(tzinfo=None, microsecond=0)
        category = rng.choice([c for c in CATEGORIES if c != "Other"])
        group_id, group = rng.choice(GROUPS)
        priority = NEW_PRIORITIES[self._made["ticket"] % len(NEW_PRIORITIES)]
        subject = rng.choice(SUBJECTS).format(place=rng.choice(PLACES))
        ticket = data.add_ticket(
            RDTicket.for_customer(
                customer,
                tid=data.next_ticket_id(),
                date_opened=opened,
                source=rng.choice(NEW_SOURCES),
                category=category,
                sub_category=rng.choice(CATEGORIES[category]),
                status="Open",
                priority=priority,
                escalation_level="",
                due_date=opened + timedelta(days=rng.randint(1, 3)),
                opened_by=rng.choice(("WEBSITE", "EMAIL")),
                last_updated=opened,
                updated_by="WEBSITE",
                updater_type="CUSTOMER",
                assigned_tech="",
                assigned_group_id=group_id,
                assigned_group_name=group,
                subject=subject,
                summary=rng.choice(SUMMARIES),
            )
        )
        data.add_history(ticket.tid, opened, ticket.opened_by, "CUSTOMER", "Open", "Ticket opened.")
        return f"ticket #{ticket.tid} opened: {subject} ({priority})"

    def _customer_answers(self, at: datetime, rng: random.Random) -> str | None:
        """The newest technician entry on an open ticket (a note from Slack, say) gets an answer
        from the ticket's contact in its history, once."""
        data = self._readydesk
        if data is None:
            return None
        when = at.astimezone(ZoneInfo(data.timezone)).replace(tzinfo=None, microsecond=0)
        # Up to now: in the small hours the seeded day's newest entries (by 06:00) are ahead.
        entries = [
            e
            for h in data.history.values()
            for e in h
            if e.updater_type != "CUSTOMER" and e.date <= when
        ]
        latest = max(
            entries, key=lambda e: (e.record_id > self._seeded, e.date, e.record_id), default=None
        )
        ticket = data.tickets.get(latest.tid) if latest else None
        if latest is None or ticket is None or latest.record_id in self._answered:
            return None
        if ticket.status == "Closed":
            return None
        self._answered.add(latest.record_id)
        text = rng.choice(CUSTOMER_ANSWERS)
        data.add_history(ticket.tid, when, ticket.contact, "CUSTOMER", ticket.status, text)
        return f"ticket #{ticket.tid}: {ticket.contact} answered"

    def _move_job(self, at: datetime, _rng: random.Random) -> str | None:
        """The first job on today's schedule (else the next day's) not done yet moves on a step:
        scheduled, in progress, completed."""
        job = self._next_job(at)
        if job is None:
            return None
        assert self._kickserv is not None
        before, job.status = job.status, NEXT_STATUS[job.status]
        job.updated_at = at.astimezone(job.updated_at.tzinfo).replace(microsecond=0)
        if job.status == "completed":
            job.completed_on = job.updated_at
        return f"job {job.job_number} {job.name}: {before} -> {job.status}"

    def _next_job(self, at: datetime) -> KSJob | None:
        if self._kickserv is None:
            return None
        today = at.astimezone(self._zone).date()
        movable = [
            j for j in self._kickserv.jobs.values() if j.scheduled_on and j.status in NEXT_STATUS
        ]
        for days in range(8):
            day = today + timedelta(days=days)
            on_day = [j for j in movable if j.scheduled_on.astimezone(self._zone).date() == day]
            if on_day:
                return min(on_day, key=lambda j: (j.scheduled_on, j.job_number))
        return None
