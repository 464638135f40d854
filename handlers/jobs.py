"""`/job N` and the buttons on job cards."""

import asyncio
from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from api.desk import Desk
from api.kickserv import Note
from handlers import ids, new_jobs
from handlers.args import UsageError, parse_number, usage_text, wants_help
from handlers.cards.common import Card
from handlers.cards.jobs import build_job_card, build_notes_card
from handlers.config import HandlerConfig
from handlers.refs import JobRef
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
        await new_jobs.new_job_command(command, client, desk, rest.strip())
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
    """Job `ref.job_number` read now (job, services and notes at once), as a card."""
    kickserv = desk.kickserv
    job, job_types, notes = await asyncio.gather(
        kickserv.get_job(ref.job_number),
        kickserv.job_types(),
        kickserv.list_notes("jobs", ref.job_number),
    )
    # Assignments live on the job's calendar entries, which Kickserv finds by the global id.
    customer, tasks = await asyncio.gather(
        desk.kickserv_customer_by_global_id(job.customer_global_id),
        kickserv.list_tasks(job_global_id=job.global_id),
    )
    service = next((t.name for t in job_types if t.job_type_id == job.job_type_id), None)
    latest = max(notes, key=_written_at, default=None)
    return build_job_card(
        job,
        service=service,
        latest_note=latest,
        assigned=list(dict.fromkeys(e.name for t in tasks for e in t.employees if e.name)),
        timezone=config.timezone,
        shareable=shareable,
        customer_name=(customer.company or customer.name) if customer else None,
        customer_number=int(customer.record_key) if customer else None,
    )


def _written_at(note: Note) -> datetime:
    return note.created_at or note.updated_at or datetime.min.replace(tzinfo=UTC)
