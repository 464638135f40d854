"""The Create job form: customer (typeahead), service, description, optional date and time."""

import re

from pydantic import BaseModel, ConfigDict
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    DatePickerElement,
    InputBlock,
    Option,
    StaticSelectElement,
    TimePickerElement,
)
from slack_sdk.models.views import View

from api.kickserv import Employee, JobType
from cards import ids
from cards.common import button_raw, context, fit_metadata, mrkdwn_section, typed_back
from cards.form_inputs import customer_picker, description_input
from cards.mrkdwn import truncate

CUSTOMER, SERVICE, DESCRIPTION, DATE, TIME, EMPLOYEE = (
    "customer",
    "service",
    "description",
    "date",
    "time",
    "employee",
)
DESCRIPTION_MAX = 3000
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"\d{2}:\d{2}")


class JobForm(BaseModel):
    """What the form remembers (private_metadata): where it was opened and what was known."""

    model_config = ConfigDict(frozen=True)

    channel_id: str = ""
    customer_value: str = ""  # a customer picker value, e.g. "kickserv:380"
    customer_label: str = ""
    description: str = ""
    service: str = ""  # what else was chosen, so Try again brings it all back
    day: str = ""
    at: str = ""
    employee: str = ""
    ticket_id: int | None = None  # from this ticket's Book a visit: linked to it once created
    ticket_subject: str = ""
    customer_hint: str = ""  # whom to type in the picker (the ticket's customer, no twin)


def job_modal(
    form: JobForm,
    job_types: list[JobType] | None,
    employees: list[Employee] | None = None,
    notice: str = "",
) -> View:
    """The form; until the services arrive (`None`), a line says they are loading. `notice`
    (mrkdwn) opens the context line, e.g. why no customer is chosen."""
    label = form.customer_label or form.customer_value
    customer = customer_picker(form.customer_value, label, form.customer_hint)
    blocks: list[Block] = [InputBlock(block_id=CUSTOMER, label="Customer", element=customer)]
    if job_types is None:
        blocks.append(mrkdwn_section("_Loading the services from Kickserv…_"))
    else:
        options = [
            Option(text=truncate(t.name, 75), value=str(t.job_type_id)) for t in job_types[:100]
        ]
        blocks.append(
            InputBlock(
                block_id=SERVICE,
                label="Service",
                element=StaticSelectElement(
                    action_id=SERVICE,
                    placeholder="Choose",
                    options=options,
                    initial_option=_chosen(options, form.service),
                ),
            )
        )
    blocks += [
        description_input(DESCRIPTION, form.description, DESCRIPTION_MAX),
        InputBlock(
            block_id=DATE,
            label="Date",
            optional=True,
            element=DatePickerElement(action_id=DATE, initial_date=_valid(_DAY, form.day)),
        ),
        InputBlock(
            block_id=TIME,
            label="Time (your time zone)",
            optional=True,
            element=TimePickerElement(action_id=TIME, initial_time=_valid(_TIME, form.at)),
        ),
        *([_employee_select(employees, form.employee)] if employees else []),
        context(notice, "Signed “— your name via Slack”. Without a date the job is unscheduled."),
    ]
    return View(
        type="modal",
        callback_id=ids.JOB_MODAL,
        title="Book a visit" if form.ticket_id else "Create job",
        submit="Create job" if job_types is not None else None,
        close="Cancel",
        private_metadata=fit_metadata(form, "description"),
        blocks=blocks,
    )


def _chosen(options: list[Option], value: str) -> Option | None:
    return next((o for o in options if o.value == value), None)


def _valid(pattern: re.Pattern[str], typed: str) -> str | None:
    """A typed date or time Slack accepts as a picker's initial value (else none)."""
    return typed if pattern.fullmatch(typed) else None


def _employee_select(employees: list[Employee], chosen: str) -> InputBlock:
    options = [Option(text=truncate(e.name, 75), value=str(e.global_id)) for e in employees[:100]]
    element = StaticSelectElement(
        action_id=EMPLOYEE,
        placeholder="Nobody yet",
        options=options,
        initial_option=_chosen(options, chosen),
    )
    return InputBlock(block_id=EMPLOYEE, label="Assign to", optional=True, element=element)


def job_created_view(job_number: int, label: str, extra: str = "") -> View:
    """The closing view after a job was created (its card is posted in the channel too)."""
    text = f"Created *job {job_number}* for {label}." + (f"\n{extra}" if extra else "")
    return View(type="modal", title="Job created", close="Done", blocks=[mrkdwn_section(text)])


def job_saving_view() -> View:
    """Shown while Kickserv is slow to create the job."""
    return View(
        type="modal",
        title="Saving…",
        close="Close",
        blocks=[mrkdwn_section("Creating the job in Kickserv …")],
    )


def job_failed_view(message: str, form: JobForm, *, try_again: bool = True) -> View:
    """Not written (or not confirmed): every character typed kept, and Try again (which reopens
    the form with it) when it was surely not written."""
    blocks: list[Block] = [mrkdwn_section(message)]
    if try_again:  # before the text, however long: visible without scrolling
        blocks.append(ActionsBlock(elements=[button_raw("Try again", ids.JOB_TRY_AGAIN, "again")]))
    blocks += typed_back(form.description)
    return View(
        type="modal",
        title="Job not created" if try_again else "Not confirmed",
        close="Close",
        private_metadata=fit_metadata(form, "description"),
        blocks=blocks,
    )
