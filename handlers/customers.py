"""`/customer <words>`: one business across ReadyDesk and Kickserv, found in the directory."""

import asyncio
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from api.desk import Desk
from api.errors import BackendError
from api.readydesk.search import customer_tickets
from handlers import ids
from handlers.args import usage_text, wants_help
from handlers.cards.common import Card, context, mrkdwn_section
from handlers.cards.customers import BusinessView, build_business_card, build_picker_card
from handlers.config import HandlerConfig
from handlers.mrkdwn import escape_mrkdwn, truncate
from handlers.refs import CustomerRef
from handlers.replies import reply_with
from store.directory import KICKSERV, READYDESK, Business

ACTIVE_JOB_STATUSES = ("in_progress", "scheduled", "on_hold")
NEWEST_TICKETS = 5
LOADING_NOTE = (
    "The customer directory is still loading: only exact ReadyDesk IDs and Kickserv names "
    "were searched."
)


def register(app: AsyncApp) -> None:
    """Attach the customer listeners."""
    app.command(ids.CUSTOMER_COMMAND)(find_customer)


async def find_customer(
    ack: AsyncAck,
    command: dict[str, Any],
    respond: AsyncRespond,
    desk: Desk,
    config: HandlerConfig,
) -> None:
    """`/customer acme`: the business's card, a picker when several match, or who had none."""
    text = command.get("text", "").strip()
    if not text or wants_help(text):
        await ack(response_type="ephemeral", text=usage_text("customer"))
        return
    await ack()
    await reply_with(
        respond,
        _search(text, desk, config),
        waiting=f"Looking up {truncate(text, 40)} …",
        patience=config.looking_up_after,
    )


async def _search(text: str, desk: Desk, config: HandlerConfig) -> Card:
    assert desk.directory is not None
    note = ""
    if await desk.directory.is_ready():
        businesses = await desk.directory.search(text)
    else:
        businesses, note = await desk.directory.search_backends(text), LOADING_NOTE
    if len(businesses) == 1:
        card = await render_customer(_ref(businesses[0]), desk, config)
        if note:
            card.blocks.insert(len(card.blocks) - 1, context(escape_mrkdwn(note)))
        return card
    if businesses:
        return build_picker_card(text, businesses, note)
    shown = escape_mrkdwn(truncate(text, 80))
    lines = [f"No customer matches `{shown}` in ReadyDesk or in Kickserv."]
    if note:
        lines.append(note)
    return Card(text=lines[0], blocks=[mrkdwn_section("\n".join(lines))])


async def render_customer(
    ref: CustomerRef, desk: Desk, config: HandlerConfig, *, shareable: bool = True
) -> Card:
    """One business read now from both systems at once; a failing system becomes one line."""
    business = await _linked(ref, desk)
    rd_id = business.readydesk.record_key if business and business.readydesk else ref.readydesk_id
    ks_number = (
        int(business.kickserv.record_key) if business and business.kickserv else ref.kickserv_number
    )
    view = BusinessView(name=business.name if business else "Customer")
    parts = await asyncio.gather(
        _readydesk_part(rd_id, desk, view) if rd_id else _nothing(),
        _kickserv_part(ks_number, desk, view) if ks_number else _nothing(),
        return_exceptions=True,
    )
    errors = [p for p in parts if isinstance(p, BaseException)]
    for error in errors:
        if not isinstance(error, BackendError):
            raise error
    if errors and view.readydesk is None and view.kickserv is None:
        raise errors[0]
    view.failed = [f"{e.backend} could not be read: {e.message}" for e in errors]
    if business and business.linked_by:
        view.linked = (
            f"ReadyDesk {business.readydesk.record_key} and Kickserv "
            f"#{business.kickserv.record_key} are linked: same {business.linked_by}."
        )
    view.name = _display_name(view) or view.name
    return build_business_card(view, timezone=config.timezone, shareable=shareable)


async def _readydesk_part(customer_id: str, desk: Desk, view: BusinessView) -> None:
    customer, tickets = await asyncio.gather(
        desk.readydesk.get_customer(customer_id),
        customer_tickets(desk.readydesk, customer_id, newest=NEWEST_TICKETS),
    )
    view.readydesk = customer
    view.ticket_counts = tickets.counts
    view.open_tickets = tickets.newest_open


async def _kickserv_part(number: int, desk: Desk, view: BusinessView) -> None:
    customer, jobs = await asyncio.gather(
        desk.kickserv.get_customer(number),
        desk.kickserv.list_customer_jobs(number, statuses=ACTIVE_JOB_STATUSES),
    )
    view.kickserv = customer
    view.jobs = sorted(jobs, key=lambda j: (j.scheduled_on is None, j.scheduled_on or j.created_at))


async def _linked(ref: CustomerRef, desk: Desk) -> Business | None:
    if desk.directory is None:
        return None
    if ref.readydesk_id:
        return await desk.directory.business(READYDESK, ref.readydesk_id)
    if ref.kickserv_number:
        return await desk.directory.business(KICKSERV, str(ref.kickserv_number))
    return None


def _display_name(view: BusinessView) -> str:
    if view.readydesk and (view.readydesk.company_name or view.readydesk.contact):
        return view.readydesk.company_name or view.readydesk.contact
    if view.kickserv:
        return view.kickserv.name
    return ""


def _ref(business: Business) -> CustomerRef:
    return CustomerRef(
        readydesk_id=business.readydesk.record_key if business.readydesk else None,
        kickserv_number=int(business.kickserv.record_key) if business.kickserv else None,
    )


async def _nothing() -> None:
    return None
