"""Job watches: a channel sees each job that appears on, or changes on, today's (or tomorrow's)
Kickserv schedule, once.

Each window's jobs and calendar entries are read once a poll, however many channels watch it.
A job is posted when its (watch, job, state) is claimed for the first time: a new job, or one whose
status, time or crew changed. A job with a live card in the channel is left to the live-card update
instead. The first poll, and the first poll of each new day, only claims what is there (a job
created after midnight is still new), so nothing old is posted.
"""

import asyncio
import hashlib
import json
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from slack_sdk.web.async_client import AsyncWebClient

from api.desk import Desk
from api.digests import JobDigest, Window
from api.kickserv import Job
from api.times import day_words, local_time
from cards import jobs as cards
from cards.common import Card
from cards.config import HandlerConfig
from cards.live import State, job_key, job_state
from cards.mrkdwn import escape_mrkdwn, truncate
from live.reads import Fresh
from store import Store
from store.alerts import Watch
from workers.alert_posts import Alert, live_here, post_alerts


def window_of(watch: Watch) -> tuple[Window, str]:
    """The watched day ("today" or "tomorrow") and status filter ("" for any)."""
    saved = json.loads(watch.filters or "{}")
    return saved.get("window", "today"), saved.get("status", "")


async def read_windows(
    watches: list[Watch], desk: Desk, config: HandlerConfig, now: datetime
) -> dict[Window, JobDigest]:
    """Each watched day's jobs and crews at `now`, read once (both days at once)."""
    today = now.astimezone(ZoneInfo(config.timezone)).date()
    days: dict[Window, date] = {"today": today, "tomorrow": today + timedelta(days=1)}
    wanted = sorted({window_of(w)[0] for w in watches})
    found = await asyncio.gather(*(desk.jobs_on(days[w], w, config.timezone) for w in wanted))
    return dict(zip(wanted, found, strict=True))


def states(windows: dict[Window, JobDigest], config: HandlerConfig) -> dict[str, Fresh]:
    """Every job read for the watches, as live-card state (so live cards need no second read)."""
    return {
        job_key(j.job_number): Fresh(state=_state(j, d, config))
        for d in windows.values()
        for j in d.jobs
    }


async def poll_job_watch(
    watch: Watch,
    digest: JobDigest,
    store: Store,
    desk: Desk,
    client: AsyncWebClient,
    config: HandlerConfig,
    now: datetime,
) -> str:
    """Post the jobs new or changed on this watch's day; the first look of a day posts nothing
    that was already there."""
    window, status = window_of(watch)
    jobs = [j for j in digest.jobs if not status or j.status == status]
    day_mark = digest.day.toordinal()
    midnight = datetime.combine(
        digest.day if window == "today" else digest.day - timedelta(1),
        time(),
        ZoneInfo(config.timezone),
    )
    first_look = watch.cursor is None
    fresh = []
    for job in jobs:
        key = job_key(job.job_number)
        change = "seen:" + _digest(_state(job, digest, config))
        if not await store.alerts.claim(watch.id, key, change):
            continue
        quiet = first_look or (watch.cursor != day_mark and _created_before(job, midnight))
        if not quiet:
            fresh.append(job)
    await store.alerts.advance(watch.id, day_mark)
    if first_look:
        return f"#{watch.id}: baseline, {len(jobs)} jobs {window}"
    shown = await _not_live_here(fresh, watch, store, config, now)
    await _post_jobs(watch, window, shown, digest, store, desk, client, config)
    return f"#{watch.id}: {len(shown)} new or changed jobs {window}"


async def _not_live_here(
    jobs: list[Job], watch: Watch, store: Store, config: HandlerConfig, now: datetime
) -> list[Job]:
    """Leave out jobs whose card in this channel is live (its update says what changed)."""
    since = now - config.live_for
    out = []
    for job in jobs:
        if not await live_here(store, job_key(job.job_number), watch.channel_id, since):
            out.append(job)
    return out


async def _post_jobs(
    watch: Watch,
    window: Window,
    jobs: list[Job],
    digest: JobDigest,
    store: Store,
    desk: Desk,
    client: AsyncWebClient,
    config: HandlerConfig,
) -> None:
    alerts = [
        Alert(
            j,
            (job_key(j.job_number), "seen:" + _digest(_state(j, digest, config))),
            f"• *Job {j.job_number}* {escape_mrkdwn(truncate(j.name or 'job', 80))} · "
            f"{escape_mrkdwn(local_time(j.scheduled_on, config.timezone))}",
        )
        for j in jobs
    ]

    async def card(job: Job) -> Card:
        return cards.card_for(await desk.job(job.job_number), config, shareable=False)

    def heading(count: int) -> tuple[str, str]:
        title = f"{count} jobs new or changed {window}"
        return title, f"*{title}* (watch #{watch.id}):"

    await post_alerts(
        client,
        store,
        watch,
        alerts,
        kind="jobs",
        burst=config.alert_burst,
        heading=heading,
        card=card,
        # The day by its date: the line stays under the card, and "tomorrow" would go stale.
        footer=f"New or changed on the schedule for {day_words(digest.day)} · watch #{watch.id}",
    )


def _state(job: Job, digest: JobDigest, config: HandlerConfig) -> State:
    crew = list(dict.fromkeys(digest.crews.get(job.global_id, [])))
    return job_state(job, crew, local_time(job.scheduled_on, config.timezone))


def _digest(state: State) -> str:
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()[:32]


def _created_before(job: Job, moment: datetime) -> bool:
    return job.created_at is None or job.created_at < moment
