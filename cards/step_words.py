"""What Deskhand's workflow steps give back: their outputs from the records read or written, and
why a step failed, in words a workflow author can act on (never a trace). Pure."""

from api.customers import BusinessView
from api.readydesk import Ticket
from api.writes import WriteResult
from cards.mrkdwn import truncate
from cards.steps import UNCONFIRMED, UNCONFIRMED_UNATTENDED

NEVER_BLANK = "—"  # Slack shows an empty output as nothing; a required one needs a value


def ticket_outputs(ticket: Ticket) -> dict[str, str]:
    """Look up ticket's outputs."""
    return {
        "status": ticket.status or NEVER_BLANK,
        "priority": ticket.priority,
        "assignee": ticket.assigned_tech,
        "subject": ticket.subject,
    }


def business_outputs(view: BusinessView) -> dict[str, str]:
    """Find customer's outputs: both systems' ids, the name, a contact line and what is owed."""
    rd, ks = view.readydesk, view.kickserv
    email = (rd.email if rd else "") or (ks.contact_email if ks else "") or ""
    phone = (rd.phone if rd else "") or (ks.phone if ks else "") or ""
    return {
        "readydesk_id": rd.customer_id if rd else "",
        "kickserv_number": str(ks.customer_number) if ks else "",
        "name": view.name,
        "contact": " · ".join(p for p in (email, phone) if p),
        "balance": f"{view.owed:,.2f}" if view.owed is not None else "",
    }


def several_found(names: list[str], text: str) -> str:
    """The step's error when its customer words match more than one business."""
    shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
    return (
        f"“{truncate(text, 80)}” matches {len(names)} customers ({shown}); give one's "
        "customer ID or words that find only it."
    )


def none_found(text: str, where: str) -> str:
    """The step's error when its customer words match nobody."""
    return f"No customer matches “{truncate(text, 80)}” in {where}."


def write_failure(result: WriteResult, what: str, who: str) -> str:
    """Why a write step did not complete: not written (and why), or not known yet (and that
    `who` will be told; "": an unattended run, whose audit row will say); `what` says what may
    have happened ("the ticket was created")."""
    if result.outcome == "unknown" and not who:
        return UNCONFIRMED_UNATTENDED.format(what=what)
    if result.outcome == "unknown":
        return UNCONFIRMED.format(who=who, what=what)
    why = result.error.message if result.error else result.reason or "it did not go through"
    checked = " Deskhand checked: it is not there." if result.checked else ""
    return f"Not done: {why.rstrip('.')}.{checked}"


def written_summary(what: str, result: WriteResult) -> str:
    """The one-line summary output of a write step."""
    slow = " (confirmed after a slow reply)" if result.outcome == "confirmed" else ""
    again = " (this run had already done it)" if result.outcome == "duplicate" else ""
    return f"{what}{slow}{again}"


def plain_words(mrkdwn: str) -> str:
    """A line written for a message, as a step's plain-text output (no bold marks)."""
    return mrkdwn.replace("*", "")
