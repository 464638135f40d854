"""Channel alerts: each poll posts the new tickets that match a channel's watch, once.

Neither backend has webhooks, so Deskhand polls: one call finds the newest ticket number, then each
watch with something new asks ReadyDesk for its matches past its cursor (`start_tid`). The first
poll of a watch only sets its cursor, so nothing old is posted. Each (watch, ticket, "new") is
claimed before posting; more than a few at once become one summary instead of a flood.
"""

import asyncio
import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from api.desk import Desk
from api.readydesk import Ticket
from handlers.cards.common import mrkdwn_section
from handlers.cards.tickets import build_ticket_card, ticket_text
from handlers.config import HandlerConfig
from handlers.mrkdwn import escape_mrkdwn, truncate
from handlers.refs import TicketQuery
from store import Store
from store.alerts import Watch

logger = logging.getLogger("deskhand.alerts")

CHANNEL_GONE = {"not_in_channel", "channel_not_found", "is_archived", "account_inactive"}
BURST = 5  # more new matches than this in one poll become one summary message
PAGE = 100  # matches read per watch per poll; the cursor moves past the ones read


async def poll_once(store: Store, desk: Desk, client: AsyncWebClient, config: HandlerConfig,
                    *, burst: int = BURST) -> list[str]:  # fmt: skip
    """One poll of every active watch; what happened to each."""
    watches = [w for w in await asyncio.to_thread(store.alerts.active) if w.kind == "tickets"]
    if not watches:
        return []
    newest = await desk.readydesk.get_tickets(count=1, page=1, order="tid", order_direction="DESC")
    top = newest[0].ticket_id if isinstance(newest, list) and newest else 0
    lines = []
    for watch in watches:
        if watch.cursor is None:
            await asyncio.to_thread(store.alerts.advance, watch.id, top)
            lines.append(f"#{watch.id}: baseline at ticket {top}")
        elif top > watch.cursor:
            lines.append(await _new_tickets(watch, top, store, desk, client, config, burst))
    return lines


async def _new_tickets(watch: Watch, top: int, store: Store, desk: Desk, client: AsyncWebClient,
                       config: HandlerConfig, burst: int) -> str:  # fmt: skip
    assert watch.cursor is not None
    search = TicketQuery.model_validate_json(watch.filters or "{}")
    found = await desk.readydesk.get_tickets(
        start_tid=watch.cursor + 1, end_tid=top, count=PAGE, page=1, order="tid",
        order_direction="ASC", **search.variables(),
    )  # fmt: skip
    assert isinstance(found, list)
    mine = []
    for ticket in found:  # claimed one by one: another process may be posting some of them
        if await asyncio.to_thread(store.alerts.claim, watch.id, str(ticket.ticket_id), "new"):
            mine.append(ticket)
    cursor = found[-1].ticket_id if len(found) == PAGE else top
    try:
        await _post(watch, mine, client, config, burst)
    except SlackApiError as err:
        error = str(err.response.get("error"))
        if error not in CHANNEL_GONE:
            raise
        await asyncio.to_thread(store.alerts.set_paused, watch.id, True, error)
        await _tell_creator(watch, client, error)
        return f"#{watch.id}: paused ({error})"
    await asyncio.to_thread(store.alerts.advance, watch.id, cursor)
    return f"#{watch.id}: {len(mine)} new"


async def _post(watch: Watch, tickets: list[Ticket], client: AsyncWebClient,
                config: HandlerConfig, burst: int) -> None:  # fmt: skip
    if len(tickets) > burst:
        lines = [f"• *#{t.ticket_id}* {escape_mrkdwn(truncate(t.subject or '(no subject)', 80))}"
                 f" · {escape_mrkdwn(t.status)}" for t in tickets[:40]]  # fmt: skip
        text = f"*{len(tickets)} new tickets* match watch #{watch.id}:\n" + "\n".join(lines)
        await client.chat_postMessage(channel=watch.channel_id, text=f"{len(tickets)} new tickets",
                                      blocks=[mrkdwn_section(text).to_dict()])  # fmt: skip
        return
    for ticket in tickets:
        blocks = build_ticket_card(ticket, web_url=config.readydesk_web_url, shareable=False)
        await client.chat_postMessage(channel=watch.channel_id, text=ticket_text(ticket),
                                      blocks=[b.to_dict() for b in blocks])  # fmt: skip


async def _tell_creator(watch: Watch, client: AsyncWebClient, error: str) -> None:
    try:
        await client.chat_postMessage(channel=watch.created_by, text=(
            f"Your ticket watch #{watch.id} in <#{watch.channel_id}> is paused: Slack said "
            f"`{error}`. Invite Deskhand to the channel, then watch again there."))  # fmt: skip
    except SlackApiError as err:
        logger.warning("watch #%s: could not tell its creator: %s", watch.id,
                       err.response.get("error"))  # fmt: skip
