"""Reactions that act: the ticket emoji on any message offers a ticket made from it, the assign
emoji on a Deskhand ticket card assigns the ticket to whoever reacted (once per reaction), the
close emoji on one asks whether to close it. The emoji are settings (DESKHAND_REACTION_*)."""

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from api.desk import Desk
from cards import ids
from cards.common import Card
from cards.config import HandlerConfig
from cards.outcomes import NO_TECHNICIAN, already_so, change_notice
from cards.reactions import assigned_text, close_question, ticket_offer, unreadable_text
from cards.refs import read_value
from cards.ticket_form import TicketForm
from handlers.forms import message_text, open_ticket_form, ticket_form_from
from handlers.middleware import writers_for_reactions
from handlers.reacted import (
    Reaction,
    Unreadable,
    read_message,
    redraw_copies,
    tell,
    ticket_on_card,
)
from live.profiles import Profiles
from store import Store


def register(app: AsyncApp) -> None:
    """Attach the reaction listener (its write behind the writers check) and its button."""
    app.event(ids.REACTION_ADDED, middleware=[writers_for_reactions])(on_reaction)
    app.action(ids.CREATE_TICKET_FROM_REACTION)(create_ticket_from_reaction)


async def on_reaction(
    ack: AsyncAck,
    context: AsyncBoltContext,
    client: AsyncWebClient,
    desk: Desk,
    store: Store,
    config: HandlerConfig,
    profiles: Profiles,
) -> None:
    """Read the message reacted to, then act as the emoji says (people only; bots are ignored)."""
    await ack()
    found: tuple[Reaction, str] | None = context["reaction"]  # read by writers_for_reactions
    if found is None or (await profiles.get(client, found[0].user)).is_bot:
        return
    reaction, act = found
    try:
        message = await read_message(client, reaction.item.channel, reaction.item.ts)
    except Unreadable as err:
        why = unreadable_text(err.error, reaction.item.channel, err.needed)
        await tell(client, reaction, Card(text=why))
        return
    if act == "ticket":
        shortcut = {"message": message, "channel": {"id": reaction.item.channel}}
        form = ticket_form_from(*await message_text(client, shortcut, profiles))
        await tell(client, reaction, ticket_offer(form), thread_ts=message.get("thread_ts"))
    elif (ticket_id := ticket_on_card(message, context.bot_user_id)) is None:
        return
    elif act == "close":  # asked (or told it is closed) once per reaction, as a write would be
        notice = already_so(await desk.ticket_as_is(ticket_id), close=True)
        if await store.claim_event(reaction.told_key()):
            await tell(client, reaction, Card(text=notice) if notice else close_question(ticket_id))
    else:
        await _assign(reaction, ticket_id, client, desk, store, config, profiles)


async def _assign(
    reaction: Reaction,
    ticket_id: int,
    client: AsyncWebClient,
    desk: Desk,
    store: Store,
    config: HandlerConfig,
    profiles: Profiles,
) -> None:
    """Assign to me, by reaction: the same write as the card's button, claimed by the reaction."""
    me = await desk.identify(reaction.user, (await profiles.get(client, reaction.user)).email)
    if me.technician is None:
        await tell(client, reaction, Card(text=NO_TECHNICIAN))
        return
    desk.in_flight.keep_running()  # a stop waits for this listener to say how it ended
    summary = f"assign to {me.technician}"
    intent = reaction.intent(ticket_id, summary)
    # Already so (before this reaction): said once per reaction. Once this reaction's write was
    # claimed (another delivery of it), the write path answers: a duplicate, said by the first.
    if await store.claims.get(intent.key) is None and (
        notice := already_so(await desk.ticket_as_is(ticket_id), technician=me.technician)
    ):
        if await store.claim_event(reaction.told_key()):
            await tell(client, reaction, Card(text=notice))
        return
    result = await desk.assign_ticket(intent, ticket_id, me.technician)
    if result.outcome == "duplicate":
        return  # the same reaction again (a redelivery): the first one told
    if result.outcome in ("written", "confirmed"):
        await redraw_copies(desk, store, client, config, ticket_id, reaction.user)
    notice = change_notice(result, ticket_id, summary) or assigned_text(ticket_id, me.technician)
    await tell(client, reaction, Card(text=notice))


async def create_ticket_from_reaction(
    ack: AsyncAck,
    action: dict[str, Any],
    body: dict[str, Any],
    client: AsyncWebClient,
    desk: Desk,
    config: HandlerConfig,
) -> None:
    """Create ticket from this message: the form the Create ticket shortcut opens, prefilled."""
    await ack()
    form = read_value(TicketForm, action.get("value"))
    await open_ticket_form(client, body["trigger_id"], form, desk, config)
