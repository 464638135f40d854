"""ReadyDesk ticket writes, each once per intent: creating a ticket (signed, with a marker in
its description) and the ticket card's changes (assign, status, close), read back by their
fields when the reply was lost."""

from dataclasses import dataclass, replace
from datetime import datetime

from api.identity import Profile
from api.readydesk import ReadyDeskClient
from api.writes import (
    DEFAULTS,
    Intent,
    ReadBack,
    WritePlan,
    WriteResult,
    WriteSettings,
    new_marker,
    signature,
    write_once,
)
from store import Store


@dataclass(frozen=True)
class NewTicket:
    """What the Create ticket form asked for; empty parts are left out of the request."""

    customer_id: str  # the ReadyDesk customer
    subject: str
    description: str = ""
    category: str = ""
    priority: str = ""


async def create_ticket(
    readydesk: ReadyDeskClient,
    store: Store,
    read_back: ReadBack,
    intent: Intent,
    ticket: NewTicket,
    author: Profile,
    settings: WriteSettings = DEFAULTS,
) -> WriteResult:
    """Create the ticket once for this intent; its description ends with the signature."""
    marker = new_marker()
    typed = "\n".join(p for p in (ticket.subject, ticket.description) if p)
    body = "\n".join(p for p in (ticket.description, signature(author.name, marker)) if p)
    fields = {
        "cid": ticket.customer_id,
        "subject": ticket.subject,
        "body": body,
        "category": ticket.category or None,
        "priority": ticket.priority or None,
    }
    plan = WritePlan(
        check="ticket",
        target=ticket.customer_id,
        marker=marker,
        typed=typed,
        label=f"the ticket for customer {ticket.customer_id}",
    )

    async def write() -> str:
        return str(await readydesk.add_ticket(**{k: v for k, v in fields.items() if v}))

    return await write_once(
        store, replace(intent, plan=plan), write, read_back=read_back, settings=settings
    )


async def change_ticket(
    readydesk: ReadyDeskClient,
    store: Store,
    read_back: ReadBack,
    intent: Intent,
    ticket_id: int,
    fields: dict[str, str],
    *,
    closed_at: datetime | None = None,
    settings: WriteSettings = DEFAULTS,
) -> WriteResult:
    """Set the ticket's `fields` (`status`, `assigned_to`) once for this intent, or close it
    when `closed_at` is given (status Closed, dated then: the business's wall-clock time); a
    read-back compares the ticket's fields."""
    expect = {"status": "Closed"} if closed_at else fields
    plan = WritePlan(
        check="ticket_fields",
        target=str(ticket_id),
        fields=expect,
        label=f"{intent.summary} on ticket #{ticket_id}",
        response_url=intent.response_url,
    )

    async def write() -> str:
        if closed_at:
            return str(await readydesk.close_ticket(ticket_id, at=closed_at))
        return str(await readydesk.update_ticket(ticket_id, **fields))

    return await write_once(
        store, replace(intent, plan=plan), write, read_back=read_back, settings=settings
    )
