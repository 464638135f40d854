"""A shim for ticket_actions.py until the write flows move behind Desk (another part of issue 16):
the read after a status or assignee change, with the call shape that module has today.
Delete it with its last caller."""

from api.desk import Desk
from api.readydesk import Ticket


async def read_ticket(ticket_id: int, desk: Desk) -> tuple[Ticket, list[str]]:
    """A ticket and the statuses its card's select offers (cached), read at once."""
    view = await desk.ticket_with_statuses(ticket_id)
    return view.ticket, view.statuses
