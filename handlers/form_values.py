"""Reading what was submitted in a form (a view's state values) into typed values.

The block ids are the builders' (cards/); a value that is wrong raises ValueError(block id,
message), which the listener turns into a field error on that block.
"""

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from cards.job_form import CUSTOMER as JOB_CUSTOMER
from cards.job_form import DATE, EMPLOYEE, SERVICE, TIME, JobForm
from cards.job_form import DESCRIPTION as JOB_DESCRIPTION
from cards.modals import NOTE_BLOCK, NOTE_INPUT, PICK_CUSTOMER, PICK_JOB, PICK_TICKET
from cards.mrkdwn import truncate
from cards.ticket_form import CATEGORY, CUSTOMER, DESCRIPTION, PRIORITY, SUBJECT, TicketForm


def submitted_values(view: dict[str, Any]) -> dict[str, str]:
    """The submitted values by block id (selects give their chosen value)."""
    out: dict[str, str] = {}
    for block_id, actions in view.get("state", {}).get("values", {}).items():
        for value in actions.values():
            chosen = (value.get("selected_option") or {}).get("value")
            picked = chosen or value.get("selected_date") or value.get("selected_time")
            out[block_id] = (picked or value.get("value") or "").strip()
    return out


def customer_value(system: str, record_key: str) -> str:
    """A customer picker option's value: `readydesk:demo`, `kickserv:380` (within Slack's 150
    characters)."""
    return f"{system}:{record_key}"[:150]


def parse_customer_value(value: str) -> tuple[str, str]:
    """(system, record key) back from a customer picker option's value."""
    system, _, key = value.partition(":")
    return system, key


def typed_note(view: dict[str, Any]) -> str:
    """The text in a submitted note form."""
    values = view.get("state", {}).get("values", {})
    return (values.get(NOTE_BLOCK, {}).get(NOTE_INPUT, {}).get("value") or "").strip()


def picked_record(view: dict[str, Any]) -> tuple[str, str]:
    """Where a note-from-message form said the note goes: ("customer", the picker's value), or
    ("ticket" | "job", the number)."""
    values = submitted_values(view)
    chosen = {b: v for b, v in values.items() if b in (PICK_TICKET, PICK_CUSTOMER, PICK_JOB) and v}
    if len(chosen) != 1:
        raise ValueError(PICK_TICKET, "Choose one: a ticket number, a customer or a job number.")
    [(block, value)] = chosen.items()
    if block == PICK_CUSTOMER:
        return "customer", value
    number = value.lstrip("#")
    if not number.isdigit():
        raise ValueError(block, f"`{truncate(value, 40)}` is not a number.")
    return ("ticket" if block == PICK_TICKET else "job"), number


def ticket_form_values(view: dict[str, Any]) -> TicketForm:
    """The Create ticket form as submitted: what it remembered, with everything typed."""
    values = submitted_values(view)
    return TicketForm.model_validate_json(view["private_metadata"]).model_copy(
        update={
            "customer_value": values.get(CUSTOMER, ""),
            "subject": values.get(SUBJECT, ""),
            "description": values.get(DESCRIPTION, ""),
            "category": values.get(CATEGORY, ""),
            "priority": values.get(PRIORITY, ""),
        }
    )


@dataclass(frozen=True)
class JobFormValues:
    """The Create job form as submitted."""

    form: JobForm  # what it remembered, with the description typed
    customer_value: str
    service: str  # the job type's id, as the select gave it
    day: str | None
    at: str | None
    employee: str | None

    def service_id(self) -> int:
        """The chosen job type's id; a field error when none was chosen."""
        if not self.service.isdigit():
            raise ValueError(SERVICE, "Choose a service.")
        return int(self.service)

    def scheduled(self, timezone: str) -> datetime | None:
        """When the job is booked, in the person's time zone; None when unscheduled."""
        if self.at and not self.day:
            raise ValueError(DATE, "Choose a date for that time too.")
        if not self.day:
            when = None
        else:
            moment = _time_of_day(self.at) if self.at else time(9, 0)
            when = datetime.combine(_day(self.day), moment, ZoneInfo(timezone))
        if self.employee and when is None:
            raise ValueError(EMPLOYEE, "Choose a date too: assigning puts the job on a calendar.")
        return when


def _day(typed: str) -> date:
    """The date picker's `2026-12-01`; a field error for anything else."""
    try:
        return date.fromisoformat(typed)
    except ValueError:
        shown = truncate(typed, 30)
        raise ValueError(DATE, f"“{shown}” is not a date: pick one, e.g. 2026-12-01.") from None


def _time_of_day(typed: str) -> time:
    """The time picker's `14:30`; a field error for anything else."""
    try:
        return time.fromisoformat(typed)
    except ValueError:
        shown = truncate(typed, 30)
        raise ValueError(
            TIME, f"“{shown}” is not a time of day: pick one, e.g. 14:30 (24-hour)."
        ) from None


def job_form_values(view: dict[str, Any]) -> JobFormValues:
    """The Create job form as submitted."""
    values = submitted_values(view)
    form = JobForm.model_validate_json(view["private_metadata"]).model_copy(
        update={"description": values.get(JOB_DESCRIPTION, "")}
    )
    return JobFormValues(
        form=form,
        customer_value=values.get(JOB_CUSTOMER, ""),
        service=values.get(SERVICE, ""),
        day=values.get(DATE),
        at=values.get(TIME),
        employee=values.get(EMPLOYEE),
    )
