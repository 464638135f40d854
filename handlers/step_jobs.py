"""Create job's choices by name: the Kickserv service and employee a workflow names, found in
Kickserv's own lists (cached), or why they cannot be."""

from dataclasses import dataclass
from typing import Any

from api.desk import Desk
from api.job_writes import JobCreation
from cards.mrkdwn import truncate


@dataclass(frozen=True)
class JobChoices:
    """The service's id and the employee's global id (None: not assigned)."""

    service: int
    employee: int | None

    def unassigned(self, created: JobCreation) -> str:
        """What the summary adds when the job exists but could not be assigned."""
        if created.unassigned is None:
            return ""
        return f" (not assigned: {created.unassigned.message.rstrip('.')})"


async def job_choices(desk: Desk, inputs: dict[str, Any]) -> JobChoices | str:
    """The service and technician the inputs name (case aside), or why one is not known."""
    wanted = str(inputs.get("service") or "").strip()
    services = {t.name.casefold(): t.job_type_id for t in await desk.job_types()}
    if wanted.casefold() not in services:
        known = ", ".join(t.name for t in await desk.job_types())
        return f"Kickserv has no service “{truncate(wanted, 60)}”; its services are {known}."
    technician = str(inputs.get("technician") or "").strip()
    if not technician:
        return JobChoices(services[wanted.casefold()], None)
    if not inputs.get("scheduled"):
        return "A technician is assigned to a date and time: give the date and time too."
    employees = {e.name.casefold(): e.global_id for e in await desk.employees() if e.active}
    if technician.casefold() not in employees:
        return f"Kickserv has no active employee named “{truncate(technician, 60)}”."
    return JobChoices(services[wanted.casefold()], employees[technician.casefold()])
