"""Posting a person's run-sheet by DM for a slot the digest runner claimed (workers/digests.py:
a subscription of kind `runsheet` is one person's, in the business's time zone).

Deskhand's scopes cannot read a direct message's history, so a run-sheet whose post may have
landed (Slack's reply was lost) is not posted again: each slot's run-sheet comes at most once,
and exactly once whenever Slack answers.
"""

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from api.desk import Desk
from cards.runsheet import runsheet_card
from live.delivery import Undelivered
from store.digests import Subscription
from store.schedules import describe_days
from workers.paused import cannot_post

logger = logging.getLogger("deskhand.runsheets")


async def post_runsheet(
    sub: Subscription, slot: datetime, desk: Desk, client: AsyncWebClient, earlier: str
) -> str:
    """DM the run-sheet of the subscription's person for the slot's day; how it ended."""
    if earlier == "uncertain":
        logger.warning("run-sheet #%s: its post may have landed; not sent again", sub.id)
        return "maybe_posted"
    day = slot.astimezone(ZoneInfo(sub.timezone)).date()
    sheet = await desk.runsheet(
        sub.created_by, await profile_email(client, sub.created_by), day, sub.timezone
    )
    card = runsheet_card(sheet, sub.timezone, schedule=f"{sub.at_time} {describe_days(sub.days)}")
    try:
        await client.chat_postMessage(channel=sub.created_by, **card.message())
    except Undelivered as err:
        logger.warning("run-sheet #%s: Slack did not take it (%s)", sub.id, err)
        return "uncertain" if err.maybe_posted else "unsent"
    except SlackApiError as err:
        logger.warning("run-sheet #%s: %s", sub.id, cannot_post(err) or err.response.get("error"))
        return "failed"
    return "posted"


async def profile_email(client: AsyncWebClient, user_id: str) -> str | None:
    """The email on the person's Slack profile (how Deskhand finds them when not linked)."""
    try:
        reply = await client.users_info(user=user_id)
    except SlackApiError:
        return None
    email = ((reply.get("user") or {}).get("profile") or {}).get("email") or ""
    return email.strip().lower() or None
