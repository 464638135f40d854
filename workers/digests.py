"""Digests due: finds due slots in the database, claims each, builds and posts it.

Any number of processes may run it: the (subscription, slot) primary key lets one post. A slot
Slack did not take (rate limited, or failing past the retries) stays due; one whose post may have
landed is looked for in the channel (its slot is in the message metadata) before it is posted. After
downtime only the latest missed slot is posted, and only within the grace period; older ones are
skipped and logged. A channel the bot cannot post to pauses the subscription and tells its
creator why.
"""

import asyncio
import logging
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from api.desk import Desk
from api.digests import snapshot as snapshot_of
from api.errors import BackendError
from api.refs import TicketQuery
from cards.config import HandlerConfig
from cards.digests import digest_card
from live.delivery import Undelivered, already_posted, slot_metadata
from store import Store
from store.digests import RUNSHEET, Subscription
from store.schedules import DigestSchedule
from telemetry.metrics import DIGESTS, LostClaims, timed_run
from workers.paused import cannot_post, tell_creator
from workers.runsheets import post_runsheet

logger = logging.getLogger("deskhand.digests")

GRACE = timedelta(hours=1)
# A slot due since this process started that it could not claim went to another process (one
# due before may be its own previous run's); each look tries the latest slot again.
STARTED = datetime.now(UTC)


@timed_run("digests")
async def run_due(
    desk: Desk,
    store: Store,
    slack: AsyncWebClient,
    now: datetime,
    *,
    config: HandlerConfig,
    grace: timedelta = GRACE,
    lost: LostClaims | None = None,
) -> list[str]:
    """Post every digest whose latest slot is due at `now` and unclaimed; what happened to each.

    `lost`: the slots this runner has settled, kept by its caller across looks (the scheduler's)
    so that a slot another process holds counts as lost once; a new one for a single run."""
    slots = lost if lost is not None else LostClaims("digest")
    done = []
    for sub in await store.digests.active():
        schedule = DigestSchedule(time.fromisoformat(sub.at_time), sub.days, sub.timezone)
        slot = schedule.latest_slot(now, grace)
        if slot is None:
            await _skip_missed(schedule, sub, now, store)
            continue
        if slot <= sub.created_at:
            continue
        earlier: tuple[str, datetime] | None = ("", datetime.now(UTC))
        if not await store.digests.claim_slot(sub.id, slot):
            earlier = await store.digests.reclaim_slot(sub.id, slot)
        if earlier is None:
            if slot >= STARTED:
                slots.lost((sub.id, slot))
            continue  # another process (or an earlier look) has it
        slots.won((sub.id, slot))
        # Posts to one channel are paced by the outbound choke point (bot/outbound.py).
        outcome = await _post(sub, slot, store, desk, slack, config, earlier=earlier)
        DIGESTS.labels(outcome).inc()
        await store.digests.finish_slot(sub.id, slot, outcome)
        done.append(f"#{sub.id} {slot.isoformat()}: {outcome}")
    return done


def loop_time() -> float:
    """The event loop's clock (monotonic)."""
    return asyncio.get_running_loop().time()


async def _skip_missed(
    schedule: DigestSchedule, sub: Subscription, now: datetime, store: Store
) -> None:
    """A slot missed by more than the grace period is marked skipped (and logged) once."""
    missed = schedule.latest_slot(now, timedelta(days=8))
    if missed is None or missed <= sub.created_at:
        return
    if await store.digests.claim_slot(sub.id, missed):
        await store.digests.finish_slot(sub.id, missed, "skipped")
        DIGESTS.labels("skipped").inc()
        logger.info(
            "digest #%s: skipped the %s slot, missed by more than the grace period",
            sub.id,
            missed.isoformat(),
        )


async def _post(
    sub: Subscription,
    slot: datetime,
    store: Store,
    desk: Desk,
    client: AsyncWebClient,
    config: HandlerConfig,
    *,
    earlier: tuple[str, datetime],
) -> str:
    if sub.kind == RUNSHEET:  # a person's, by DM
        return await post_runsheet(sub, slot, desk, client, earlier[0])
    query = TicketQuery.model_validate_json(sub.filters or "{}")
    now = config.now()
    slot_day = slot.astimezone(ZoneInfo(config.timezone)).date()  # the day it was due for
    try:
        digest = await desk.digest(
            sub.kind, query, now, config.priorities, config.timezone, slot_day
        )
    except BackendError as err:
        logger.warning("digest #%s: %s", sub.id, err.message)
        return "failed"
    snapshot = snapshot_of(digest)
    if sub.quiet and snapshot == sub.last_snapshot:
        return "quiet"
    card = digest_card(
        sub.kind,
        digest,
        query,
        now=now,
        timezone=config.timezone,
        previous=sub.last_snapshot,
        subscription_id=sub.id,
    )
    key = f"digest:{sub.id}:{slot.astimezone(UTC).isoformat()}"
    outcome, claimed = earlier
    since = min(slot, claimed)  # the post can show in the channel from then on
    try:
        # An earlier try may have landed: post only if the channel shows no message for the slot.
        if outcome != "uncertain" or not await already_posted(
            client, sub.channel_id, key, since.timestamp()
        ):
            await client.chat_postMessage(
                channel=sub.channel_id, metadata=slot_metadata(key, since), **card.message()
            )
    except Undelivered as err:
        logger.warning("digest #%s: Slack did not take it (%s); it stays due", sub.id, err)
        return "uncertain" if err.maybe_posted else "unsent"
    except SlackApiError as err:
        reason = cannot_post(err)
        if reason is None:
            logger.warning("digest #%s: Slack said %s", sub.id, err.response.get("error"))
            return "failed"
        await store.digests.set_paused(sub.id, True, reason)
        await tell_creator(
            client,
            sub.created_by,
            (
                f"Your {sub.kind} digest #{sub.id} for <#{sub.channel_id}> is paused: {reason}. "
                f"Invite Deskhand to the channel, then `/digest resume {sub.id}` there."
            ),
        )
        return "paused"
    await store.digests.remember(sub.id, snapshot)
    return "posted"
