"""`/ticket N`, `/tickets [filters] [words]` and the buttons on ticket cards."""

import asyncio
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from api.desk import Desk
from api.errors import BackendError
from api.readydesk import Ticket
from api.readydesk.search import search_tickets
from cards.common import Card, context
from cards.live import ticket_key, ticket_state
from cards.mrkdwn import escape_mrkdwn
from cards.refs import TicketQuery, TicketRef
from cards.ticket_form import TicketForm
from cards.tickets import build_ticket_card, build_ticket_list_card, ticket_text
from handlers import ids
from handlers.args import UsageError, parse_ticket_number, usage_text, wants_help
from handlers.config import HandlerConfig
from handlers.forms import open_ticket_form
from handlers.profiles import Profiles
from handlers.reads import all_at_once, settle, unread_line
from handlers.replies import reply_with
from handlers.ticket_filters import GRAMMAR, FilterChoices, describe, resolve, split_filters
from store import Store

PAGE_SIZE = 10


def register(app: AsyncApp) -> None:
    """Attach the ticket listeners to the app."""
    app.command(ids.TICKET_COMMAND)(show_ticket)
    app.command(ids.TICKETS_COMMAND)(find_tickets)


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
        await ack(
            response_type="ephemeral", text=str(err) if text.strip() else usage_text("ticket")
        )
        return
    await ack()
    lookup = render_ticket(TicketRef(ticket_id=ticket_id), desk, config)
    await reply_with(
        respond,
        lookup,
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
        await ack(response_type="ephemeral", text=str(err))
        return
    await ack()
    me = None
    if parsed.wants_me:
        email = (await profiles.get(client, command["user_id"])).email
        me = await desk.identify(command["user_id"], email)
        if me.technician is None:
            await respond(response_type="ephemeral", text=_not_linked(me.email))
            return
    try:
        query = resolve(
            parsed, await filter_choices(desk, config), now=config.now(), me=me and me.technician
        )
    except UsageError as err:
        await respond(response_type="ephemeral", text=str(err))
        return
    lookup = render_ticket_list(query, desk, config, hint=None if text.strip() else GRAMMAR)
    await reply_with(
        respond, lookup, waiting="Looking up tickets …", patience=config.looking_up_after
    )


async def render_ticket(
    ref: TicketRef, desk: Desk, config: HandlerConfig, *, shareable: bool = True
) -> Card:
    """Ticket `ref.ticket_id` read now with the statuses its select offers (cached), at once;
    when only the statuses fail, the card comes without its select and says so in one line."""
    ticket, statuses = await all_at_once(
        desk.readydesk.get_ticket(ref.ticket_id), settle(desk.readydesk.ticket_statuses())
    )
    if isinstance(statuses, BackendError):
        unread = unread_line({"the statuses for the Status menu": statuses})
        return ticket_card(ticket, config, [], shareable=shareable, unread=unread)
    return ticket_card(ticket, config, statuses, shareable=shareable)


async def read_ticket(ticket_id: int, desk: Desk) -> tuple[Ticket, list[str]]:
    """A ticket and the statuses its card's select offers (cached), read at once."""
    ticket, statuses = await asyncio.gather(
        desk.readydesk.get_ticket(ticket_id), desk.readydesk.ticket_statuses()
    )
    return ticket, statuses


def ticket_card(
    ticket: Ticket,
    config: HandlerConfig,
    statuses: list[str],
    *,
    shareable: bool = True,
    unread: str = "",
) -> Card:
    """A ticket already read, as a card that knows what a live copy of it watches; `unread`
    is a line naming what could not be read."""
    blocks = build_ticket_card(
        ticket, web_url=config.readydesk_web_url, shareable=shareable, statuses=statuses
    )
    if unread:
        blocks.insert(len(blocks) - 1, context(escape_mrkdwn(unread)))
    return Card(
        text=ticket_text(ticket),
        blocks=blocks,
        live=(ticket_key(ticket.ticket_id), ticket_state(ticket)),
    )


async def render_ticket_list(
    query: TicketQuery,
    desk: Desk,
    config: HandlerConfig,
    *,
    hint: str | None = None,
    shareable: bool = True,
) -> Card:
    """One page of a ticket search, read now, as a card."""
    now = config.now()
    result = await search_tickets(
        desk.readydesk, query, page=query.page, page_size=PAGE_SIZE, now=now
    )
    return build_ticket_list_card(
        result, query, described=describe(query), now=now, hint=hint, shareable=shareable
    )


async def filter_choices(desk: Desk, config: HandlerConfig) -> FilterChoices:
    """The values each filter accepts, from ReadyDesk's cached lists."""
    readydesk = desk.readydesk
    statuses, categories, sources, groups, techs = await asyncio.gather(
        readydesk.ticket_statuses(),
        readydesk.ticket_categories(),
        readydesk.ticket_sources(),
        readydesk.tech_groups(),
        readydesk.technicians(),
    )
    return FilterChoices(
        statuses=statuses,
        priorities=config.priorities,
        categories=categories,
        sources=sources,
        groups=[g.name for g in groups],
        techs=[t.uid for t in techs],
    )


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
