"""Forms that write: opening one at once (from a command, a button or a message shortcut) and
filling in its choices when the backend answers; submitting one inside Slack's 3-second window
when the backend is quick (field errors keep the modal open with everything typed), a "Saving…"
view when it is not."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncAck
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from api.business import KICKSERV, Entry
from api.desk import Desk
from api.errors import BackendError, InvalidRequest
from api.kickserv import Employee, JobType
from api.writes import Intent, WriteResult
from cards.config import HandlerConfig
from cards.job_form import JobForm, job_failed_view, job_modal
from cards.modals import still_saving_view
from cards.mrkdwn import as_read, escape_mrkdwn, truncate
from cards.ticket_form import TicketForm, ticket_modal
from handlers.form_values import customer_label, customer_value, parse_customer_value
from live.profiles import Profiles
from store import Store
from store.claims import DONE, UNKNOWN

logger = logging.getLogger("deskhand.forms")

ACK_BUDGET = 2.0  # seconds to finish a write inside Slack's 3-second window for the modal
PERMALINK_WAIT = 1.0  # the modal must open within the trigger's 3 seconds, link or not
PREFILL_WAIT = 1.5  # the same for `/job new <words>`'s customer lookup


async def open_ticket_form(
    client: AsyncWebClient, trigger_id: str, form: TicketForm, desk: Desk, config: HandlerConfig
) -> None:
    """Open the form inside the trigger's 3 seconds, then add the categories when they come."""
    opened = await client.views_open(
        trigger_id=trigger_id, view=ticket_modal(form, None, config.priorities)
    )
    try:
        categories = await desk.ticket_categories()
    except BackendError:
        categories = []  # the ticket can still be created without one
    await client.views_update(
        view_id=opened["view"]["id"], view=ticket_modal(form, categories, config.priorities)
    )


def ticket_form_from(text: str, channel: str) -> TicketForm:
    """The Create ticket form for a message: its first line as the subject, all of it (with its
    link) as the description."""
    first_line = text.strip().splitlines()[0] if text.strip() else ""
    return TicketForm(channel_id=channel, subject=truncate(first_line, 120), description=text)


async def open_job_form(
    client: AsyncWebClient, trigger_id: str, form: JobForm, desk: Desk, notice: str = ""
) -> None:
    """Open the form inside the trigger's 3 seconds, then add the services when they come."""
    opened = await client.views_open(
        trigger_id=trigger_id, view=job_modal(form, None, notice=notice)
    )
    view = opened["view"]
    try:
        job_types, employees = await job_choices(desk)
    except BackendError as err:
        why = f"Kickserv's services could not be read: {escape_mrkdwn(err.message)}"
        await client.views_update(view_id=view["id"], view=job_failed_view(why, form))
        return
    await client.views_update(
        view_id=view["id"],
        hash=view.get("hash"),
        view=job_modal(form, job_types, employees, notice=notice),
    )


async def job_choices(desk: Desk) -> tuple[list[JobType], list[Employee]]:
    """The services (needed) and the employees (the form works without them), at once."""
    job_types, employees = await asyncio.gather(
        desk.job_types(), desk.employees(), return_exceptions=True
    )
    if isinstance(job_types, BaseException):
        raise job_types
    return job_types, employees if isinstance(employees, list) else []


async def new_job_command(
    command: dict[str, Any], client: AsyncWebClient, desk: Desk, words: str
) -> None:
    """`/job new acme`: the form, with the Kickserv customer the words find chosen; when they
    find none or several, the form says so and the person picks one."""
    form = JobForm(channel_id=command.get("channel_id", ""))
    notice = ""
    if words:
        form, notice = await _prefill(form, desk, words)
    await open_job_form(client, command["trigger_id"], form, desk, notice)


async def _prefill(form: JobForm, desk: Desk, words: str) -> tuple[JobForm, str]:
    """The form with the one Kickserv customer `words` find, or unchanged and why (mrkdwn).

    Slack keeps an input's first value through views.update, so the customer must be known
    before the form opens: the lookup gets a bounded share of the trigger's 3 seconds."""
    shown = escape_mrkdwn(truncate(words, 40))
    try:
        search = await asyncio.wait_for(desk.find_customer(words, read_one=False), PREFILL_WAIT)
    except TimeoutError:
        return form, f"Looking up “{shown}” took too long: choose the customer."
    except BackendError as err:
        return form, f"“{shown}” could not be looked up: {escape_mrkdwn(err.message)}"
    found = [b for b in search.businesses if b.kickserv]
    if len(found) == 1 and (entry := found[0].kickserv):
        label = customer_label(entry, found[0])
        value = customer_value(KICKSERV, entry.record_key)
        return form.model_copy(update={"customer_value": value, "customer_label": label}), ""
    if found:
        return form, f"Several Kickserv customers match “{shown}”: choose one."
    if search.failed_system == "Kickserv":
        return form, f"Kickserv could not be searched for “{shown}”: choose the customer."
    none = f"No Kickserv customer matches “{shown}”: choose one. {escape_mrkdwn(search.note)}"
    return form, none.strip()


