"""Message shortcuts: Add as note, Create ticket, Create job, each opening its form prefilled
with the message's text and a link back to the message."""

import asyncio
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from api.desk import Desk
from cards.job_form import JobForm
from cards.modals import note_modal
from cards.mrkdwn import truncate
from cards.refs import NoteTarget
from cards.ticket_form import TicketForm
from handlers import ids, new_jobs, new_tickets
from handlers.args import unescape
from handlers.config import HandlerConfig

PERMALINK_WAIT = 1.0  # the modal must open within the trigger's 3 seconds, link or not


def register(app: AsyncApp) -> None:
    """Attach the message shortcuts."""
    app.shortcut(ids.ADD_AS_NOTE)(add_as_note)
    app.shortcut(ids.CREATE_TICKET_FROM_MESSAGE)(create_ticket_from_message)
    app.shortcut(ids.CREATE_JOB_FROM_MESSAGE)(create_job_from_message)


async def add_as_note(ack: AsyncAck, shortcut: dict[str, Any], client: AsyncWebClient) -> None:
    """Add as note: the note form with the message and its link; the form asks where it goes."""
    await ack()
    text, channel = await _message_text(client, shortcut)
    target = NoteTarget(kind="pick", channel_id=channel, text=text)
    await client.views_open(trigger_id=shortcut["trigger_id"], view=note_modal(target))


async def create_ticket_from_message(
    ack: AsyncAck,
    shortcut: dict[str, Any],
    client: AsyncWebClient,
    desk: Desk,
    config: HandlerConfig,
) -> None:
    """Create ticket: the subject from the message's first line, the message as description."""
    await ack()
    text, channel = await _message_text(client, shortcut)
    first_line = text.strip().splitlines()[0] if text.strip() else ""
    form = TicketForm(channel_id=channel, subject=truncate(first_line, 120), description=text)
    await new_tickets.open_ticket_form(client, shortcut["trigger_id"], form, desk, config)


async def create_job_from_message(
    ack: AsyncAck, shortcut: dict[str, Any], client: AsyncWebClient, desk: Desk
) -> None:
    """Create job: the message as the job's description."""
    await ack()
    text, channel = await _message_text(client, shortcut)
    await new_jobs.open_job_form(
        client, shortcut["trigger_id"], JobForm(channel_id=channel, description=text), desk
    )


async def _message_text(client: AsyncWebClient, shortcut: dict[str, Any]) -> tuple[str, str]:
    """The message's text as people read it, and a link to it (when Slack gives one quickly)."""
    message = shortcut.get("message") or {}
    channel = (shortcut.get("channel") or {}).get("id", "")
    text = unescape(message.get("text", ""))
    try:
        reply = await asyncio.wait_for(
            client.chat_getPermalink(channel=channel, message_ts=message.get("ts", "")),
            PERMALINK_WAIT,
        )
        link = reply.get("permalink")
    except (SlackApiError, TimeoutError):
        link = None
    return (f"{text}\n{link}" if link else text), channel
