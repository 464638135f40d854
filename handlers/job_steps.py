"""A job card's On my way, Started and Done: the technician's day, each once per press.

The job's assigned employee may press them as well as the writers (`writers_or_assigned`).
After a step is written the card is read again and redrawn in place, its copies in channels are
updated, and one line goes to the dispatch channel when one is set.
"""

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from api.desk import Desk
from api.errors import BackendError
from api.job_status import Step
from api.writes import Intent
from cards import ids
from cards.config import HandlerConfig
from cards.job_steps import dispatch_line, step_notice
from cards.jobs import card_for
from cards.mrkdwn import escape_mrkdwn
from cards.refs import JobRef, read_value
from handlers.middleware import writers_or_assigned
from live.dispatch import post_dispatch_line
from live.posted import drawn_for_pressed
from live.profiles import Profiles
from live.registry import card_changed
from store import Store

STEPS: dict[str, Step] = {
    ids.JOB_ON_MY_WAY: "on_my_way",
    ids.JOB_STARTED: "started",
    ids.JOB_DONE: "done",
}


def register(app: AsyncApp) -> None:
    """Attach the job card's steps, behind the writers-or-assigned check."""
    app.action(ids.JOB_ON_MY_WAY, middleware=[writers_or_assigned])(take_step)
    app.action(ids.JOB_STARTED, middleware=[writers_or_assigned])(take_step)
    app.action(ids.JOB_DONE, middleware=[writers_or_assigned])(take_step)


async def take_step(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    desk: Desk,
    store: Store,
    config: HandlerConfig,
    profiles: Profiles,
) -> None:
    """Write the step once; say how it ended, redraw the card, tell the dispatch channel."""
    await ack()
    desk.in_flight.keep_running()
    job_number = read_value(JobRef, action.get("value")).job_number
    step, user_id = STEPS[action["action_id"]], body["user"]["id"]
    profile = await profiles.get(client, user_id)
    message_ts = (body.get("container") or {}).get("message_ts", "")
    intent = Intent(
        key=":".join(p for p in (action["action_id"], str(job_number), message_ts, user_id) if p),
        action=f"job.{step}",
        user_id=user_id,
        channel_id=(body.get("channel") or {}).get("id", ""),
        target=f"job {job_number}",
        summary=step.replace("_", " "),
        response_url=body.get("response_url", ""),
    )
    result = await desk.take_job_step(intent, job_number, step, profile)
    if notice := step_notice(step, job_number, result):
        await respond(response_type="ephemeral", replace_original=False, text=notice)
    if result.outcome not in ("written", "confirmed", "duplicate"):
        return
    customer = await _redraw(job_number, body, respond, client, desk, store, config)
    if result.outcome != "duplicate":
        line = dispatch_line(step, profile.name, customer, job_number)
        channel = config.dispatch_channel
        await post_dispatch_line(client, channel, line, intent.key, config.instant())


async def _redraw(
    job_number: int,
    body: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    desk: Desk,
    store: Store,
    config: HandlerConfig,
) -> str | None:
    """The job read again, its card redrawn in place and its channel copies updated; the
    customer's name (None when the job could not be read: the step was written all the same)."""
    try:
        view = await desk.job(job_number)  # the read `/job N` makes
    except BackendError as err:
        text = (
            f"Done on job {job_number}, but the card could not be redrawn: "
            f"{escape_mrkdwn(err.message)} Press Refresh later."
        )
        await respond(response_type="ephemeral", replace_original=False, text=text)
        return None
    copies = card_for(view, config, shareable=False)  # as channels show it
    pressed = await drawn_for_pressed(body, store, card_for(view, config), copies)
    await respond(replace_original=True, **pressed.message())
    await card_changed(copies, body["user"]["id"], store, desk, client, config)
    return (view.customer.company or view.customer.name) if view.customer else None
