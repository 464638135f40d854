"""Book a visit: a ticket card's button opens the job form for that ticket (the job form's
submit, handlers/new_jobs.py, links the job to the ticket once created)."""

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from api.desk import Desk
from cards import ids
from cards.config import HandlerConfig
from cards.refs import TicketRef, read_value
from handlers.forms import open_job_form
from handlers.middleware import writers_only
from handlers.visit_links import visit_form


def register(app: AsyncApp) -> None:
    """Attach Book a visit (behind the writers check)."""
    app.action(ids.BOOK_VISIT, middleware=[writers_only])(book_visit)


async def book_visit(
    ack: AsyncAck,
    action: dict[str, Any],
    body: dict[str, Any],
    client: AsyncWebClient,
    desk: Desk,
    config: HandlerConfig,
) -> None:
    """The job form, prefilled from the ticket: its Kickserv customer and its subject."""
    await ack()
    ticket_id = read_value(TicketRef, action.get("value")).ticket_id
    web = config.readydesk_web_url
    link = web.replace("{tid}", str(ticket_id)) if web else ""
    channel = (body.get("channel") or {}).get("id", "")
    form, notice = await visit_form(desk, ticket_id, channel, link)
    await open_job_form(client, body["trigger_id"], form, desk, notice)