async def message_text(
    client: AsyncWebClient, shortcut: dict[str, Any], profiles: Profiles
) -> tuple[str, str]:
    """A message shortcut's message as people read it, with a link to it (when Slack gives one
    quickly), and its channel."""
    message = shortcut.get("message") or {}
    channel = (shortcut.get("channel") or {}).get("id", "")
    said = message.get("text", "")
    text = as_read(said, await profiles.names_in(client, said))
    try:
        reply = await asyncio.wait_for(
            client.chat_getPermalink(channel=channel, message_ts=message.get("ts", "")),
            PERMALINK_WAIT,
        )
        link = reply.get("permalink")
    except (SlackApiError, TimeoutError):
        link = None
    return (f"{text}\n{link}" if link else text), channel


async def finish_submission(
    ack: AsyncAck,
    client: AsyncWebClient,
    view_id: str,
    write: Awaitable[WriteResult],
    *,
    saving: View,
    outcome_view: Callable[[WriteResult], View],
    field_errors: Callable[[InvalidRequest], dict[str, str]],
    pending: "Pending | None" = None,
    user_id: str = "",
) -> None:
    """Ack the submission with the outcome, or with `saving` and then update to the outcome.

    A refusal the backend explains field by field becomes `response_action: errors`, so the
    modal stays open with what was typed (`field_errors` maps it to block ids). A second submit
    while the first is still saving says so, then shows the first one's outcome. An outcome
    the modal cannot show (closed, or Slack failing past the retries) goes to `user_id` by DM.
    The caller has counted its task among the writes in flight (`desk.in_flight`).
    """
    task = asyncio.ensure_future(write)
    done, _ = await asyncio.wait({task}, timeout=ACK_BUDGET)
    if not done:  # a slow backend: say so now, tell the outcome when it comes
        await ack(response_action="update", view=saving)
        await show_outcome(client, view_id, outcome_view(await task), user_id)
        return
    result = task.result()
    if result.outcome == "duplicate" and pending is not None and not result.reference:
        await ack(response_action="update", view=still_saving_view())
        await show_outcome(client, view_id, outcome_view(await pending.settled()), user_id)
        return
    if result.outcome == "failed" and isinstance(result.error, InvalidRequest):
        errors = field_errors(result.error)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
    await ack(response_action="update", view=outcome_view(result))


async def submit_creation(
    ack: AsyncAck,
    client: AsyncWebClient,
    view: dict[str, Any],
    store: Store,
    user_id: str,
    create: Callable[[str], Awaitable[WriteResult]],
    *,
    saving: View,
    outcome_view: Callable[[WriteResult], View],
    field_errors: Callable[[InvalidRequest], dict[str, str]],
) -> None:
    """A new-record form's submit, made once: `create(key)` runs with the view id as its intent
    key, and finish_submission shows how it ended."""
    key = f"view:{view['id']}"
    await finish_submission(
        ack,
        client,
        view["id"],
        create(key),
        saving=saving,
        outcome_view=outcome_view,
        field_errors=field_errors,
        pending=Pending(store, key),
        user_id=user_id,
    )


async def chosen_customer(desk: Desk, wanted: str, value: str, field: str) -> Entry | WriteResult:
    """The picked customer's record in the `wanted` system, or the failed write that says,
    under `field`, that it is only in the other one."""
    system, record_key = parse_customer_value(value)
    customer = await desk.customer_in(wanted, system, record_key)
    if customer is not None:
        return customer
    here, other = ("Kickserv", "ReadyDesk") if wanted == KICKSERV else ("ReadyDesk", "Kickserv")
    why = f"This customer is only in {other}; choose a {here} customer."
    return WriteResult("failed", error=InvalidRequest(why, backend=here, field_errors={field: why}))


def creation_intent(
    key: str, action: str, user_id: str, channel_id: str, customer: str, summary: str
) -> Intent:
    """A new-record submit as an intent: the view id, for the customer chosen."""
    return Intent(
        key=key,
        action=action,
        user_id=user_id,
        channel_id=channel_id,
        target=f"customer {customer}",
        summary=truncate(summary, 300),
    )


async def show_outcome(client: AsyncWebClient, view_id: str, view: View, user_id: str) -> None:
    """The outcome in the modal (views.update, retried by the outbound choke point); when the
    modal is gone or Slack keeps failing, the same words by DM, never "not done" for a write
    that was done."""
    try:
        await client.views_update(view_id=view_id, view=view)
        return
    except SlackApiError as err:
        if not user_id:
            raise
        logger.info("the form's outcome goes by DM: Slack said %s", err.response.get("error"))
    title = view.title.text if view.title else "Deskhand"
    # A form's buttons (Try again) act on the form itself: in a message they could not work.
    blocks = [b for b in view.blocks if b.type != "actions"]
    await client.chat_postMessage(channel=user_id, text=title, blocks=blocks)


@dataclass(frozen=True)
class Pending:
    """A form's claim, to wait on when the same form was submitted again while it saves."""

    store: Store
    intent_key: str
    poll: float = 0.5
    patience: float = 60.0

    async def settled(self) -> WriteResult:
        """The first submit's outcome, once its claim is finished (or given up on)."""
        deadline = asyncio.get_running_loop().time() + self.patience
        while asyncio.get_running_loop().time() < deadline:
            claim = await self.store.claims.get(self.intent_key)
            if claim is None:  # released: the first try was not written and says why
                return WriteResult("failed")
            if claim.state == DONE:
                return WriteResult("duplicate", claim.reference, earlier=claim)
            if claim.state == UNKNOWN:
                return WriteResult("unknown")
            await asyncio.sleep(self.poll)
        return WriteResult("unknown")
