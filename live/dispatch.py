"""The dispatch channel (`DESKHAND_DISPATCH_CHANNEL`): one line for each step a technician takes
on a job, posted by the delivery rules (live/delivery.py) with its step as the message's slot,
so a post whose reply was lost is looked for before it is sent again."""

import logging
from datetime import datetime

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from live.delivery import slot_metadata

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
