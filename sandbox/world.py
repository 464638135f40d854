"""The sandbox's help desk at work: while the sandbox runs, tickets arrive and records move on.

Each `tick()` adds a ReadyDesk ticket from one of its customers, moves one ticket's status on
(a ticket someone is looking at first, so a live card changes) and one Kickserv job's (today's,
or one someone is looking at). Deterministic for a seed, so tests can count on what it does.
"""

import random
from collections.abc import Sequence
from datetime import datetime

from sandbox.data import CATEGORIES, GROUPS, PRIORITIES, SOURCES, TECHNICIANS, RDTicket, SandboxData
from sandbox.kickserv_data import KickservData

SUBJECTS = (
    "Printer shows paper jam with no paper inside",
    "Email stuck in the outbox",
    "Card reader at the front desk declines every card",
    "Cannot reach the shared drive from the laptop",
    "Phone on the back desk has no dial tone",
    "Wi-Fi password changed and nobody has it",
)
TICKET_NEXT = {"Open": "Assigned", "Assigned": "Awaiting Response", "Awaiting Response": "Assigned"}
TICKET_NEXT["Escalated"] = "Assigned"
JOB_NEXT = {"unscheduled": "scheduled", "scheduled": "in_progress", "on_hold": "in_progress"}
JOB_NEXT["in_progress"] = "completed"


class World:
    """Changes to the two sandbox backends' data, one tick at a time."""

    def __init__(self, readydesk: SandboxData, kickserv: KickservData, seed: int = 18) -> None:
        self.readydesk, self.kickserv = readydesk, kickserv
        self._rng = random.Random(seed)

    def tick(self, *, tickets: Sequence[int] = (), jobs: Sequence[int] = ()) -> list[str]:
        """One step of the world; what changed, one line each. `tickets` and `jobs` are the
        records people are looking at (moved first)."""
        now = datetime.now().replace(microsecond=0)  # ReadyDesk's clock: local, naive
        done = [self._new_ticket(now)]
        moved = self._move_ticket(now, tickets)
        if moved:
            done.append(moved)
        job = self._move_job(jobs)
        if job:
            done.append(job)
        return done

    def _new_ticket(self, now: datetime) -> str:
        data, rng = self.readydesk, self._rng
        customer = rng.choice(list(data.customers.values()))
        group_id, group = rng.choice(GROUPS)
        category = rng.choice(list(CATEGORIES))
        ticket = RDTicket(
            tid=data.next_ticket_id(),
            cid=customer.customer_id,
            company_id=customer.company_id,
            company_name=customer.company_name,
            contact=customer.contact,
            phone=customer.phone,
            email=customer.email,
            date_opened=now,
            source=rng.choice(SOURCES),
            category=category,
            sub_category=rng.choice(CATEGORIES[category]),
            status="Open",
            priority=rng.choice(PRIORITIES),
            escalation_level="",
            due_date=None,
            opened_by="EMAIL",
            last_updated=now,
            updated_by="EMAIL",
            updater_type="CUSTOMER",
            assigned_tech="",
            assigned_group_id=group_id,
            assigned_group_name=group,
            subject=rng.choice(SUBJECTS),
            summary="Sent in by the customer a moment ago.",
        )
        data.add_ticket(ticket)
        data.add_history(ticket.tid, now, "EMAIL", "CUSTOMER", "Open", "Ticket opened.")
        return f"ticket #{ticket.tid} opened for {customer.customer_id}"

    def _move_ticket(self, now: datetime, watched: Sequence[int]) -> str | None:
        tickets = self.readydesk.tickets
        data = self.readydesk
        movable = [t for t in watched if t in tickets and tickets[t].status in TICKET_NEXT]
        if not movable:
            movable = [t.tid for t in data.tickets.values() if t.status in TICKET_NEXT][-20:]
        if not movable:
            return None
        ticket = data.tickets[self._rng.choice(movable)]
        ticket.status = TICKET_NEXT[ticket.status]
        if ticket.status == "Assigned" and not ticket.assigned_tech:
            ticket.assigned_tech = self._rng.choice(TECHNICIANS[1:])[0]
        ticket.last_updated, ticket.updater_type = now, "TECH"
        ticket.updated_by = ticket.assigned_tech
        note = f"Status changed to {ticket.status}."
        data.add_history(ticket.tid, now, ticket.updated_by, "TECH", ticket.status, note)
        return f"ticket #{ticket.tid} is now {ticket.status}"

    def _move_job(self, watched: Sequence[int]) -> str | None:
        data = self.kickserv
        jobs = data.jobs
        movable = [j for j in watched if jobs.get(j) and jobs[j].status in JOB_NEXT]
        if not movable:
            movable = [
                j.job_number
                for j in jobs.values()
                if j.status in JOB_NEXT and j.scheduled_on and j.scheduled_on.date() == data.today
            ]
        if not movable:
            return None
        job = jobs[self._rng.choice(sorted(movable))]
        job.status = JOB_NEXT[job.status]
        job.updated_at = data.now()
        if job.status == "completed":
            job.completed_on = data.now()
        return f"job {job.job_number} is now {job.status}"
