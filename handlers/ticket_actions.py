"""The ticket card's writes: Assign to me, Status and Close, each once per press.

The intent is the action, the message it was pressed on and the user (and, for Status, the
status chosen): a second press of the same button on the same card says "already done". After a
write the card is read again and redrawn in place, and its copies in channels (live cards) are
updated at once with a thread reply naming who changed it.
"""

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from api.desk import Desk
from api.errors import BackendError
from api.writes import Intent, WriteResult
from cards import ids
from cards.common import Card
from cards.config import HandlerConfig
from cards.mrkdwn import escape_mrkdwn
from cards.outcomes import NO_TECHNICIAN, already_so, change_notice
from cards.refs import TicketRef, chosen_option, read_value, ticket_of_block
from cards.tickets import card_for
from cards.visits import VISIT_DONE, visit_closed_reply
from handlers.middleware import writers_only
from live.posted import drawn_for_pressed
from live.profiles import Profiles
from live.registry import card_changed
from store import Store


def register(app: AsyncApp) -> None:
    """Attach the ticket card's write buttons, behind the writers check."""
    app.action(ids.TICKET_ASSIGN_ME, middleware=[writers_only])(assign_to_me)
    app.action(ids.TICKET_SET_STATUS, middleware=[writers_only])(set_status)
    app.action(ids.TICKET_CLOSE, middleware=[writers_only])(close_ticket)


async def assign_to_me(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    desk: Desk,
    store: Store,
    config: HandlerConfig,
    profiles: Profiles,
) -> None:
    """Assign the ticket to the presser's technician (linked, or matched by email)."""
    await ack()
    ref = read_value(TicketRef, action.get("value"))
    email = (await profiles.get(client, body["user"]["id"])).email
    me = await desk.identify(body["user"]["id"], email)
    if me.technician is None:
        await respond(response_type="ephemeral", replace_original=False, text=NO_TECHNICIAN)
        return
    desk.in_flight.keep_running()  # a stop waits for this listener to redraw the card
    ticket = await desk.ticket_as_is(ref.ticket_id)
    if notice := already_so(ticket, technician=me.technician):
        await _tell(respond, notice)
        await _redraw(body, respond, client, desk, store, config, ref.ticket_id, changed=False)
        return
    summary = f"assign to {me.technician}"
    intent = _intent(body, action, ref.ticket_id, summary)
    result = await desk.assign_ticket(intent, ref.ticket_id, me.technician)
    await _show(result, body, respond, client, desk, store, config, ref.ticket_id, summary)


async def set_status(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    desk: Desk,
    store: Store,
    config: HandlerConfig,
) -> None:
    """The Status select: set the chosen status."""
    await ack()
    desk.in_flight.keep_running()
    ticket_id = ticket_of_block(action.get("block_id")).ticket_id
    status = chosen_option(action)
    summary = f"status {status}"
    intent = _intent(body, action, ticket_id, summary, choice=status)
    result = await desk.set_ticket_status(intent, ticket_id, status)
    await _show(result, body, respond, client, desk, store, config, ticket_id, summary)


async def close_ticket(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    desk: Desk,
    store: Store,
    config: HandlerConfig,
) -> None:
    """Close: close the ticket now."""
    await ack()
    desk.in_flight.keep_running()
    ref = read_value(TicketRef, action.get("value"))
    user_id = body["user"]["id"]
    if notice := already_so(await desk.ticket_as_is(ref.ticket_id), close=True):
        await _tell(respond, notice)
        shown = _under_visit_done(body, action, ref.ticket_id, None)
        await _redraw(
            body, respond, client, desk, store, config, ref.ticket_id, shown, changed=False
        )
        return
    intent = _intent(body, action, ref.ticket_id, "close")
    result = await desk.close_ticket(intent, ref.ticket_id, config.now())
    shown = _under_visit_done(body, action, ref.ticket_id, user_id)
    await _show(result, body, respond, client, desk, store, config, ref.ticket_id, "close", shown)


def _under_visit_done(
    body: dict[str, Any], action: dict[str, Any], ticket_id: int, closer: str | None
) -> Card | None:
    """Pressed under a visit done's thread reply: that reply, keeping its note, says the
    ticket is closed (by `closer`); None for a press on a card."""
    if not str(action.get("block_id", "")).startswith(VISIT_DONE):
        return None
    note = ((body.get("message") or {}).get("blocks") or [{}])[0].get("text") or {}
    return visit_closed_reply(note.get("text", ""), ticket_id, closer)


def _intent(
    body: dict[str, Any], action: dict[str, Any], ticket_id: int, summary: str, choice: str = ""
) -> Intent:
    """The press as an intent: the action, the message and the user (and the status chosen)."""
    user_id = body["user"]["id"]
    message_ts = (body.get("container") or {}).get("message_ts", "")
    return Intent(
        key=":".join(p for p in (action["action_id"], message_ts, user_id, choice) if p),
        action=f"ticket.{action['action_id'].removeprefix('ticket_')}",
        user_id=user_id,
        channel_id=(body.get("channel") or {}).get("id", ""),
        target=f"ticket #{ticket_id}",
        summary=summary,
        response_url=body.get("response_url", ""),
    )


async def _show(
    result: WriteResult,
    body: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    desk: Desk,
    store: Store,
    config: HandlerConfig,
    ticket_id: int,
    summary: str,
    shown: Card | None = None,
) -> None:
    """Say how the change ended; when it was made, redraw the card (or show `shown` in its
    place) and its channel copies."""
    if notice := change_notice(result, ticket_id, summary):
        await _tell(respond, notice)
    if result.outcome in ("written", "confirmed", "duplicate"):
        await _redraw(body, respond, client, desk, store, config, ticket_id, shown)


async def _tell(respond: AsyncRespond, notice: str) -> None:
    """A word to the presser alone, under the card."""
    await respond(response_type="ephemeral", replace_original=False, text=notice)


async def _redraw(
    body: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    desk: Desk,
    store: Store,
    config: HandlerConfig,
    ticket_id: int,
    shown: Card | None = None,
    *,
    changed: bool = True,
) -> None:
    """The card read again and drawn in place (or `shown` there), and its channel copies;
    `changed`: whether this press changed the ticket (what a failed redraw says)."""
    try:
        view = await desk.ticket(ticket_id, config.callbacks)  # the read `/ticket N` makes
    except BackendError as err:  # say why the card is old (and that the change was made)
        lead = f"Done on ticket #{ticket_id}, but the" if changed else "The"
        why = escape_mrkdwn(err.message)
        await _tell(respond, f"{lead} card could not be redrawn: {why} Press Refresh later.")
        return
    card = card_for(view, config)  # built as `/ticket N` builds it
    copies = card_for(view, config, shareable=False)  # as channels show it
    pressed = shown or await drawn_for_pressed(body, store, card, copies)
    await respond(replace_original=True, **pressed.message())
    await card_changed(copies, body["user"]["id"], store, desk, client, config)
