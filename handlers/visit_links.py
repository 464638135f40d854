"""Book a visit's job form: prefilled from the ticket when it opens, and, once the job exists,
linked to the ticket (the desk links them and writes the two notes once each)."""

import asyncio
import logging
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from api.business import KICKSERV
from api.desk import Desk
from api.errors import BackendError
from api.identity import Profile
from api.job_writes import JobCreation
from api.visits import Booking, visit_description
from cards.config import HandlerConfig, utc_now
from cards.job_form import JobForm
from cards.live import ticket_key
from cards.mrkdwn import escape_mrkdwn, truncate
from cards.outcomes import visit_pending_text
from handlers.form_values import customer_label, customer_value
from handlers.forms import PREFILL_WAIT
from live.registry import redraw_cards
from store import Store

logger = logging.getLogger("deskhand.visits")


async def visit_form(desk: Desk, ticket_id: int, channel_id: str, link: str) -> tuple[JobForm, str]:
    """The job form for a ticket's visit: the Kickserv customer the ticket's customer is linked
    to chosen, else the ticket's customer named in a line (mrkdwn); the description says which
    ticket, with its `link`."""
    try:
        ticket, customer = await asyncio.wait_for(
            desk.field.visit_customer(ticket_id), PREFILL_WAIT
        )
    except (TimeoutError, BackendError) as err:
        why = err.message if isinstance(err, BackendError) else "it took too long"
        form = JobForm(
            channel_id=channel_id,
            description=visit_description(ticket_id, "", link),
            ticket_id=ticket_id,
        )
        return (
            form,
            f"Ticket #{ticket_id} could not be read ({escape_mrkdwn(why)}): choose the customer.",
        )
    form = JobForm(
        channel_id=channel_id,
        description=visit_description(ticket_id, ticket.subject, link),
        ticket_id=ticket_id,
        ticket_subject=truncate(ticket.subject, 200),
    )
    if customer is not None:
        label, value = customer_label(customer), customer_value(KICKSERV, customer.record_key)
        return form.model_copy(update={"customer_value": value, "customer_label": label}), ""
    named = ticket.company_name or ticket.contact or ticket.customer_id or "this ticket's customer"
    form = form.model_copy(update={"customer_hint": truncate(named, 100)})
    shown = escape_mrkdwn(truncate(named, 60))
    return form, f"“{shown}” has no Kickserv customer linked: choose one (type the name)."


async def keep_visit(
    desk: Desk, config: HandlerConfig, form: JobForm, user_id: str, author: Profile, key: str
) -> None:
    """Before the form's job is created: keep its booking, which the sweep links should this
    process stop before it does (`key`: the job's write)."""
    await desk.field.keep_booking(key, _booking(config, form, user_id, author), utc_now())


def _booking(
    config: HandlerConfig, form: JobForm, user_id: str, author: Profile, **job: Any
) -> Booking:
    web = config.readydesk_web_url
    return Booking(
        ticket_id=form.ticket_id,
        subject=form.ticket_subject,
        ticket_link=web.replace("{tid}", str(form.ticket_id)) if web else "",
        job_number=job.get("job_number", 0),
        job=job.get("job"),
        crew=job.get("crew", []),
        user_id=user_id,
        author=author,
        timezone=config.timezone,
    )


async def book_visit(
    desk: Desk,
    store: Store,
    client: AsyncWebClient,
    config: HandlerConfig,
    form: JobForm,
    created: JobCreation,
    employee: str | None,
    user_id: str,
    author: Profile,
    intent_key: str,
) -> str:
    """Link the created job to the form's ticket and write its notes; the line (mrkdwn) that
    says so, and which note is still pending; the ticket's live cards redrawn. A job not
    confirmed yet is linked (its booking kept by `keep_visit`) once it is."""
    if created.result.reference is None:
        return f"Once it is confirmed, Deskhand links it to ticket #{form.ticket_id}."
    crew = []
    if employee and created.job is not None and created.unassigned is None:
        try:
            crew = [e.name for e in await desk.employees() if str(e.global_id) == employee]
        except BackendError:
            crew = []
    number = int(created.result.reference)
    booking = _booking(config, form, user_id, author, job_number=number, job=created.job, crew=crew)
    try:
        pending = await desk.field.book_visit(booking, utc_now())  # retries run on real time
        await desk.field.booking_settled(intent_key, utc_now())
    except Exception:  # the job exists: say so, never "try again" (that makes a second job)
        logger.exception("ticket #%s, job %s: not linked at once", form.ticket_id, number)
        return f"Deskhand links it to ticket #{form.ticket_id} shortly (it could not at once)."
    change = f"visit:{booking.job_number}:booked"
    try:  # the ticket's cards in channels list the visit now (each card once)
        await redraw_cards(ticket_key(form.ticket_id), change, desk, store, client, config)
    except BackendError as err:
        logger.info("ticket #%s: its live cards not redrawn: %s", form.ticket_id, err)
    return visit_pending_text(form.ticket_id, booking.job_number, [n.kind for n in pending])
