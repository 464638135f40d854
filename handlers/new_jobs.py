"""Creating Kickserv jobs from Slack: `/job new [customer words]`, a customer card's Create job
button and the Create job message shortcut open the form at once (the services fill in when
Kickserv answers); its submit writes once, through the desk."""

import logging
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from api.business import KICKSERV
from api.desk import Desk
from api.errors import BackendError, InvalidRequest
from api.identity import Profile
from api.job_writes import JobCreation
from api.writes import WriteResult
from cards import ids
from cards.config import HandlerConfig
from cards.job_form import (
    CUSTOMER,
    DATE,
    DESCRIPTION,
    SERVICE,
    JobForm,
    job_created_view,
    job_failed_view,
    job_modal,
    job_saving_view,
)
from cards.jobs import card_for
from cards.mrkdwn import escape_mrkdwn
from cards.outcomes import unconfirmed_text
from cards.refs import CustomerRef, DamagedValue, read_value, view_state
from handlers.form_values import (
    JobFormValues,
    customer_label,
    customer_value,
    job_form_values,
)
from handlers.forms import (
    chosen_customer,
    creation_intent,
    job_choices,
    message_text,
    open_job_form,
    submit_creation,
)
from handlers.middleware import writers_only
from handlers.visit_links import book_visit, keep_visit
from live.profiles import Profiles
from store import Store

logger = logging.getLogger("deskhand.jobs")
# Kickserv's 422 messages name the field first ("Job type can't be blank"): which block shows it.
_MESSAGE_BLOCKS = (("job type", SERVICE), ("customer", CUSTOMER), ("scheduled", DATE))


def register(app: AsyncApp) -> None:
    """Attach the Create job button, the shortcut, Try again and the form's submit (behind the
    writers check)."""
    app.action(ids.CREATE_JOB)(create_job_from_card)
    app.shortcut(ids.CREATE_JOB_FROM_MESSAGE)(create_job_from_message)
    app.action(ids.JOB_TRY_AGAIN)(try_job_again)
    app.view(ids.JOB_MODAL, middleware=[writers_only])(submit_job)


async def create_job_from_card(
    ack: AsyncAck, action: dict[str, Any], body: dict[str, Any], client: AsyncWebClient, desk: Desk
) -> None:
    """A customer card's Create job: the form with that customer chosen."""
    await ack()
    ref = read_value(CustomerRef, action.get("value"))
    if ref.kickserv_number is None:  # Create job is only on customers Kickserv has
        raise DamagedValue("Create job on a customer without a Kickserv number")
    key = str(ref.kickserv_number)
    customer = await desk.customer_in(KICKSERV, KICKSERV, key)
    form = JobForm(
        channel_id=(body.get("channel") or {}).get("id", ""),
        customer_value=customer_value(KICKSERV, key),
        customer_label=customer_label(customer) if customer else f"Kickserv customer (#{key})",
    )
    await open_job_form(client, body["trigger_id"], form, desk)


async def create_job_from_message(
    ack: AsyncAck,
    shortcut: dict[str, Any],
    client: AsyncWebClient,
    desk: Desk,
    profiles: Profiles,
) -> None:
    """Create job: the message as the job's description."""
    await ack()
    text, channel = await message_text(client, shortcut, profiles)
    await open_job_form(
        client, shortcut["trigger_id"], JobForm(channel_id=channel, description=text), desk
    )


async def try_job_again(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, desk: Desk
) -> None:
    """Try again: the form back, with what was typed."""
    await ack()
    form = view_state(JobForm, body)
    job_types, employees = await job_choices(desk)
    await client.views_update(
        view_id=body["view"]["id"], view=job_modal(form, job_types, employees)
    )


async def submit_job(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    desk: Desk,
    store: Store,
    profiles: Profiles,
    config: HandlerConfig,
) -> None:
    """Create the job once (the view id is the intent); what is missing or wrong, and Kickserv's
    refusals, keep the form open with each message under its own field."""
    desk.in_flight.keep_running()  # a stop waits for this listener to show the outcome
    typed = job_form_values(view)
    user_id = body["user"]["id"]
    author = await profiles.get(client, user_id)
    errors = typed.problems(author.timezone)
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    job = _JobSubmission(typed, author, user_id, desk, store, client, config)
    await submit_creation(
        ack,
        client,
        view,
        store,
        user_id,
        job.create,
        saving=job_saving_view(),
        outcome_view=lambda result: _outcome_view(result, typed.form, job.customer, job.follow_up),
        field_errors=_field_errors,
    )


