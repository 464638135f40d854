"""Visits with nobody waiting: the poll that notes on a ticket each linked job completed,
cancelled or moved (every linked job not done yet is read, whether or not a watch covers it),
and the sweep that writes the visit notes not written yet. A visit done is also said in the
thread of each live card of its ticket, with Close ticket, and every change of a visit is
redrawn on those cards (their live state is the ticket's own, so the card poll would not)."""

import logging
from datetime import datetime

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from api.desk import Desk
from api.errors import BackendError
from api.visits import BOOKING_NOTES, OwedNote
from cards.config import HandlerConfig, utc_now
from cards.live import ticket_key
from cards.visits import visit_done_reply
from live.registry import redraw_cards, reply_under_cards
from store import Store

logger = logging.getLogger("deskhand.visits")


async def poll_visits(
    desk: Desk, store: Store, slack: AsyncWebClient, now: datetime, *, config: HandlerConfig
) -> list[str]:
    """Read every linked job not done yet; note each change on its ticket once (across
    processes) and offer Close under the ticket's live cards when a visit is done."""
    try:
        # Retries of these notes run on real time, as the sweeper does, whatever `now` says.
        poll = await desk.field.check_visits(config.timezone, utc_now())
    except BackendError as err:
        return [f"visits: unreadable ({err.message}); next poll"]
    await _tell(poll.owed, store, slack, config, now)
    lines = [f"visits: {poll.read} linked jobs read, {len(poll.owed)} noted"] if poll.read else []
    changes: dict[int, list[str]] = {}  # by ticket: one read and one redraw for all its visits
    for ticket_id, change in poll.changed:
        changes.setdefault(ticket_id, []).append(change)
    for ticket_id, of_ticket in changes.items():  # the card above the thread reply shows it too
        try:
            tag = " ".join(sorted(of_ticket))  # the same in every process that saw them
            await redraw_cards(ticket_key(ticket_id), tag, desk, store, slack, config)
        except BackendError as err:
            lines.append(f"ticket #{ticket_id}: its cards not redrawn ({err.message})")
    return lines


async def sweep_visit_notes(
    desk: Desk, store: Store, slack: AsyncWebClient, now: datetime, *, config: HandlerConfig
) -> list[str]:
    """Write the visit notes whose earlier try did not write them; each one written is said
    (to its booker, or under the ticket's live cards for a visit done)."""
    written = await desk.field.write_owed_notes(now)
    await _tell(written, store, slack, config, now)
    return [f"visit note {n.intent_key}: written" for n in written]


async def _tell(
    written: list[OwedNote],
    store: Store,
    slack: AsyncWebClient,
    config: HandlerConfig,
    now: datetime,
) -> None:
    for note in written:
        if note.offer_close:
            text, blocks = visit_done_reply(note.ticket_id, note.text)
            since = config.instant() - config.live_for
            await reply_under_cards(slack, store, ticket_key(note.ticket_id), since, text, blocks)
        elif note.tries and note.intent_key.endswith(BOOKING_NOTES):  # told it was pending
            await _dm(slack, note)


async def _dm(slack: AsyncWebClient, note: OwedNote) -> None:
    where = f"ticket #{note.ticket_id}" if note.kind == "ticket" else f"job {note.job_number}"
    text = f"The pending note on {where} for the visit (job {note.job_number}) is now written."
    try:
        await slack.chat_postMessage(channel=note.user_id, text=text)
    except SlackApiError as err:
        logger.warning("could not tell %s: %s", note.user_id, err.response.get("error"))
