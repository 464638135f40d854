"""`/job N` and the buttons on job cards."""

import asyncio
from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from api.business import Entry
from api.desk import Desk
from api.errors import BackendError
from api.kickserv import Job, Note, Task
from cards.common import Card
from cards.jobs import build_job_card, build_notes_card
from cards.refs import JobRef
from handlers import ids
from handlers.args import UsageError, parse_number, usage_text, wants_help
from handlers.config import HandlerConfig
from handlers.forms import new_job_command
from handlers.reads import all_at_once, settle, unread_line
from handlers.replies import reply_with


def register(app: AsyncApp) -> None:
    """Attach the job listeners to the app."""
    app.command(ids.JOB_COMMAND)(show_job)
    app.action(ids.JOB_SHOW_NOTES)(show_job_notes)


async def show_job(
    ack: AsyncAck,
    command: dict[str, Any],
    respond: AsyncRespond,
    desk: Desk,
    config: HandlerConfig,
    client: AsyncWebClient,
) -> None:
    """`/job 86001`: the job as a card; `/job new [customer words]`: the Create job form."""
    text = command.get("text", "")
    word, _, rest = text.strip().partition(" ")
    if word.lower() == "new":
        await ack()
        await new_job_command(command, client, desk, rest.strip())
        return
    try:
        job_number = parse_number("" if wants_help(text) else text, "job", "job")
    except UsageError as err:
        await ack(response_type="ephemeral", text=str(err) if text.strip() else usage_text("job"))
        return
    await ack()
    await reply_with(
        respond,
        render_job(JobRef(job_number=job_number), desk, config),
        waiting=f"Looking up job {job_number} …",
        patience=config.looking_up_after,
    )


async def show_job_notes(
    ack: AsyncAck,
    action: dict[str, Any],
    respond: AsyncRespond,
    desk: Desk,
    config: HandlerConfig,
) -> None:
    """Notes: every note on the job, newest first, as a new message."""
    await ack()
    ref = JobRef.model_validate_json(action["value"])
    notes = [note async for note in desk.kickserv.iter_notes("jobs", ref.job_number)]
    notes.sort(key=_written_at, reverse=True)
    card = build_notes_card(ref.job_number, notes, config.timezone)
    await respond(response_type="ephemeral", replace_original=False, **card.message())


async def render_job(
    ref: JobRef, desk: Desk, config: HandlerConfig, *, shareable: bool = True
) -> Card:
    """Job `ref.job_number` read now, its reads at once: the job, its services and its notes
    together, its calendar entries and customer as soon as the job names them. Only the job's
    own failure is the answer; any other read that fails becomes one line on the card."""
    kickserv = desk.kickserv
    (job, customer, tasks), job_types, notes = await all_at_once(
        _job_and_crew(ref.job_number, desk),
        settle(kickserv.job_types()),
        settle(kickserv.list_notes("jobs", ref.job_number)),
    )
    parts = {"the service": job_types, "the assignments": tasks, "the latest note": notes}
    unread = {what: result for what, result in parts.items() if isinstance(result, BackendError)}
    service = None
    if not isinstance(job_types, BackendError):
        service = next((t.name for t in job_types if t.job_type_id == job.job_type_id), None)
    latest = None if isinstance(notes, BackendError) else max(notes, key=_written_at, default=None)
    assigned = None
    if not isinstance(tasks, BackendError):
        assigned = list(dict.fromkeys(e.name for t in tasks for e in t.employees if e.name))
    return build_job_card(
        job,
        service=service,
        latest_note=latest,
        assigned=assigned,
        timezone=config.timezone,
        shareable=shareable,
        customer_name=(customer.company or customer.name) if customer else None,
        customer_number=int(customer.record_key) if customer else None,
        unread=unread_line(unread),
    )


async def _job_and_crew(
    job_number: int, desk: Desk
) -> tuple[Job, Entry | None, list[Task] | BackendError]:
    """The job, then (at once) its customer and its calendar entries, which Kickserv finds only
    by the job's global id; the calendar's failure is kept, the job's raised."""
    job = await desk.kickserv.get_job(job_number)
    customer, tasks = await asyncio.gather(
        desk.kickserv_customer_by_global_id(job.customer_global_id),
        settle(desk.kickserv.list_tasks(job_global_id=job.global_id)),
    )
    return job, customer, tasks


def _written_at(note: Note) -> datetime:
    return note.created_at or note.updated_at or datetime.min.replace(tzinfo=UTC)
