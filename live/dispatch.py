"""The dispatch channel (`DESKHAND_DISPATCH_CHANNEL`): one line for each step a technician takes
on a job, posted by the delivery rules (live/delivery.py) with its step as the message's slot,
so a post whose reply was lost is looked for before it is sent again."""

import logging
from datetime import datetime

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from api.desk import Desk
from api.errors import BackendError
from api.job_status import STEP_WORDS, Step
from cards.job_steps import dispatch_line
from live.delivery import slot_metadata
from live.profiles import Profiles

STEP_ACTIONS: dict[str, Step] = {f"job.{step}": step for step in STEP_WORDS}

logger = logging.getLogger("deskhand.dispatch")


async def post_dispatch_line(
    client: AsyncWebClient, channel: str, text: str, key: str, at: datetime
) -> bool:
    """Post `text` in the dispatch channel (nothing when none is set); False when Slack did not
    take it (logged: the step itself was written, and the person was told)."""
    if not channel:
        return False
    try:
        await client.chat_postMessage(
            channel=channel, text=text, metadata=slot_metadata(f"dispatch:{key}", at)
        )
    except SlackApiError as err:
        logger.warning("dispatch line not posted in %s: %s", channel, err.response.get("error"))
        return False
    return True


async def dispatch_confirmed_step(
    slack: AsyncWebClient,
    desk: Desk,
    channel: str,
    action: str,
    user_id: str,
    job_number: int,
    key: str,
    at: datetime,
) -> bool:
    """The dispatch line of a step confirmed only later (its reply was lost, the claim sweeper
    found it written): the same line the button would have posted, once (the claim is settled
    once); False when it is no step, no channel is set or Slack did not take it."""
    step = STEP_ACTIONS.get(action)
    if step is None or not channel:
        return False
    who = (await Profiles(ttl=0).get(slack, user_id)).name
    try:
        view = await desk.job(job_number)
        customer = (view.customer.company or view.customer.name) if view.customer else None
    except BackendError:
        customer = None
    line = dispatch_line(step, who, customer, job_number)
    return await post_dispatch_line(slack, channel, line, key, at)
