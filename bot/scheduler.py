"""The digest scheduler: finds due slots in the database, claims each, builds and posts it.

Any number of processes may run it: the (subscription, slot) primary key lets one post. After
downtime only the latest missed slot is posted, and only within the grace period; older ones are
skipped and logged. A channel the bot cannot post to pauses the subscription and tells its
creator why.
"""

import asyncio
import logging
from datetime import UTC, datetime, time, timedelta

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from api.desk import Desk
from api.errors import BackendError
from api.schedules import Schedule
from bot.paused import cannot_post, tell_creator
from bot.settings import Settings
from handlers.config import HandlerConfig
from handlers.digests import build_digest
from handlers.refs import TicketQuery
from store import Store
from store.digests import Subscription
from workers.claims import sweep_claims

logger = logging.getLogger("deskhand.scheduler")

GRACE = timedelta(hours=1)
CHANNEL_GAP = 1.0  # seconds between two digests posted to one channel
LOOK_EVERY = 5.0  # seconds between looks for due slots


async def run_due(
    now: datetime, store: Store, desk: Desk, client: AsyncWebClient, config: HandlerConfig,
    *, grace: timedelta = GRACE,
) -> list[str]:  # fmt: skip
    """Post every digest whose latest slot is due at `now` and unclaimed; what happened to each."""
    done = []
    last_post: dict[str, float] = {}  # Slack takes about one message a second per channel
    for sub in await asyncio.to_thread(store.digests.active):
        schedule = Schedule(time.fromisoformat(sub.at_time), sub.days, sub.timezone)
        slot = schedule.latest_slot(now, grace)
        if slot is None:
            await _skip_missed(schedule, sub, now, store)
            continue
        if slot <= sub.created_at:
            continue
        if not await asyncio.to_thread(store.digests.claim_slot, sub.id, slot):
            continue  # another process (or an earlier look) has it
        wait = last_post.get(sub.channel_id, -CHANNEL_GAP) + CHANNEL_GAP - loop_time()
        if wait > 0:
            await asyncio.sleep(wait)
        outcome = await _post(sub, store, desk, client, config)
        last_post[sub.channel_id] = loop_time()
        await asyncio.to_thread(store.digests.finish_slot, sub.id, slot, outcome)
        done.append(f"#{sub.id} {slot.isoformat()}: {outcome}")
    return done


def loop_time() -> float:
    """The event loop's clock (monotonic)."""
    return asyncio.get_running_loop().time()


async def _skip_missed(schedule: Schedule, sub: Subscription, now: datetime, store: Store) -> None:
    """A slot missed by more than the grace period is marked skipped (and logged) once."""
    missed = schedule.latest_slot(now, timedelta(days=8))
    if missed is None or missed <= sub.created_at:
        return
    if await asyncio.to_thread(store.digests.claim_slot, sub.id, missed):
        await asyncio.to_thread(store.digests.finish_slot, sub.id, missed, "skipped")
        logger.info("digest #%s: skipped the %s slot, missed by more than the grace period",
                    sub.id, missed.isoformat())  # fmt: skip


async def _post(sub: Subscription, store: Store, desk: Desk, client: AsyncWebClient,
                config: HandlerConfig) -> str:  # fmt: skip
    query = TicketQuery.model_validate_json(sub.filters or "{}")
    try:
        card, snapshot = await build_digest(
            sub.kind, query, desk, config, previous=sub.last_snapshot, subscription_id=sub.id
        )
    except BackendError as err:
        logger.warning("digest #%s: %s", sub.id, err.message)
        return "failed"
    if sub.quiet and snapshot == sub.last_snapshot:
        return "quiet"
    try:
        await client.chat_postMessage(channel=sub.channel_id, **card.message())
    except SlackApiError as err:
        reason = cannot_post(err)
        if reason is None:
            logger.warning("digest #%s: Slack said %s", sub.id, err.response.get("error"))
            return "failed"
        await asyncio.to_thread(store.digests.set_paused, sub.id, True, reason)
        await tell_creator(client, sub.created_by, (
            f"Your {sub.kind} digest #{sub.id} for <#{sub.channel_id}> is paused: {reason}. "
            f"Invite Deskhand to the channel, then `/digest resume {sub.id}` there."))  # fmt: skip
        return "paused"
    await asyncio.to_thread(store.digests.remember, sub.id, snapshot)
    return "posted"


class Scheduler:
    """The in-process loop: looks for due slots every few seconds until closed."""

    def __init__(self, store: Store, desk: Desk, client: AsyncWebClient, config: HandlerConfig,
                 *, grace: timedelta = GRACE, alert_interval: float = 60.0,
                 claim_sweep: float = 30.0) -> None:  # fmt: skip
        self._args = (store, desk, client, config)
        self._grace = grace
        self._alert_interval = alert_interval
        self._next_alert_poll = 0.0
        self._claim_sweep = claim_sweep
        self._next_claim_sweep = 0.0  # the first look sweeps: a restart finishes what it left
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start looking (once per process)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="digest-scheduler")

    async def aclose(self) -> None:
        """Stop after the current look."""
        self._stopping.set()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)

    async def _sweep_claims(self) -> None:
        if loop_time() < self._next_claim_sweep:
            return
        self._next_claim_sweep = loop_time() + self._claim_sweep
        store, desk, client, _ = self._args
        for line in await sweep_claims(desk, store, client, datetime.now(UTC)):
            logger.info("claim %s", line)

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                await self._sweep_claims()
                for line in await run_due(datetime.now(UTC), *self._args, grace=self._grace):
                    logger.info("digest %s", line)
                if loop_time() >= self._next_alert_poll:
                    self._next_alert_poll = loop_time() + self._alert_interval
                    from bot.alerts import poll_once

                    for line in await poll_once(*self._args):
                        logger.info("watch %s", line)
            except Exception:
                logger.exception("a scheduled look failed; trying again shortly")
            try:
                await asyncio.wait_for(self._stopping.wait(), LOOK_EVERY)
            except TimeoutError:
                continue


def build_scheduler(settings: Settings, store: Store, desk: Desk) -> Scheduler:
    """The scheduler for a bot process, posting with the bot token."""
    from bot.app import build_web_client, handler_config

    return Scheduler(store, desk, build_web_client(settings), handler_config(settings),
                     grace=timedelta(seconds=settings.digest_grace),
                     alert_interval=settings.alert_interval,
                     claim_sweep=settings.claim_sweep)  # fmt: skip
