"""ReadyDesk ticket writes, each once per intent: creating a ticket (signed, with a marker in
its description) and the ticket card's changes (assign, status, close), read back by their
fields when the reply was lost."""

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from api.errors import InvalidRequest
from api.identity import Profile
from api.readydesk import ReadyDeskClient
from api.readydesk.wire import BACKEND
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
    sign = signature(author.name, marker)
    body = "\n".join(p for p in (ticket.description, sign) if p)
    fields = {
        "cid": ticket.customer_id,
        "subject": ticket.subject,
        "body": body,
        "category": ticket.category or None,
        "priority": ticket.priority or None,
    }
    sent = {k: v for k, v in fields.items() if v}
    try:
        over = readydesk.ticket_overflow(**sent)
    except InvalidRequest:
        over = 0  # refused field by field by the write itself
    if over:
        return _too_long(readydesk, sent, ticket, sign)
    plan = WritePlan(
        check="ticket",
        target=ticket.customer_id,
        marker=marker,
        typed=typed,
        label=f"the ticket for customer {ticket.customer_id}",
    )

    async def write() -> str:
        return str(await readydesk.add_ticket(**sent))

    return await write_once(
        store, replace(intent, plan=plan), write, read_back=read_back, settings=settings
    )


def _too_long(
    readydesk: ReadyDeskClient, sent: dict[str, Any], ticket: NewTicket, sign: str
) -> WriteResult:
    """The refusal of a ticket ReadyDesk could not take, on the field to shorten, saying how
    many of its last characters to cut (ReadyDesk counts them URL-encoded, so it is measured)."""
    if ticket.description:
        field, text = "description", ticket.description

        def with_text(kept: str) -> dict[str, Any]:
            return {**sent, "body": "\n".join(p for p in (kept, sign) if p)}
    else:
        field, text = "subject", ticket.subject

        def with_text(kept: str) -> dict[str, Any]:
            return {**sent, "subject": kept}

    fewest, most = 1, len(text)  # the fewest last characters whose cut makes it fit
    while fewest < most:
        middle = (fewest + most) // 2
        if readydesk.ticket_overflow(**with_text(text[: len(text) - middle])):
            fewest = middle + 1
        else:
            most = middle
    why = (
        f"Too long for ReadyDesk: cutting its last {fewest:,} characters is enough (accented "
        "letters, emoji and symbols count as several characters each when sent)."
    )
    error = InvalidRequest(why, backend=BACKEND, action="add_ticket", field_errors={field: why})
    return WriteResult("failed", error=error)


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
