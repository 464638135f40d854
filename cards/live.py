"""What a live card watches on its record, and the thread reply that says what changed."""

from slack_sdk.models.blocks import Block

from api.kickserv import Job
from api.readydesk import Ticket
from cards.common import Card, context, mrkdwn_section, shared_by
from cards.mrkdwn import escape_mrkdwn, truncate

State = dict[str, str]
VALUE_MAX = 80


def ticket_key(ticket_id: int) -> str:
    """The live-card key of a ticket."""
    return f"ticket:{ticket_id}"


def job_key(job_number: int) -> str:
    """The live-card key of a job."""
    return f"job:{job_number}"


def split_key(record_key: str) -> tuple[str, int]:
    """("ticket", 12) from "ticket:12"."""
    kind, _, number = record_key.partition(":")
    return kind, int(number)


def ticket_state(ticket: Ticket) -> State:
    """What changes a ticket card shows: status, priority, assignee."""
    assigned = " · ".join(p for p in (ticket.assigned_tech, ticket.assigned_group_name) if p)
    return {
        "Status": ticket.status or "—",
        "Priority": ticket.priority or "—",
        "Assigned to": assigned or "Unassigned",
    }


def job_status(job: Job) -> str:
    """A job's status as every card words it: `in_progress` → `In progress`."""
    return job_status_text(job.status)


def job_status_text(status: str) -> str:
    """A Kickserv status as every card words it: `in_progress` → `In progress`."""
    return status.replace("_", " ").capitalize() or "—"


def job_state(job: Job, assigned: list[str], scheduled: str) -> State:
    """What changes a job card shows: status, schedule (as shown), who is assigned."""
    return {
        "Status": job_status(job),
        "Scheduled": scheduled,
        "Assigned to": ", ".join(assigned) or "Nobody yet",
    }


def describe_change(before: State, after: State) -> str:
    """`*Status*: Open → Closed · *Priority*: …`, escaped; empty when nothing shown changed."""
    parts = []
    for key, value in after.items():
        old = before.get(key)
        if old is not None and old != value:
            parts.append(f"*{_label(key)}*: {_shown(old)} → {_shown(value)}")
    return " · ".join(parts)


def describe_state(state: State) -> str:
    """`*Status*: Open · *Priority*: High · …`, escaped."""
    return " · ".join(f"*{_label(key)}*: {_shown(value)}" for key, value in state.items())


# A state's key as its card labels the field. States are stored by key (a live card's last one
# in the database): a key renamed would read as a change on every card.
_LABELS = {"Scheduled": "When"}


def _label(key: str) -> str:
    return _LABELS.get(key, key)


def change_reply(what: str, before: State, after: State, who: str | None) -> str:
    """The thread reply under a card that was just updated."""
    by = f" — by <@{who}>" if who else ""
    return f"{what} changed: {describe_change(before, after)}{by}"


def gone_card(what: str, system: str) -> list[Block]:
    """What a card becomes when its record no longer exists."""
    return [
        mrkdwn_section(f"~{escape_mrkdwn(what)}~ no longer exists in {system}."),
        context("It was deleted or merged there; Deskhand stopped updating this card."),
    ]


def _shown(value: str) -> str:
    return escape_mrkdwn(truncate(value, VALUE_MAX))


def as_posted(card: Card, shared_by_user: str, footer: str) -> Card:
    """`card` with the lines its message had under it when posted (who shared it, the watch
    that posted it: mrkdwn), so a redraw keeps them."""
    extra = [shared_by(shared_by_user)] if shared_by_user else []
    return Card(card.text, [*card.blocks, *extra, *([context(footer)] if footer else [])])
