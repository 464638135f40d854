"""`/ticket N` and `/tickets [filters] [words]`."""

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from api.desk import Desk
from api.refs import TicketQuery
from cards import ids
from cards import tickets as cards
from cards.common import Card
from cards.config import HandlerConfig
from cards.mrkdwn import escape_mrkdwn
from cards.ticket_form import TicketForm
from handlers.args import (
    UsageError,
    kept_reply,
    parse_ticket_number,
    typed_line,
    usage_text,
    wants_help,
)
from handlers.forms import open_ticket_form
from handlers.replies import reply_with
from handlers.subcommands import Subcommands
from handlers.ticket_filters import GRAMMAR, resolve, split_filters
from live.profiles import Profiles
from store import Store


def register(app: AsyncApp, subcommands: Subcommands) -> None:
    """Attach the ticket listeners to the app, and as `/deskhand ticket|tickets`."""
    app.command(ids.TICKET_COMMAND)(show_ticket)
    app.command(ids.TICKETS_COMMAND)(find_tickets)
    subcommands.add("ticket", show_ticket)
    subcommands.add("tickets", find_tickets)


async def show_ticket(
    ack: AsyncAck,
    command: dict[str, Any],
    respond: AsyncRespond,
    desk: Desk,
    config: HandlerConfig,
    client: AsyncWebClient,
) -> None:
    """`/ticket 34`: ticket 34's card (or the usage); `/ticket new`: the Create ticket form."""
    text = command.get("text", "")
    if text.strip().lower() == "new":
        await ack()
        form = TicketForm(channel_id=command.get("channel_id", ""))
        await open_ticket_form(client, command["trigger_id"], form, desk, config)
        return
    try:
        ticket_id = parse_ticket_number("" if wants_help(text) else text)
    except UsageError as err:
        said = (
            kept_reply(str(err), typed_line(command))
            if text.strip()
            else Card(usage_text("ticket"))
        )
        await ack(response_type="ephemeral", **said.message())
        return
    await ack()
    await reply_with(
        respond,
        _ticket_card(ticket_id, desk, config),
        waiting=f"Looking up ticket {ticket_id} …",
        patience=config.looking_up_after,
    )


async def find_tickets(
    ack: AsyncAck,
    command: dict[str, Any],
    respond: AsyncRespond,
    desk: Desk,
    config: HandlerConfig,
    client: AsyncWebClient,
    profiles: Profiles,
    store: Store,
) -> None:
    """`/tickets status:open tech:me printer`: one page of matching tickets, newest first."""
    text = command.get("text", "")
    if wants_help(text):
        await ack(response_type="ephemeral", text=f"{usage_text('tickets')}\n{GRAMMAR}")
        return
    try:
        parsed = split_filters(text)
    except UsageError as err:
        await ack(response_type="ephemeral", **_refused(err, command).message())
        return
    await ack()
    me = None
    if parsed.wants_me:
        email = (await profiles.get(client, command["user_id"])).email
        me = await desk.identify(command["user_id"], email)
        if me.technician is None:
            await respond(response_type="ephemeral", text=_not_linked(me.email))
            return
    choices = await desk.filter_choices(config.priorities)
    try:
        query = resolve(parsed, choices, now=config.now(), me=me and me.technician)
    except UsageError as err:
        await respond(response_type="ephemeral", **_refused(err, command).message())
        return
    lookup = _list_card(query, None if text.strip() else GRAMMAR, desk, config)
    waiting = "Looking up tickets …"
    await reply_with(respond, lookup, waiting=waiting, patience=config.looking_up_after)


def _refused(err: UsageError, command: dict[str, Any]) -> Card:
    """Why the search is not understood, and the line typed, given back whole."""
    return kept_reply(str(err), typed_line(command))


async def _ticket_card(ticket_id: int, desk: Desk, config: HandlerConfig) -> Card:
    return cards.card_for(await desk.ticket(ticket_id, config.callbacks), config)


async def _list_card(
    query: TicketQuery, hint: str | None, desk: Desk, config: HandlerConfig
) -> Card:
    return cards.list_card_for(await desk.ticket_page(query, config.now()), hint=hint)


def _not_linked(email: str | None) -> str:
    how = (
        "Use `tech:<your technician ID>`, or ask a Deskhand admin to link you: "
        f"`{ids.DESKHAND_COMMAND} link @you tech:<technician ID>`."
    )
    if not email:
        return f"`tech:me`: Slack did not share your email with Deskhand. {how}"
    return (
        f"`tech:me`: no ReadyDesk technician has your Slack email ({escape_mrkdwn(email)}). {how}"
    )
