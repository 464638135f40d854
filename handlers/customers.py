"""`/customer <words>`: one business across ReadyDesk and Kickserv, found in the directory."""

import asyncio
from datetime import datetime
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from api.business import KICKSERV, READYDESK, Business
from api.desk import Desk
from api.errors import BackendError, NotFound
from api.kickserv import Job, KickservCustomer
from api.readydesk import Customer
from api.readydesk.search import customer_tickets
from cards.common import Card, context, mrkdwn_section
from cards.customers import BusinessView, build_business_card, build_picker_card
from cards.mrkdwn import escape_mrkdwn, truncate
from cards.refs import CustomerRef
from handlers import ids
from handlers.args import usage_text, wants_help
from handlers.config import HandlerConfig
from handlers.reads import combined, settle, unread_line
from handlers.replies import reply_with

SYSTEMS = ("ReadyDesk", "Kickserv")
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
    note, failed = "", []
    if await desk.directory.is_ready():
        businesses = await desk.directory.search(text)
    else:
        found = await desk.directory.search_backends(text)
        businesses, failed, note = found.businesses, found.failed, LOADING_NOTE
    if failed and len(failed) == len(SYSTEMS):
        raise combined(failed)  # neither system could be searched: that is the answer
    if failed:  # the other system's matches, and one line naming the one that failed
        note = f"{failed[0].backend} could not be searched: {failed[0].message} {note}".strip()
    if len(businesses) == 1:
        card = await render_customer(_ref(businesses[0]), desk, config)
        if note:
            card.blocks.insert(len(card.blocks) - 1, context(escape_mrkdwn(note)))
        return card
    if businesses:
        return build_picker_card(text, businesses, note)
    shown = escape_mrkdwn(truncate(text, 80))
    lines = [f"No customer matches `{shown}` in ReadyDesk or in Kickserv."]
    if failed:
        searched = next(s for s in SYSTEMS if s != failed[0].backend)
        lines = [f"No customer matches `{shown}` in {searched}.", escape_mrkdwn(note)]
    elif note:
        lines.append(note)
    return Card(text=lines[0], blocks=[mrkdwn_section("\n".join(lines))])


async def render_customer(
    ref: CustomerRef, desk: Desk, config: HandlerConfig, *, shareable: bool = True
) -> Card:
    """One business read now: both systems' four reads at once; what failed becomes one line."""
    business = await _linked(ref, desk)
    rd_id = business.readydesk.record_key if business and business.readydesk else ref.readydesk_id
    ks_number = (
        int(business.kickserv.record_key) if business and business.kickserv else ref.kickserv_number
    )
    rd, tickets, ks, jobs = await asyncio.gather(
        settle(desk.readydesk.get_customer(rd_id)) if rd_id else _nothing(),
        settle(customer_tickets(desk.readydesk, rd_id, newest=NEWEST_TICKETS))
        if rd_id
        else _nothing(),
        settle(desk.kickserv.get_customer(ks_number)) if ks_number else _nothing(),
        settle(desk.kickserv.list_customer_jobs(ks_number, statuses=ACTIVE_JOB_STATUSES))
        if ks_number
        else _nothing(),
    )
    asked = [r for r in (rd, ks) if r is not None]
    errors = [r for r in asked if isinstance(r, BackendError)]
    if errors and len(errors) == len(asked):  # nothing of the business could be read
        raise errors[0] if len(errors) == 1 else combined(errors)
    view = BusinessView(name=business.name if business else "Customer")
    failed: dict[str, BackendError] = {}
    if isinstance(rd, Customer):
        view.readydesk = rd
        if isinstance(tickets, BackendError):
            failed["ReadyDesk tickets"] = tickets
        elif tickets is not None:
            view.ticket_counts, view.open_tickets = tickets.counts, tickets.newest_open
    if isinstance(ks, KickservCustomer):
        view.kickserv = ks
        if isinstance(jobs, BackendError):
            failed["Kickserv jobs"] = jobs
        elif jobs is not None:
            view.jobs = sorted(jobs, key=_job_order)
    view.failed = [_why(e) for e in (rd, ks) if isinstance(e, BackendError)]
    if failed:
        view.failed.append(unread_line(failed))
    if business and business.linked_by:
        view.linked = (
            f"ReadyDesk {business.readydesk.record_key} and Kickserv "
            f"#{business.kickserv.record_key} are linked: same {business.linked_by}."
        )
    view.name = _display_name(view) or view.name
    return build_business_card(view, timezone=config.timezone, shareable=shareable)


def _job_order(job: Job) -> tuple[bool, datetime | None]:
    return (job.scheduled_on is None, job.scheduled_on or job.created_at)


def _why(error: BackendError) -> str:
    """A system whose record could not be read: its own words for a real "no such record"."""
    if isinstance(error, NotFound):
        return error.message
    return f"{error.backend} could not be read: {error.message}"


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
