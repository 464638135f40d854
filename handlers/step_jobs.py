"""Create job's choices by name: the Kickserv service and employee a workflow names, found in
Kickserv's own lists (cached), or why they cannot be."""

from dataclasses import dataclass
from typing import Any

from api.desk import Desk
from api.job_writes import JobCreation, NewJob
from api.visits import visit_description
from cards.config import HandlerConfig
from cards.job_form import JobForm
from cards.mrkdwn import truncate
from handlers.step_inputs import number, when


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


@dataclass(frozen=True)
class Visit:
    """Book a visit's job, and the form-like record the visit's link is made from."""

    job: NewJob
    form: JobForm


async def visit_for(desk: Desk, config: HandlerConfig, inputs: dict[str, Any]) -> Visit | str:
    """The job a ticket's visit books (its customer's Kickserv twin, the service, time and
    technician named), or why it cannot be booked."""
    ticket_id = number(inputs, "ticket_number", "The ticket number")
    if not isinstance(ticket_id, int):
        return ticket_id or "Give the ticket's number."
    scheduled = when(inputs, "scheduled")
    if isinstance(scheduled, str):
        return scheduled
    choices = await job_choices(desk, inputs)
    if isinstance(choices, str):
        return choices
    ticket, customer = await desk.field.visit_customer(ticket_id)
    if ticket.is_closed:  # as the card, which offers Book a visit only on an open ticket
        return f"Ticket #{ticket_id} is closed; reopen it in ReadyDesk to book a visit for it."
    if customer is None:
        named = ticket.company_name or ticket.contact or ticket.customer_id or "its customer"
        return (
            f"Ticket #{ticket_id}'s customer ({truncate(named, 60)}) has no Kickserv customer "
            "with the same email or phone, so Deskhand cannot tell whom to book; give them the "
            "same email in both systems, or use Create job with the Kickserv customer."
        )
    web = config.readydesk_web_url
    link = web.replace("{tid}", str(ticket_id)) if web else ""
    description = visit_description(ticket_id, ticket.subject, link)
    job = NewJob(
        int(customer.record_key), choices.service, description, scheduled, choices.employee
    )
    form = JobForm(
        description=description, ticket_id=ticket_id, ticket_subject=truncate(ticket.subject, 200)
    )
    return Visit(job, form)
