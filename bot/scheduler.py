"""The in-process loop: every few seconds it runs the workers that are due — the claim
sweeper, digests due, and (every alert interval) the watch and live-card poll.

Any number of processes may run it: each worker claims what it does in the database, so one
process posts each thing. The time comes from `clock`: the real time, or the sandbox's clock
(the same one the handlers' config reads), after whose jumps `wake()` makes it look at once.
"""

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from slack_sdk.web.async_client import AsyncWebClient

from api.desk import Desk
from bot.app import build_web_client, handler_config
from bot.heap import FULL_COLLECTION_EVERY, collect_old_objects
from bot.settings import Settings
from cards.config import HandlerConfig, utc_now
from store import Store
from telemetry.metrics import LostClaims
from workers.claims import sweep_claims
from workers.digests import GRACE, loop_time, run_due
from workers.job_changes import poll_job_changes
from workers.visits import sweep_visit_notes
from workers.watches import poll_watches

logger = logging.getLogger("deskhand.scheduler")

LOOK_EVERY = 5.0  # seconds between looks for due slots


class Scheduler:
    """The in-process loop: runs the workers that are due every few seconds until closed."""

    def __init__(
        self,
        desk: Desk,
        store: Store,
        slack: AsyncWebClient,
        config: HandlerConfig,
        *,
        grace: timedelta = GRACE,
        alert_interval: float = 60.0,
        claim_sweep: float = 30.0,
        clock: Callable[[], datetime] = utc_now,
        digests: bool = True,
    ) -> None:
        self._desk, self._store, self._slack, self._config = desk, store, slack, config
        self._digests = digests  # digests and watches too, or only the claim sweep
        self._clock = clock
        self._grace = grace
        self._lost_slots = LostClaims("digest")  # this scheduler's, across its looks
        self._alert_interval = alert_interval
        self._next_alert_poll = 0.0
        self._claim_sweep = claim_sweep
        self._next_claim_sweep = 0.0  # the first look sweeps: a restart finishes what it left
        self._next_full_collection = loop_time() + FULL_COLLECTION_EVERY
        self._stopping = asyncio.Event()
        self._woken = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start looking (once per process)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="digest-scheduler")

    def wake(self) -> None:
        """Look again now rather than at the next tick (the sandbox clock has jumped): the
        watches, live cards and threads too, since the jump moved the sandbox world on."""
        self._next_alert_poll = 0.0
        self._woken.set()

    async def aclose(self) -> None:
        """Stop after the current look."""
        self._stopping.set()
        self._woken.set()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)

    async def look(self) -> None:
        """One look: each worker that is due runs once (what the loop does every few seconds)."""
        desk, store, slack, config = self._desk, self._store, self._slack, self._config
        if loop_time() >= self._next_full_collection:
            self._next_full_collection = loop_time() + FULL_COLLECTION_EVERY
            collect_old_objects()
        if loop_time() >= self._next_claim_sweep:
            self._next_claim_sweep = loop_time() + self._claim_sweep
            # Leases are real time (a process's life), whatever the sandbox's clock says.
            for line in await sweep_claims(desk, store, slack, utc_now(), config=config):
                logger.info("claim %s", line)
            for line in await sweep_visit_notes(desk, store, slack, utc_now(), config=config):
                logger.info("%s", line)
        if not self._digests:
            return
        now = self._clock()
        for line in await run_due(
            desk, store, slack, now, config=config, grace=self._grace, lost=self._lost_slots
        ):
            logger.info("digest %s", line)
        if loop_time() >= self._next_alert_poll:
            self._next_alert_poll = loop_time() + self._alert_interval
            for line in await poll_watches(desk, store, slack, self._clock(), config=config):
                logger.info("watch %s", line)
            for line in await poll_job_changes(desk, store, slack, self._clock(), config=config):
                logger.info("job changes %s", line)

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                # Each look in a task of its own: a write it makes counts the look (not this
                # loop, which never ends) among the writes a graceful stop waits for.
                await asyncio.create_task(self.look(), name="scheduler-look")
            except Exception:
                logger.exception("a scheduled look failed; trying again shortly")
            try:
                await asyncio.wait_for(self._woken.wait(), LOOK_EVERY)
            except TimeoutError:
                continue
            self._woken.clear()


def build_scheduler(
    settings: Settings,
    store: Store,
    desk: Desk,
    clock: Callable[[], datetime] = utc_now,
    *,
    slack: AsyncWebClient | None = None,
) -> Scheduler:
    """The scheduler for a bot process, posting with the bot token, on `clock`'s time; `slack`:
    the app's client, so background posts and listeners' share one channel's pacing."""
    return Scheduler(
        desk,
        store,
        slack or build_web_client(settings),
        handler_config(settings, clock=clock),
        grace=timedelta(seconds=settings.digest_grace),
        alert_interval=settings.alert_interval,
        claim_sweep=settings.claim_sweep,
        clock=clock,
        digests=settings.digests_in_process,
    )
