"""When Deskhand can no longer post to a channel: which Slack errors mean that, in words, and
telling the person who set the subscription up."""

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

logger = logging.getLogger("deskhand.paused")

# Slack's errors for a channel the bot cannot post to until someone acts, and what they mean.
CHANNEL_GONE = {
    "not_in_channel": "Deskhand is not in the channel",
    "channel_not_found": "the channel is gone or private",
    "is_archived": "the channel is archived",
    "account_inactive": "Deskhand's Slack token is no longer active",
    "invalid_auth": "Deskhand's Slack token is not valid",
    "token_revoked": "Deskhand's Slack token was revoked",
    # conversations.history, read before a post that may have landed is sent again, needs
    # channels:history / groups:history: an install from before they were asked for lacks them.
    "missing_scope": "Deskhand's Slack app lacks a permission (reinstall it from manifest.yml)",
}


def cannot_post(err: SlackApiError) -> str | None:
    """Why the bot cannot post there, in words; None when the error is some other kind."""
    return CHANNEL_GONE.get(str(err.response.get("error")))


async def tell_creator(client: AsyncWebClient, user_id: str, text: str) -> None:
    """DM the person who set something up; a refusal is logged, never raised."""
    try:
        await client.chat_postMessage(channel=user_id, text=text)
    except SlackApiError as err:
        logger.warning("could not tell %s: %s", user_id, err)