@dataclass
class _JobSubmission:
    """One submit of the job form: the job created (and booked as the form's ticket's visit,
    when it came from one), and what the outcome view says beside the result."""

    typed: JobFormValues
    author: Profile
    user_id: str
    desk: Desk
    store: Store
    client: AsyncWebClient
    config: HandlerConfig
    customer: int = 0  # the Kickserv customer the job is for, once chosen
    follow_up: str = ""  # what could not follow the job (mrkdwn), or nothing

    async def create(self, key: str) -> WriteResult:
        """Create the job under the intent `key`, book its visit, show its card."""
        typed, form, desk = self.typed, self.typed.form, self.desk
        customer = await chosen_customer(desk, KICKSERV, typed.customer_value, CUSTOMER)
        if isinstance(customer, WriteResult):
            return customer
        self.customer = number = int(customer.record_key)
        summary = f"{typed.service}: {form.description}"
        intent = creation_intent(
            key, "job.create", self.user_id, form.channel_id, str(number), summary
        )
        if form.ticket_id:  # kept first: linked later should this process stop mid-way
            await keep_visit(desk, self.config, form, self.user_id, self.author, key)
        created = await desk.create_job(
            intent, typed.new_job(number, self.author.timezone), self.author
        )
        self.follow_up = _follow_up(created)
        if form.ticket_id and created.result.outcome in ("written", "confirmed", "unknown"):
            linked = await book_visit(
                desk,
                self.store,
                self.client,
                self.config,
                form,
                created,
                typed.employee,
                self.user_id,
                self.author,
                key,
            )
            self.follow_up = f"{self.follow_up}\n{linked}".strip()
        if created.job is not None and form.channel_id:
            await _post_job_card(
                self.client,
                desk,
                self.config,
                form.channel_id,
                self.user_id,
                created.job.job_number,
            )
        return created.result


def _follow_up(created: JobCreation) -> str:
    """What could not follow a created job (mrkdwn), or nothing."""
    if created.unread is not None:
        return (
            f"Deskhand could not read it back ({escape_mrkdwn(created.unread.message)}); "
            "check its schedule in Kickserv."
        )
    if created.unassigned is not None:
        why = escape_mrkdwn(created.unassigned.message)
        return f"But assigning it failed: {why} Assign it in Kickserv."
    return ""


def _field_errors(err: InvalidRequest) -> dict[str, str]:
    if CUSTOMER in err.field_errors:
        return {CUSTOMER: err.field_errors[CUSTOMER]}
    errors: dict[str, str] = {}
    for message in err.message.removeprefix("Kickserv refused that: ").rstrip(".").split("; "):
        block = next((b for word, b in _MESSAGE_BLOCKS if word in message.lower()), DESCRIPTION)
        errors[block] = f"{errors[block]} {message}" if block in errors else message
    return errors


def _outcome_view(result: WriteResult, form: JobForm, number: int, extra: str = "") -> View:
    label = escape_mrkdwn(form.customer_label or f"Kickserv customer #{number}")
    if result.outcome in ("written", "confirmed", "duplicate") and result.reference:
        slow = "(confirmed after a slow reply)" if result.outcome == "confirmed" else ""
        return job_created_view(
            int(result.reference), label, " ".join(p for p in (slow, extra) if p)
        )
    reason = escape_mrkdwn(result.error.message) if result.error else ""
    if result.outcome == "unknown":
        what = f"the job for {label} was created"
        said = unconfirmed_text(what, result, by_dm=True) + (f"\n{extra}" if extra else "")
        return job_failed_view(said, form, try_again=False)
    checked = " Deskhand checked: it is not there." if result.checked else ""
    return job_failed_view(f"*Not created.* {reason}{checked}", form)


async def _post_job_card(
    client: AsyncWebClient, desk: Desk, config: HandlerConfig, channel: str, user: str, number: int
) -> None:
    """The new job's card, for the person who made it, in the channel they made it from: read
    and built as `/job N` does. The job exists whatever happens here, so a failure is logged."""
    try:
        card = card_for(await desk.job(number), config)
        await client.chat_postEphemeral(channel=channel, user=user, **card.message())
    except (BackendError, SlackApiError) as err:
        logger.info("job %s was created; its card could not be shown: %s", number, err)
