"""`/ticket N` and the buttons on a ticket card."""

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from api.desk import Desk
from handlers import ids
from handlers.args import UsageError, parse_ticket_number
from handlers.cards import (
    TicketRef,
    build_customer_card,
    build_ticket_card,
    customer_text,
    ticket_text,
)


def register(app: AsyncApp) -> None:
    """Attach the ticket listeners to the app."""
    app.command(ids.TICKET_COMMAND)(show_ticket)
    app.action(ids.TICKET_REFRESH)(refresh_ticket)
    app.action(ids.TICKET_SHOW_CUSTOMER)(show_ticket_customer)


async def show_ticket(
    ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond, desk: Desk
) -> None:
    """`/ticket 34`: reply with ticket 34's card, or with the usage when the number is bad."""
    try:
        ticket_id = parse_ticket_number(command.get("text", ""))
    except UsageError as err:
        await ack(response_type="ephemeral", text=str(err))
        return
    await ack()
    ticket = await desk.readydesk.get_ticket(ticket_id)
    await respond(
        response_type="ephemeral", text=ticket_text(ticket), blocks=build_ticket_card(ticket)
    )


async def refresh_ticket(
    ack: AsyncAck, action: dict[str, Any], respond: AsyncRespond, desk: Desk
) -> None:
    """Refresh button: re-read the ticket and replace the card in place."""
    await ack()
    ref = TicketRef.model_validate_json(action["value"])
    ticket = await desk.readydesk.get_ticket(ref.ticket_id)
    await respond(replace_original=True, text=ticket_text(ticket), blocks=build_ticket_card(ticket))


async def show_ticket_customer(
    ack: AsyncAck, action: dict[str, Any], respond: AsyncRespond, desk: Desk
) -> None:
    """Customer button: show the ticket's customer as a separate card."""
    await ack()
    ref = TicketRef.model_validate_json(action["value"])
    customer = await desk.readydesk.get_customer(ref.customer_id)
    await respond(
        response_type="ephemeral",
        replace_original=False,
        text=customer_text(customer),
        blocks=build_customer_card(customer),
    )
