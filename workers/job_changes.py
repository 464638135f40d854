"""A DM to each technician when one of their jobs today or tomorrow is added, moved,
reassigned or cancelled: one DM per burst of changes, once the changes have stopped for
`DESKHAND_CHANGE_QUIET` seconds (60), saying what changed since they were last told.

The technicians are the people with a run-sheet on a schedule (`/deskhand runsheet at …`):
they have said they want their day from Deskhand. Today's and tomorrow's calendar is read once
a poll for all of them. Each change and each DM is a conditional update of the technician's row
(store/technician_days.py), so of several processes one records it and one sends the DM.
"""

import json
import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from api.desk import Desk
from api.errors import BackendError
from api.job_changes import Schedule, describe_changes, snapshot_of
from cards.config import HandlerConfig
from cards.mrkdwn import escape_mrkdwn
from store import Store
from store.digests import RUNSHEET
from store.technician_days import Day
from workers.runsheets import profile_email

logger = logging.getLogger("deskhand.job_changes")


async def poll_job_changes(
    desk: Desk, store: Store, slack: AsyncWebClient, now: datetime, *, config: HandlerConfig
) -> list[str]:
    """Look at every run-sheet holder's jobs today and tomorrow; DM those whose changes have
    been quiet long enough. What happened, a line per technician who was told."""
    people = sorted({s.created_by for s in await store.digests.active() if s.kind == RUNSHEET})
    if not people:
        return []
    today = now.astimezone(ZoneInfo(config.timezone)).date()
    try:
        schedule = await desk.job_schedule(today, config.timezone)
    except BackendError as err:
        logger.warning("job changes: the calendar could not be read: %s", err.message)
        return []
    done = []
    for user in people:
        try:
            employee = await desk.employee_of(user, await profile_email(slack, user))
        except BackendError as err:
            logger.warning("job changes: %s's employee unknown: %s", user, err.message)
            continue
        if employee is not None:
            quiet = timedelta(seconds=config.change_quiet)
            snapshot = json.dumps(snapshot_of(schedule, employee), sort_keys=True)
            if await _look(user, snapshot, schedule, store, slack, now, quiet):
                done.append(f"{user}: told")
    return done


async def _look(
    user: str,
    snapshot: str,
    schedule: Schedule,
    store: Store,
    slack: AsyncWebClient,
    now: datetime,
    quiet: timedelta,
) -> bool:
    """Record what is there now; DM the changes once they have been quiet for `quiet`."""
    day = await store.technician_days.get(user)
    if day is None:
        await store.technician_days.start(user, snapshot)  # the first look tells nothing
        return False
    if snapshot != day.seen:
        if not await store.technician_days.saw(day, snapshot, now):
            return False  # another process recorded it
        day = Day(user, day.told, snapshot, now, day.version + 1)
    if day.changed_at is None or now - day.changed_at < quiet:
        return False
    lines = describe_changes(json.loads(day.told), json.loads(day.seen), schedule)
    if not await store.technician_days.told_now(day) or not lines:
        return False
    text = "Changes to your jobs:\n" + "\n".join(f"• {escape_mrkdwn(line)}" for line in lines)
    try:
        await slack.chat_postMessage(channel=user, text=text)
    except SlackApiError as err:
        logger.warning("job changes: %s not told: %s", user, err.response.get("error"))
        return False
    return True
