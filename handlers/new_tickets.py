"""Creating ReadyDesk tickets from Slack: `/ticket new` and the Create ticket message shortcut
open the form at once (the categories fill in when ReadyDesk answers); its submit writes once,
through the desk."""

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from api.business import READYDESK
from api.callbacks import Visit
from api.desk import Desk
from api.errors import BackendError, InvalidRequest
from api.ticket_writes import NewTicket
from api.writes import WriteResult
from cards import ids
from cards.callbacks import callback_text
from cards.config import HandlerConfig
from cards.mrkdwn import escape_mrkdwn
from cards.outcomes import unconfirmed_text
from cards.refs import view_state
from cards.ticket_form import (
    CATEGORY,
    CUSTOMER,
    DESCRIPTION,
    PRIORITY,
    SUBJECT,
    TicketForm,
    ticket_modal,
    ticket_result_view,
)
from cards.tickets import card_for
from handlers.form_values import ticket_form_values, ticket_problems
from handlers.forms import (
    chosen_customer,
    creation_intent,
    message_text,
    open_ticket_form,
    submit_creation,
    ticket_form_from,
)
from handlers.middleware import writers_only
from live.profiles import Profiles
from store import Store

logger = logging.getLogger("deskhand.tickets")
_FIELDS = {
    "cid": CUSTOMER,
    "subject": SUBJECT,
    "description": DESCRIPTION,
    "category": CATEGORY,
    "priority": PRIORITY,
}


def register(app: AsyncApp) -> None:
    """Attach the form's submit (behind the writers check), Try again and the shortcut."""
    app.view(ids.TICKET_MODAL, middleware=[writers_only])(submit_ticket)
    app.action(ids.TICKET_TRY_AGAIN)(try_ticket_again)
    app.shortcut(ids.CREATE_TICKET_FROM_MESSAGE)(create_ticket_from_message)


async def create_ticket_from_message(
    ack: AsyncAck,
    shortcut: dict[str, Any],
    client: AsyncWebClient,
    desk: Desk,
    config: HandlerConfig,
    profiles: Profiles,
) -> None:
    """Create ticket: the subject from the message's first line, the message as description."""
    await ack()
    form = ticket_form_from(*await message_text(client, shortcut, profiles))
    await open_ticket_form(client, shortcut["trigger_id"], form, desk, config)


async def submit_ticket(
    ack: Any,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    desk: Desk,
    store: Store,
    profiles: Profiles,
    config: HandlerConfig,
) -> None:
    """Create the ticket once (the view id is the intent); refusals stay on their fields."""
    desk.in_flight.keep_running()  # a stop waits for this listener to show the outcome
    form = ticket_form_values(view)
    user_id = body["user"]["id"]
    errors = ticket_problems(form)
    if errors:
        await ack(response_action="errors", errors=errors)
        return

    found: dict[int, Visit | None] = {}  # the new ticket's possible callback, for the outcome

    async def create(key: str) -> WriteResult:
        customer = await chosen_customer(desk, READYDESK, form.customer_value, "cid")
        if isinstance(customer, WriteResult):
            return customer
        author = await profiles.get(client, user_id)
        ticket = NewTicket(
            customer.record_key, form.subject, form.description, form.category, form.priority
        )
        intent = creation_intent(
            key, "ticket.create", user_id, form.channel_id, customer.record_key, form.subject
        )
        result = await desk.create_ticket(intent, ticket, author)
        if result.outcome in ("written", "confirmed") and result.reference:
            tid = int(result.reference)
            found[tid] = await _show_card(client, desk, config, form.channel_id, user_id, tid)
        return result

    await submit_creation(
        ack,
        client,
        view,
        store,
        user_id,
        create,
        saving=ticket_result_view("Saving…", "Creating …"),
        outcome_view=lambda result: _outcome_view(result, form, found, config.timezone),
        field_errors=_field_errors,
    )


async def _show_card(
    client: AsyncWebClient, desk: Desk, config: HandlerConfig, channel: str, user: str, tid: int
) -> Visit | None:
    """The new ticket's card for its creator (in `channel`, when the form came from one), read
    and built as `/ticket N` does; the visit it may be a callback about. The ticket exists
    whatever happens here, so a failure is logged and the form still says it was created
    (never "not created")."""
    try:
        view = await desk.ticket(tid, config.callbacks)
        if channel:
            card = card_for(view, config)
            await client.chat_postEphemeral(channel=channel, user=user, **card.message())
        return view.callback
    except (BackendError, SlackApiError) as err:
        logger.info("ticket #%s was created; its card could not be shown: %s", tid, err)
        return None


def _field_errors(err: InvalidRequest) -> dict[str, str]:
    return {_FIELDS[f]: m[:2000] for f, m in err.field_errors.items() if f in _FIELDS}


def _outcome_view(
    result: WriteResult, form: TicketForm, found: dict[int, Visit | None], timezone: str
) -> View:
    if result.outcome in ("written", "confirmed", "duplicate") and result.reference:
        slow = " (confirmed after a slow reply)" if result.outcome == "confirmed" else ""
        said = f"Created *ticket #{result.reference}*{slow}."
        visit = found.get(int(result.reference))
        if visit is not None:
            said += f"\n:repeat: {callback_text(visit, timezone)}"
        return ticket_result_view("Ticket created", said)
    reason = escape_mrkdwn(result.error.message) if result.error else ""
    if result.outcome == "unknown":
        unsure = unconfirmed_text("the ticket was created", result, by_dm=True)
        return ticket_result_view("Not confirmed", unsure, form, try_again=False)
    checked = " Deskhand checked: it is not there." if result.checked else ""
    return ticket_result_view("Ticket not created", f"*Not created.* {reason}{checked}", form)


async def try_ticket_again(
    ack: Any, body: dict[str, Any], client: AsyncWebClient, desk: Desk, config: HandlerConfig
) -> None:
    """Try again: the form back, with everything that was typed."""
    await ack()
    form = view_state(TicketForm, body)
    categories = await desk.ticket_categories()
    await client.views_update(
        view_id=body["view"]["id"], view=ticket_modal(form, categories, config.priorities)
    )
