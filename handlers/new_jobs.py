"""Creating Kickserv jobs from Slack: `/job new [customer words]` and a customer card's Create
job button open the form at once; the services fill in when Kickserv answers."""

import asyncio
import logging
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from api.business import KICKSERV, READYDESK
from api.desk import Desk
from api.errors import BackendError, InvalidRequest
from api.kickserv import Employee, Job, JobType
from api.writes import Intent, WritePlan, WriteResult, keep_running, new_marker, write_once
from cards.job_form import (
    CUSTOMER,
    DATE,
    DESCRIPTION,
    EMPLOYEE,
    SERVICE,
    TIME,
    JobForm,
    job_created_view,
    job_failed_view,
    job_modal,
    job_saving_view,
)
from cards.jobs import build_job_card
from cards.mrkdwn import escape_mrkdwn, truncate
from cards.refs import CustomerRef
from handlers import ids
from handlers.config import HandlerConfig
from handlers.forms import Pending, finish_submission, submitted_values
from handlers.identity import Identities
from handlers.middleware import writers_only
from handlers.typeahead import customer_value, parse_customer_value
from store import Store

logger = logging.getLogger("deskhand.jobs")
TASK_LENGTH = timedelta(hours=2)  # how long a job booked from Slack holds the calendar
# Kickserv's 422 messages name the field first ("Job type can't be blank"): which block shows it.
_MESSAGE_BLOCKS = (("job type", SERVICE), ("customer", CUSTOMER), ("scheduled", DATE))


def register(app: AsyncApp) -> None:
    """Attach the Create job button, Try again and the form's submit (behind the writers check)."""
    app.action(ids.CREATE_JOB)(create_job_from_card)
    app.action(ids.JOB_TRY_AGAIN)(try_job_again)
    app.view(ids.JOB_MODAL, middleware=[writers_only])(submit_job)


async def open_job_form(client: AsyncWebClient, trigger_id: str, form: JobForm, desk: Desk) -> None:
    """Open the form inside the trigger's 3 seconds, then add the services when they come."""
    opened = await client.views_open(trigger_id=trigger_id, view=job_modal(form, None))
    view = opened["view"]
    try:
        job_types, employees = await _choices(desk)
    except BackendError as err:
        why = f"Kickserv's services could not be read: {escape_mrkdwn(err.message)}"
        await client.views_update(view_id=view["id"], view=job_failed_view(why, form))
        return
    await client.views_update(
        view_id=view["id"], hash=view.get("hash"), view=job_modal(form, job_types, employees)
    )


async def _choices(desk: Desk) -> tuple[list[JobType], list[Employee]]:
    """The services (needed) and the employees (the form works without them), at once."""
    job_types, employees = await asyncio.gather(
        desk.kickserv.job_types(), desk.kickserv.employees(), return_exceptions=True
    )
    if isinstance(job_types, BaseException):
        raise job_types
    return job_types, employees if isinstance(employees, list) else []


async def new_job_command(
    command: dict[str, Any], client: AsyncWebClient, desk: Desk, words: str
) -> None:
    """`/job new acme`: the form, with the customer chosen when the words find exactly one."""
    form = JobForm(channel_id=command.get("channel_id", ""))
    if words and desk.directory is not None:
        found = [b for b in await desk.directory.search(words, limit=2) if b.kickserv]
        if len(found) == 1:
            entry = found[0].kickserv
            assert entry is not None
            form = form.model_copy(
                update={
                    "customer_value": customer_value(KICKSERV, entry.record_key),
                    "customer_label": f"{found[0].name} (#{entry.record_key})",
                }
            )
    await open_job_form(client, command["trigger_id"], form, desk)


async def create_job_from_card(
    ack: AsyncAck, action: dict[str, Any], body: dict[str, Any], client: AsyncWebClient, desk: Desk
) -> None:
    """A customer card's Create job: the form with that customer chosen."""
    await ack()
    ref = CustomerRef.model_validate_json(action["value"])
    key = str(ref.kickserv_number)
    business = await desk.directory.business(KICKSERV, key) if desk.directory else None
    form = JobForm(
        channel_id=(body.get("channel") or {}).get("id", ""),
        customer_value=customer_value(KICKSERV, key),
        customer_label=f"{business.name if business else 'Kickserv customer'} (#{key})",
    )
    await open_job_form(client, body["trigger_id"], form, desk)


