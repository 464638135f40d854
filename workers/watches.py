"""Channel alerts: each poll posts the new tickets and jobs that match a channel's watch, once,
then brings the live cards up to date.

Neither backend has webhooks, so Deskhand polls. Tickets: one call finds the newest ticket number,
then each watch with something new asks ReadyDesk for its matches past its cursor (`start_tid`).
Jobs: workers/job_watches.py. A ticket watch starts at the newest ticket when it is made (its
first poll sets it when ReadyDesk could not say); a job watch's first poll sets its baseline.
Nothing old is posted. Each (watch, record, change) is claimed before posting; more than a few at
once become one summary instead of a flood. Live cards: live/registry.py.
"""

import logging
from collections.abc import Awaitable
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from api.desk import Desk
from api.errors import BackendError
from api.readydesk import Ticket
from api.refs import TicketQuery
from cards.common import Card
from cards.config import HandlerConfig
from cards.live import ticket_key
from cards.mrkdwn import escape_mrkdwn, truncate
from cards.tickets import card_for
from live.reads import Fresh
from live.registry import refresh_live_cards
from live.thread_notes import post_outside_notes
from store import Store
from store.alerts import Watch
from telemetry.metrics import CLAIMS_LOST, timed_run
from workers.alert_posts import Alert, StaysDue, live_here, post_alerts
from workers.job_watches import poll_job_watch, read_windows, states, window_of
from workers.paused import cannot_post, tell_creator
from workers.visits import poll_visits

logger = logging.getLogger("deskhand.alerts")

PAGE = 100  # matches read per watch per poll; the cursor moves past the ones read
CLAIMS_KEPT = timedelta(days=30)  # a (watch, record, change) claim is needed for a poll or two


@timed_run("watches")
async def poll_watches(
    desk: Desk, store: Store, slack: AsyncWebClient, now: datetime, *, config: HandlerConfig
) -> list[str]:
    """One poll of every active watch, then of the live cards and the synced threads; what
    happened to each."""
    await store.alerts.prune(now - CLAIMS_KEPT)
    watches = await store.alerts.active()
    lines: list[str] = []
    known: dict[str, Fresh] = {}
    tickets = [w for w in watches if w.kind == "tickets"]
    jobs = [w for w in watches if w.kind == "jobs"]
    try:
        if tickets:
            lines += await _poll_ticket_watches(tickets, store, desk, slack, config)
    except BackendError as err:
        lines.append(f"ticket watches: ReadyDesk unreadable ({err.message}); next poll")
    try:
        if jobs:
            windows = await read_windows(jobs, desk, config, now)
            known = states(windows, config)
            for w in jobs:
                day = windows[window_of(w)[0]]
                work = poll_job_watch(w, day, store, desk, slack, config, now)
                lines.append(await _guarded(w, work, store, slack))
    except BackendError as err:
        lines.append(f"job watches: Kickserv unreadable ({err.message}); next poll")
    lines += await poll_visits(desk, store, slack, now, config=config)
    lines += await refresh_live_cards(desk, store, slack, now, config=config, known=known)
    lines += await post_outside_notes(desk, store, slack, now, config=config)
    return lines


async def _poll_ticket_watches(
    watches: list[Watch], store: Store, desk: Desk, client: AsyncWebClient, config: HandlerConfig
) -> list[str]:
    top = await desk.newest_ticket_number()
    lines = []
    for watch in watches:
        if watch.cursor is None:
            await store.alerts.advance(watch.id, top)
            lines.append(f"#{watch.id}: baseline at ticket {top}")
        elif top > watch.cursor:
            work = _new_tickets(watch, top, store, desk, client, config)
            lines.append(await _guarded(watch, work, store, client))
    return lines


async def _guarded(watch: Watch, work: Awaitable[str], store: Store, client: AsyncWebClient) -> str:
    """Run one watch's poll; a channel the bot cannot post to pauses it and tells its creator,
    and an alert Slack did not take stays due (the other watches go on either way)."""
    try:
        return await work
    except StaysDue as err:
        logger.warning("%s", err)
        return str(err)
    except SlackApiError as err:
        reason = cannot_post(err)
        if reason is None:
            logger.warning("watch #%s: Slack said %s", watch.id, err.response.get("error"))
            return f"#{watch.id}: Slack said {err.response.get('error')}; next poll"
        await store.alerts.set_paused(watch.id, True, reason)
        await tell_creator(
            client,
            watch.created_by,
            (
                f"Your {watch.kind[:-1]} watch #{watch.id} in <#{watch.channel_id}> is paused: "
                f"{reason}. Invite Deskhand to the channel, then "
                f"`/deskhand resume-watch {watch.id}` there."
            ),
        )
        return f"#{watch.id}: paused ({reason})"


async def _new_tickets(
    watch: Watch, top: int, store: Store, desk: Desk, client: AsyncWebClient, config: HandlerConfig
) -> str:
    assert watch.cursor is not None
    search = TicketQuery.model_validate_json(watch.filters or "{}")
    found = await desk.tickets_between(watch.cursor + 1, top, PAGE, search)
    mine = []
    # What ReadyDesk cannot filter (no technician …) is checked here; each ticket is claimed
    # one by one: another process may be posting some of them.
    since = config.instant() - config.live_for
    for ticket in filter(search.admits, found):
        if await live_here(store, ticket_key(ticket.ticket_id), watch.channel_id, since):
            continue  # another watch of the channel posted it: once is enough
        if await store.alerts.claim(watch.id, str(ticket.ticket_id), "new"):
            mine.append(ticket)
        else:  # another process has it (or a poll of this one that failed before moving on)
            CLAIMS_LOST.labels("alert").inc()
    cursor = found[-1].ticket_id if len(found) == PAGE else top
    try:
        await _post(watch, mine, store, desk, client, config)
    except StaysDue as err:
        # Read again from the first alert Slack did not take.
        await store.alerts.advance(watch.id, err.first - 1)
        raise
    await store.alerts.advance(watch.id, cursor)
    return f"#{watch.id}: {len(mine)} new"


async def _post(
    watch: Watch,
    tickets: list[Ticket],
    store: Store,
    desk: Desk,
    client: AsyncWebClient,
    config: HandlerConfig,
) -> None:
    alerts = [
        Alert(
            t,
            (str(t.ticket_id), "new"),
            f"• *#{t.ticket_id}* {escape_mrkdwn(truncate(t.subject or '(no subject)', 80))}"
            f" · {escape_mrkdwn(t.status)}",
            t.ticket_id,
        )
        for t in tickets
    ]

    async def card(ticket: Ticket) -> Card:
        # Statuses cached (one read for the whole poll), Kickserv's visits per business.
        return card_for(await desk.ticket_read(ticket, config.callbacks), config, shareable=False)

    def heading(count: int) -> tuple[str, str]:
        return f"{count} new tickets", f"*{count} new tickets* match watch #{watch.id}:"

    await post_alerts(
        client,
        store,
        watch,
        alerts,
        kind="tickets",
        burst=config.alert_burst,
        heading=heading,
        card=card,
        footer=f"New ticket matching watch #{watch.id}",
    )
