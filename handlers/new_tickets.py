"""Creating ReadyDesk tickets from Slack: `/ticket new` opens the form at once; the categories
fill in when ReadyDesk answers."""

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from api.business import KICKSERV
from api.desk import Desk
from api.errors import BackendError, InvalidRequest
from api.writes import Intent, WritePlan, WriteResult, keep_running, new_marker, write_once
from cards.mrkdwn import escape_mrkdwn, truncate
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
from cards.tickets import build_ticket_card, ticket_text
from handlers import ids
from handlers.config import HandlerConfig
from handlers.forms import Pending, finish_submission, submitted_values
from handlers.identity import Identities
from handlers.middleware import writers_only
from handlers.typeahead import parse_customer_value
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
    """Attach the form's submit, behind the writers check."""
    app.view(ids.TICKET_MODAL, middleware=[writers_only])(submit_ticket)
    app.action(ids.TICKET_TRY_AGAIN)(try_ticket_again)


async def open_ticket_form(
    client: AsyncWebClient, trigger_id: str, form: TicketForm, desk: Desk, config: HandlerConfig
) -> None:
    """Open the form inside the trigger's 3 seconds, then add the categories when they come."""
    opened = await client.views_open(
        trigger_id=trigger_id, view=ticket_modal(form, None, config.priorities)
    )
    try:
        categories = await desk.readydesk.ticket_categories()
    except BackendError:
        categories = []  # the ticket can still be created without one
    await client.views_update(
        view_id=opened["view"]["id"], view=ticket_modal(form, categories, config.priorities)
    )


async def submit_ticket(
    ack: Any,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    desk: Desk,
    store: Store,
    identities: Identities,
    config: HandlerConfig,
) -> None:
    """Create the ticket once (the view id is the intent); refusals stay on their fields."""
    keep_running()  # a stop waits for this listener to show the outcome
    values = submitted_values(view)
    form = TicketForm.model_validate_json(view["private_metadata"]).model_copy(
        update={
            "customer_value": values.get(CUSTOMER, ""),
            "subject": values.get(SUBJECT, ""),
            "description": values.get(DESCRIPTION, ""),
            "category": values.get(CATEGORY, ""),
            "priority": values.get(PRIORITY, ""),
        }
    )
    user_id = body["user"]["id"]
    customer_id = await _readydesk_customer(values.get(CUSTOMER, ""), desk)
    if customer_id is None:
        why = "This customer is only in Kickserv; choose a ReadyDesk customer."
        await ack(response_action="errors", errors={CUSTOMER: why})
        return
    profile = await identities.profile(client, user_id)
    key = f"view:{view['id']}"
    marker = new_marker()
    typed = "\n".join(p for p in (values.get(SUBJECT, ""), values.get(DESCRIPTION, "")) if p)
    description = "\n".join(
        p for p in (values.get(DESCRIPTION, ""), f"— {profile.name} via Slack · {marker}") if p
    )
    fields = {
        "cid": customer_id,
        "subject": values.get(SUBJECT, ""),
        "body": description,
        "category": values.get(CATEGORY) or None,
        "priority": values.get(PRIORITY) or None,
    }

    async def write() -> str:
        return str(await desk.readydesk.add_ticket(**{k: v for k, v in fields.items() if v}))

    intent = Intent(
        key=key,
        action="ticket.create",
        user_id=user_id,
        channel_id=form.channel_id,
        target=f"customer {customer_id}",
        summary=truncate(values.get(SUBJECT, ""), 300),
        plan=WritePlan(
            check="ticket",
            target=customer_id,
            marker=marker,
            typed=typed,
            label=f"the ticket for customer {customer_id}",
        ),
    )

    async def run() -> WriteResult:
        result = await write_once(store, intent, write, read_back=desk.find_write)
        if result.outcome in ("written", "confirmed") and result.reference and form.channel_id:
            await _post_card(client, desk, config, form.channel_id, user_id, int(result.reference))
        return result

    await finish_submission(
        ack,
        client,
        view["id"],
        run(),
        saving=ticket_result_view("Saving…", "Creating …"),
        outcome=lambda result: _outcome_view(result, form),
        field_errors=_field_errors,
        pending=Pending(store, key),
    )


async def _post_card(
    client: AsyncWebClient, desk: Desk, config: HandlerConfig, channel: str, user: str, tid: int
) -> None:
    """The new ticket's card for its creator; the ticket exists whatever happens here, so a
    failure is logged and the form still says it was created (never "not created")."""
    try:
        ticket = await desk.readydesk.get_ticket(tid)
        blocks = build_ticket_card(ticket, web_url=config.readydesk_web_url)
        await client.chat_postEphemeral(
            channel=channel,
            user=user,
            text=ticket_text(ticket),
            blocks=[b.to_dict() for b in blocks],
        )
    except (BackendError, SlackApiError) as err:
        logger.info("ticket #%s was created; its card could not be shown: %s", tid, err)


async def _readydesk_customer(value: str, desk: Desk) -> str | None:
    system, key = parse_customer_value(value)
    if system != KICKSERV:
        return key or None
    business = await desk.directory.business(KICKSERV, key) if desk.directory else None
    return business.readydesk.record_key if business and business.readydesk else None


def _field_errors(err: InvalidRequest) -> dict[str, str]:
    return {_FIELDS[f]: m[:2000] for f, m in err.field_errors.items() if f in _FIELDS}


def _outcome_view(result: WriteResult, form: TicketForm) -> View:
    if result.outcome in ("written", "confirmed", "duplicate") and result.reference:
        slow = " (confirmed after a slow reply)" if result.outcome == "confirmed" else ""
        return ticket_result_view("Ticket created", f"Created *ticket #{result.reference}*{slow}.")
    reason = escape_mrkdwn(result.error.message) if result.error else ""
    if result.outcome == "unknown":
        unsure = (
            f"*Could not confirm* whether the ticket was created: {reason} Check the "
            "customer's tickets in ReadyDesk before creating it again."
        )
        return ticket_result_view("Not confirmed", unsure, form, try_again=False)
    checked = " Deskhand checked: it is not there." if result.checked else ""
    return ticket_result_view("Ticket not created", f"*Not created.* {reason}{checked}", form)


async def try_ticket_again(
    ack: Any, body: dict[str, Any], client: AsyncWebClient, desk: Desk, config: HandlerConfig
) -> None:
    """Try again: the form back, with everything that was typed."""
    await ack()
    form = TicketForm.model_validate_json(body["view"]["private_metadata"])
    categories = await desk.readydesk.ticket_categories()
    await client.views_update(
        view_id=body["view"]["id"], view=ticket_modal(form, categories, config.priorities)
    )
