"""`/job N` and the buttons on job cards."""

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from api.desk import Desk
from api.refs import JobRef
from cards import ids
from cards import jobs as cards
from cards.common import Card
from cards.config import HandlerConfig
from cards.refs import read_value
from handlers.args import UsageError, kept_reply, parse_number, typed_line, usage_text, wants_help
from handlers.forms import new_job_command
from handlers.replies import reply_with
from handlers.subcommands import Subcommands


def register(app: AsyncApp, subcommands: Subcommands) -> None:
    """Attach the job listeners to the app, and `/deskhand job`."""
    app.command(ids.JOB_COMMAND)(show_job)
    app.action(ids.JOB_SHOW_NOTES)(show_job_notes)
    subcommands.add("job", show_job)


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
        said = (
            kept_reply(str(err), typed_line(command)) if text.strip() else Card(usage_text("job"))
        )
        await ack(response_type="ephemeral", **said.message())
        return
    await ack()
    await reply_with(
        respond,
        _job_card(JobRef(job_number=job_number), desk, config),
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
    ref = read_value(JobRef, action.get("value"))
    notes = await desk.job_notes(ref.job_number)
    card = cards.build_notes_card(ref.job_number, notes, config.timezone)
    await respond(response_type="ephemeral", replace_original=False, **card.message())


async def _job_card(ref: JobRef, desk: Desk, config: HandlerConfig) -> Card:
    return cards.card_for(await desk.job(ref.job_number), config)
