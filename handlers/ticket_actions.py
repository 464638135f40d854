"""The ticket card's writes: Assign to me, Status and Close, each once per press.

The intent is the action, the message it was pressed on and the user (and, for Status, the
status chosen): a second press of the same button on the same card says "already done". After a
write the card is read again and redrawn in place, and its copies in channels (live cards) are
updated at once with a thread reply naming who changed it.
"""

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from api.desk import Desk
from api.errors import BackendError
from api.writes import Intent, WritePlan, keep_running, write_once
from cards.mrkdwn import escape_mrkdwn
from cards.refs import TicketRef
from cards.tickets import ticket_card
from handlers import ids
from handlers.compat import read_ticket
from handlers.config import HandlerConfig
from handlers.identity import Identities
from handlers.middleware import writers_only
from store import Store
from workers.live import card_changed


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
    identities: Identities,
) -> None:
    """Assign the ticket to the presser's technician (linked, or matched by email)."""
    await ack()
    ref = TicketRef.model_validate_json(action["value"])
    me = await identities.identify(client, body["user"]["id"], desk, store)
    if me.technician is None:
        await respond(
            response_type="ephemeral",
            replace_original=False,
            text=(
                "Deskhand does not know which ReadyDesk technician you are. An admin can link you: "
                f"`{ids.DESKHAND_COMMAND} link @you tech:<technician ID>`."
            ),
        )
        return
    tech = me.technician

    async def write() -> str:
        return str(await desk.readydesk.update_ticket(ref.ticket_id, assigned_to=tech))

    await _change(
        body,
        action,
        respond,
        client,
        desk,
        store,
        config,
        ref.ticket_id,
        f"assign to {tech}",
        write,
        expect={"assigned_to": tech},
    )


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
    ticket_id = int(body["actions"][0]["block_id"].removeprefix("ticket_"))
    status = action["selected_option"]["value"]

    async def write() -> str:
        return str(await desk.readydesk.update_ticket(ticket_id, status=status))

    await _change(
        body,
        action,
        respond,
        client,
        desk,
        store,
        config,
        ticket_id,
        f"status {status}",
        write,
        choice=status,
        expect={"status": status},
    )


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
    ref = TicketRef.model_validate_json(action["value"])

    async def write() -> str:
        return str(await desk.readydesk.close_ticket(ref.ticket_id))

    await _change(
        body,
        action,
        respond,
        client,
        desk,
        store,
        config,
        ref.ticket_id,
        "close",
        write,
        expect={"status": "Closed"},
    )


async def _change(
    body: dict[str, Any],
    action: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    desk: Desk,
    store: Store,
    config: HandlerConfig,
    ticket_id: int,
    summary: str,
    write: Callable[[], Awaitable[str]],
    choice: str = "",
    expect: dict[str, str] | None = None,
) -> None:
    keep_running()  # a stop waits for this listener to redraw the card
    user_id = body["user"]["id"]
    message_ts = (body.get("container") or {}).get("message_ts", "")
    intent = Intent(
        key=":".join(p for p in (action["action_id"], message_ts, user_id, choice) if p),
        action=f"ticket.{action['action_id'].removeprefix('ticket_')}",
        user_id=user_id,
        channel_id=(body.get("channel") or {}).get("id", ""),
        target=f"ticket #{ticket_id}",
        summary=summary,
        plan=WritePlan(
            check="ticket_fields",
            target=str(ticket_id),
            fields=expect or {},
            label=f"{summary} on ticket #{ticket_id}",
            response_url=body.get("response_url", ""),
        ),
    )
    result = await write_once(store, intent, write, read_back=desk.find_write)
    where = f"ticket #{ticket_id}"
    reason = escape_mrkdwn(result.error.message) if result.error else ""
    checked = " Deskhand checked: the ticket is unchanged." if result.checked else ""
    notice = {
        "failed": f"*Not changed* on {where}. {reason}{checked}",
        "unknown": f"*Could not confirm* the change to {where}: {reason} Refresh the card to see.",
        "duplicate": f"Already done on {where} ({escape_mrkdwn(summary)}).",
        "confirmed": f"Done on {where}, confirmed after a slow reply.",
    }.get(result.outcome)
    if notice:
        await respond(response_type="ephemeral", replace_original=False, text=notice)
    if result.outcome in ("written", "confirmed", "duplicate"):
        try:
            ticket, statuses = await read_ticket(ticket_id, desk)
        except BackendError as err:  # the change was made: say so, and why the card is old
            await respond(
                response_type="ephemeral",
                replace_original=False,
                text=(
                    f"Done on {where}, but the card could not be redrawn: "
                    f"{escape_mrkdwn(err.message)} Press Refresh later."
                ),
            )
            return
        await respond(replace_original=True, **ticket_card(ticket, config, statuses).message())
        copies = ticket_card(ticket, config, statuses, shareable=False)  # as channels show it
        await card_changed(copies, user_id, store, desk, client, config)
