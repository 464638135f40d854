"""Reading what was submitted in a form (a view's state values) into typed values.

The block ids are the builders' (cards/); a value that is wrong raises ValueError(block id,
message), which the listener turns into a field error on that block.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from api.business import KICKSERV, Business, Entry
from api.job_writes import NewJob
from cards.job_form import CUSTOMER as JOB_CUSTOMER
from cards.job_form import DATE, EMPLOYEE, SERVICE, TIME, JobForm
from cards.job_form import DESCRIPTION as JOB_DESCRIPTION
from cards.modals import NOTE_BLOCK, NOTE_INPUT, PICK_CUSTOMER, PICK_JOB, PICK_TICKET
from cards.mrkdwn import truncate
from cards.refs import typed_number
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


def record_name(entry: Entry) -> str:
    """A customer record's name as its own system shows it: Kickserv's customer name,
    ReadyDesk's company (or contact)."""
    own = (entry.name, entry.company) if entry.system == KICKSERV else (entry.company, entry.name)
    named = own[0].strip() or own[1].strip()
    return named or ("Kickserv customer" if entry.system == KICKSERV else "ReadyDesk customer")


def customer_label(entry: Entry, business: Business | None = None) -> str:
    """A customer picker option's text: the record's own name and key in its system, then the
    linked record's name in the other system when that differs (`John Doe (#380) · ReadyDesk:
    demo`), within Slack's 75 characters."""
    key = f"#{entry.record_key}" if entry.system == KICKSERV else entry.record_key
    mine = record_name(entry)
    label = f"{mine} ({key})"
    other = None
    if business is not None:
        other = business.readydesk if entry.system == KICKSERV else business.kickserv
    theirs = record_name(other) if other is not None else ""
    if theirs and theirs.casefold() != mine.casefold():
        system = "ReadyDesk" if entry.system == KICKSERV else "Kickserv"
        label += f" · {system}: {theirs}"
    return truncate(label, 75)


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
    number = typed_number(value)
    if number is None:
        raise ValueError(block, f"`{truncate(value, 40)}` is not a number.")
    return ("ticket" if block == PICK_TICKET else "job"), str(number)


def ticket_problems(form: TicketForm) -> dict[str, str]:
    """What a submitted ticket form lacks, each under its own field (required fields first)."""
    errors: dict[str, str] = {}
    if not form.customer_value:
        errors[CUSTOMER] = "Choose a customer."
    if not form.subject:
        errors[SUBJECT] = "Write a subject."
    return errors


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

    def problems(self, timezone: str) -> dict[str, str]:
        """Every field that is wrong, each under its own block: the required ones (customer,
        service) first, then the date, time and assignee."""
        errors: dict[str, str] = {}
        if not self.customer_value:
            errors[JOB_CUSTOMER] = "Choose a customer."
        if not self.service.isdigit():
            errors[SERVICE] = "Choose a service."
        # The date and the time each on their own first: a wrong one does not hide the other.
        for check in (
            lambda: self.day and _day(self.day),
            lambda: self.at and _time_of_day(self.at),
            lambda: self.scheduled(timezone),
        ):
            try:
                check()
            except ValueError as err:
                errors.setdefault(*err.args)
        return errors

    def new_job(self, customer_number: int, timezone: str) -> NewJob:
        """The job to create for a Kickserv customer, from a form without `problems`."""
        employee = int(self.employee) if self.employee else None
        when = self.scheduled(timezone)
        return NewJob(customer_number, int(self.service), self.form.description, when, employee)

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


_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_US_DAY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def _day(typed: str) -> date:
    """The date picker's `2026-12-01` (or a client's `12/01/2026`); a field error naming what
    was typed for anything else, a day that does not exist (02/31/2027) included."""
    shown = truncate(typed, 30)
    iso, us = _ISO_DAY.fullmatch(typed), _US_DAY.fullmatch(typed)
    if iso:
        year, month, day = map(int, iso.groups())
    elif us:
        month, day, year = map(int, us.groups())
    if (iso or us) and 1 <= month <= 12:
        try:
            return date(year, month, day)
        except ValueError:
            name = calendar.month_name[month]
            raise ValueError(
                DATE, f"“{shown}” does not exist: {name} {year} has no day {day}."
            ) from None
    raise ValueError(DATE, f"“{shown}” is not a date: pick one, e.g. 2026-12-01.")


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
    chosen = view.get("state", {}).get("values", {}).get(JOB_CUSTOMER, {})
    picked = next((v.get("selected_option") for v in chosen.values()), None) or {}
    form = JobForm.model_validate_json(view["private_metadata"]).model_copy(
        update={
            "customer_value": picked.get("value", ""),
            "customer_label": (picked.get("text") or {}).get("text", ""),
            "description": values.get(JOB_DESCRIPTION, ""),
            "service": values.get(SERVICE, ""),
            "day": values.get(DATE, ""),
            "at": values.get(TIME, ""),
            "employee": values.get(EMPLOYEE, ""),
        }
    )
    return JobFormValues(
        form=form,
        customer_value=values.get(JOB_CUSTOMER, ""),
        service=values.get(SERVICE, ""),
        day=values.get(DATE),
        at=values.get(TIME),
        employee=values.get(EMPLOYEE),
    )
