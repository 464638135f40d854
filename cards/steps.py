"""Deskhand's Workflow Builder steps as Slack describes custom steps: each one's title,
description and typed inputs and outputs (the manifest's `functions`), and the words a step
says when it fails. Pure data: the manifest, the listeners and the console share it."""

from dataclasses import dataclass

from cards import ids

USER_ID = "slack#/types/user_id"
INTERACTIVITY = "slack#/types/interactivity"
TIMESTAMP = "slack#/types/timestamp"


@dataclass(frozen=True)
class Parameter:
    """One input or output of a step."""

    name: str
    type: str
    title: str
    description: str
    required: bool = False


@dataclass(frozen=True)
class Step:
    """One custom step: what Workflow Builder lists, and what goes in and comes out."""

    callback_id: str
    title: str
    description: str
    inputs: tuple[Parameter, ...]
    outputs: tuple[Parameter, ...]


_ON_BEHALF = Parameter(
    "user",
    USER_ID,
    "On behalf of",
    "The person it is for; recorded in what is written and in the audit log, never trusted "
    "for permission",
)
_INTERACTOR = Parameter(
    "interactivity",
    INTERACTIVITY,
    "Run by",
    "Who started the workflow (a button or form): Deskhand writes as them, under its rules "
    "for who may write",
)
_SERVICE = Parameter("service", "string", "Service", "The Kickserv service's name", True)
_WHEN = Parameter("scheduled", TIMESTAMP, "Date and time", "When the visit is")
_TECHNICIAN = Parameter("technician", "string", "Technician", "A Kickserv employee's name")
_JOB_OUTPUTS = (
    Parameter("job_number", "integer", "Job number", "The new job's number", True),
    Parameter("job_link", "string", "Job link", "The job's page in Kickserv"),
)
_SUMMARY = Parameter("summary", "string", "Summary", "One line ready to post in a message", True)

STEP_LIST = (
    Step(
        ids.STEP_CREATE_TICKET,
        "Create ticket",
        "Open a ReadyDesk ticket for a customer",
        (
            Parameter(
                "customer",
                "string",
                "Customer",
                "A ReadyDesk customer ID, or words that find exactly one customer",
                True,
            ),
            Parameter("subject", "string", "Subject", "The ticket's subject", True),
            Parameter("description", "string", "Description", "What the customer needs"),
            Parameter("priority", "string", "Priority", "Low, Normal, High or Urgent"),
            _ON_BEHALF,
            _INTERACTOR,
        ),
        (
            Parameter("ticket_number", "integer", "Ticket number", "The new ticket's number", True),
            Parameter("ticket_link", "string", "Ticket link", "The ticket's page in ReadyDesk"),
            _SUMMARY,
        ),
    ),
    Step(
        ids.STEP_ADD_NOTE,
        "Add note",
        "Add a note to a ReadyDesk ticket or a Kickserv job",
        (
            Parameter("ticket_number", "integer", "Ticket number", "The ticket (or give a job)"),
            Parameter("job_number", "integer", "Job number", "The Kickserv job (or a ticket)"),
            Parameter("text", "string", "Note", "The note's text", True),
            _ON_BEHALF,
            _INTERACTOR,
        ),
        (_SUMMARY,),
    ),
    Step(
        ids.STEP_FIND_CUSTOMER,
        "Find customer",
        "Find one business in ReadyDesk and Kickserv",
        (
            Parameter(
                "text",
                "string",
                "Customer",
                "A customer ID, name, company, email or phone",
                True,
            ),
        ),
        (
            Parameter("readydesk_id", "string", "ReadyDesk customer ID", "Empty when none"),
            Parameter("kickserv_number", "string", "Kickserv customer number", "Empty when none"),
            Parameter("name", "string", "Name", "The business's name", True),
            Parameter("contact", "string", "Contact", "Email and phone"),
            Parameter("balance", "string", "Owed", "What the customer still owes, in Kickserv"),
        ),
    ),
    Step(
        ids.STEP_LOOK_UP_TICKET,
        "Look up ticket",
        "Read a ReadyDesk ticket's status, priority, assignee and subject",
        (Parameter("ticket_number", "integer", "Ticket number", "The ticket", True),),
        (
            Parameter("status", "string", "Status", "The ticket's status", True),
            Parameter("priority", "string", "Priority", "The ticket's priority"),
            Parameter("assignee", "string", "Assignee", "The technician, empty when none"),
            Parameter("subject", "string", "Subject", "The ticket's subject"),
        ),
    ),
    Step(
        ids.STEP_CREATE_JOB,
        "Create job",
        "Create a Kickserv job for a customer",
        (
            Parameter(
                "customer",
                "string",
                "Customer",
                "A Kickserv customer number, or words that find exactly one customer",
                True,
            ),
            _SERVICE,
            Parameter("description", "string", "Description", "What is to be done"),
            _WHEN,
            _TECHNICIAN,
            _ON_BEHALF,
            _INTERACTOR,
        ),
        (*_JOB_OUTPUTS, _SUMMARY),
    ),
    Step(
        ids.STEP_BOOK_VISIT,
        "Book a visit",
        "Book a Kickserv visit for a ReadyDesk ticket: the job, linked to the ticket, with notes",
        (
            Parameter("ticket_number", "integer", "Ticket number", "The ticket to visit for", True),
            _SERVICE,
            _WHEN,
            _TECHNICIAN,
            _ON_BEHALF,
            _INTERACTOR,
        ),
        (*_JOB_OUTPUTS, _SUMMARY),
    ),
)
STEPS = {step.callback_id: step for step in STEP_LIST}


def function_section() -> dict[str, object]:
    """The manifest's `functions`: each step's title, description and typed parameters."""
    return {
        step.callback_id: {
            "title": step.title,
            "description": step.description,
            "input_parameters": _parameters(step.inputs),
            "output_parameters": _parameters(step.outputs),
        }
        for step in STEP_LIST
    }


def _parameters(parameters: tuple[Parameter, ...]) -> dict[str, object]:
    """By name, as the manifest's schema version 1 has them."""
    return {
        p.name: {
            "type": p.type,
            "title": p.title,
            "description": p.description,
            "is_required": p.required,
        }
        for p in parameters
    }


NO_INTERACTOR = (
    "{step} writes as the person who started the workflow, and this run has none (a "
    "scheduled or event-started workflow). Start it from a button or a form, or ask "
    "Deskhand's admin to allow unattended writes (DESKHAND_WORKFLOW_WRITES=unattended)."
)
NOT_A_WRITER = (
    "{who} is not on Deskhand's list of people who may write (DESKHAND_WRITERS), so {step} "
    "did nothing. Have someone on that list start this workflow, or ask Deskhand's admin to "
    "add {who}."
)
UNCONFIRMED_UNATTENDED = (
    "could not confirm; Deskhand will record how it ended in its audit log (deskhand audit) when "
    "it knows (whether {what}: it may still go through, so do not run the step again before then)"
)
UNCONFIRMED = (
    "could not confirm; Deskhand will tell {who} when it knows (whether {what}: it may still go "
    "through, so do not run the step again before then)"
)