async def try_job_again(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, desk: Desk
) -> None:
    """Try again: the form back, with what was typed."""
    await ack()
    form = JobForm.model_validate_json(body["view"]["private_metadata"])
    job_types, employees = await _choices(desk)
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
    identities: Identities,
    config: HandlerConfig,
) -> None:
    """Create the job once (the view id is the intent); Kickserv's refusals keep the form open."""
    keep_running()  # a stop waits for this listener to show the outcome
    values = submitted_values(view)
    form = JobForm.model_validate_json(view["private_metadata"]).model_copy(
        update={"description": values.get(DESCRIPTION, "")}
    )
    user_id = body["user"]["id"]
    profile = await identities.profile(client, user_id)
    try:
        number = await _kickserv_number(values.get(CUSTOMER, ""), desk)
        when = _scheduled(values.get(DATE), values.get(TIME), profile.timezone)
        if values.get(EMPLOYEE) and when is None:
            raise ValueError(EMPLOYEE, "Choose a date too: assigning puts the job on a calendar.")
    except ValueError as err:
        block, message = err.args
        await ack(response_action="errors", errors={block: message})
        return
    key = f"view:{view['id']}"
    marker = new_marker()
    signature = f"— {profile.name} via Slack · {marker}"
    description = "\n".join(p for p in (form.description, signature) if p)
    fields: dict[str, Any] = {"scheduled_on": when.isoformat()} if when else {}

    async def write() -> str:
        job = await desk.kickserv.create_job(number, int(values[SERVICE]), description, **fields)
        return str(job.job_number)

    intent = Intent(
        key=key,
        action="job.create",
        user_id=user_id,
        channel_id=form.channel_id,
        target=f"customer {number}",
        summary=truncate(f"{values[SERVICE]}: {form.description}", 300),
        plan=WritePlan(
            check="job",
            target=str(number),
            marker=marker,
            typed=form.description,
            label=f"the job for Kickserv customer {number}",
        ),
    )
    assigned: list[str] = []

    async def run() -> WriteResult:
        result = await write_once(store, intent, write, read_back=desk.find_write)
        if result.outcome in ("written", "confirmed") and result.reference:
            try:
                job = await desk.kickserv.get_job(int(result.reference))
            except BackendError as err:  # the job exists: say what could not follow
                assigned.append(
                    f"Deskhand could not read it back ({escape_mrkdwn(err.message)}); "
                    "check its schedule in Kickserv."
                )
                return result
            if values.get(EMPLOYEE) and when is not None:
                assigned.append(await _assign(desk, job, int(values[EMPLOYEE]), when))
            if form.channel_id:
                await _post_job_card(client, job, form, number, config, user_id)
        return result

    await finish_submission(
        ack,
        client,
        view["id"],
        run(),
        saving=job_saving_view(),
        outcome=lambda result: _outcome_view(result, form, number, "".join(assigned)),
        field_errors=_field_errors,
        pending=Pending(store, key),
    )


async def _kickserv_number(value: str, desk: Desk) -> int:
    system, key = parse_customer_value(value)
    if system == KICKSERV and key.isdigit():
        return int(key)
    business = await desk.directory.business(READYDESK, key) if desk.directory else None
    if business and business.kickserv:
        return int(business.kickserv.record_key)
    raise ValueError(CUSTOMER, "This customer is only in ReadyDesk; choose a Kickserv customer.")


def _scheduled(day: str | None, at: str | None, timezone: str) -> datetime | None:
    if at and not day:
        raise ValueError(DATE, "Choose a date for that time too.")
    if not day:
        return None
    moment = time.fromisoformat(at) if at else time(9, 0)
    return datetime.combine(date.fromisoformat(day), moment, ZoneInfo(timezone))


def _field_errors(err: InvalidRequest) -> dict[str, str]:
    errors: dict[str, str] = {}
    for message in err.message.removeprefix("Kickserv refused that: ").rstrip(".").split("; "):
        block = next((b for word, b in _MESSAGE_BLOCKS if word in message.lower()), DESCRIPTION)
        errors[block] = f"{errors[block]} {message}" if block in errors else message
    return errors


async def _assign(desk: Desk, job: Job, employee_id: int, when: datetime) -> str:
    """Put the new job on the chosen employee's calendar; a failure is reported, not raised
    (the job exists, so the submit must not be retried into a second job)."""
    try:
        await desk.kickserv.create_task(job.global_id, when, when + TASK_LENGTH, [employee_id])
    except BackendError as err:
        return f"But assigning it failed: {escape_mrkdwn(err.message)} Assign it in Kickserv."
    return ""


def _outcome_view(result: WriteResult, form: JobForm, number: int, extra: str = "") -> View:
    label = escape_mrkdwn(form.customer_label or f"Kickserv customer #{number}")
    if result.outcome in ("written", "confirmed", "duplicate") and result.reference:
        slow = "(confirmed after a slow reply)" if result.outcome == "confirmed" else ""
        return job_created_view(
            int(result.reference), label, " ".join(p for p in (slow, extra) if p)
        )
    reason = escape_mrkdwn(result.error.message) if result.error else ""
    if result.outcome == "unknown":
        return job_failed_view(
            f"*Could not confirm* whether the job was created: {reason} Check "
            f"{label}'s jobs in Kickserv before creating it again.",
            form,
            try_again=False,
        )
    checked = " Deskhand checked: it is not there." if result.checked else ""
    return job_failed_view(f"*Not created.* {reason}{checked}", form)


async def _post_job_card(
    client: AsyncWebClient,
    job: Job,
    form: JobForm,
    number: int,
    config: HandlerConfig,
    user: str,
) -> None:
    """The new job's card, for the person who made it, in the channel they made it from."""
    card = build_job_card(
        job,
        customer_name=form.customer_label or None,
        customer_number=number,
        service=None,
        latest_note=None,
        assigned=[],
        timezone=config.timezone,
    )
    try:
        await client.chat_postEphemeral(channel=form.channel_id, user=user, **card.message())
    except SlackApiError as err:  # the job exists; the form says so
        logger.info("job %s was created; its card could not be shown: %s", job.job_number, err)
