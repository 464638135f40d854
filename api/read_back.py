"""Reading a write's target back to learn whether an unanswered write was applied.

Each plan names what to read and what to look for: a ticket's history for the note's marker, a
Kickserv customer's or job's notes, the customer's recent jobs or tickets for the marker in the
description, or a ticket's or a job's fields for an update. None means the target shows it is
not there; a BackendError means the target could not be read, so the outcome stays unknown.
"""

from api.errors import Unavailable
from api.job_status import job_has_fields
from api.kickserv import KickservClient
from api.kickserv.connection import DEFAULT_PAGE_SIZE
from api.readydesk import ReadyDeskClient
from api.writes import WritePlan

NOTES_LOOKED_AT = 500  # past this many notes, a missing note is not proof it is not there
JOB_PAGES = 4  # Kickserv lists a customer's jobs newest first, DEFAULT_PAGE_SIZE a page
RECENT_TICKETS = 50  # asked for newest first


async def find_write(
    readydesk: ReadyDeskClient, kickserv: KickservClient, plan: WritePlan
) -> str | None:
    """The backend's reference to the write `plan` describes, or None when it is not there."""
    if plan.check == "ticket_note":
        entries = await readydesk.get_history(tid=int(plan.target))
        found = [e for e in entries if plan.marker in e.note]
        return str(found[-1].entry_id or plan.target) if found else None
    if plan.check in ("customer_note", "job_note"):
        owner = "customers" if plan.check == "customer_note" else "jobs"
        seen = 0
        async for note in kickserv.iter_notes(owner, int(plan.target)):
            if plan.marker in note.text:
                return str(note.global_id)
            seen += 1
            if seen >= NOTES_LOOKED_AT:
                where = f"{owner[:-1]} {plan.target}"
                raise _inconclusive(f"{where} has more notes than Deskhand reads back")
        return None
    if plan.check == "job":
        return await _find_job(kickserv, plan)
    if plan.check == "job_fields":
        return await job_has_fields(kickserv, plan)
    if plan.check == "ticket":
        tickets = await readydesk.get_tickets(
            cid=plan.target, count=RECENT_TICKETS, order="tid", order_direction="DESC"
        )
        assert isinstance(tickets, list)
        found_ticket = next((t for t in tickets if plan.marker in t.summary), None)
        return str(found_ticket.ticket_id) if found_ticket else None
    return await _ticket_has_fields(readydesk, plan)


async def _find_job(kickserv: KickservClient, plan: WritePlan) -> str | None:
    for page in range(1, JOB_PAGES + 1):
        jobs = await kickserv.list_customer_jobs(int(plan.target), page=page)
        for job in jobs:
            if plan.marker in (job.description or ""):
                return str(job.job_number)
        if len(jobs) < DEFAULT_PAGE_SIZE:
            return None  # the whole list was read
    raise _inconclusive(f"customer {plan.target} has more jobs than Deskhand reads back")


def _inconclusive(why: str) -> Unavailable:
    """Not finding the write in part of a list proves nothing: the outcome stays unknown."""
    return Unavailable(
        f"Kickserv could not be checked fully ({why}).", backend="Kickserv", action="read back"
    )


async def _ticket_has_fields(readydesk: ReadyDeskClient, plan: WritePlan) -> str | None:
    ticket = await readydesk.get_ticket(int(plan.target))
    have = {"status": ticket.status, "assigned_to": ticket.assigned_tech}
    matches = all(have.get(k, "").casefold() == v.casefold() for k, v in plan.fields.items())
    return plan.target if matches else None
