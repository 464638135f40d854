"""The live-card poll: re-read the records recent cards show and update the cards of changes.

Reads are batched and bounded (workers/live_reads.py); the updates themselves are handlers/live.py.
"""

from datetime import datetime

from slack_sdk.web.async_client import AsyncWebClient

from api.desk import Desk
from cards.live import split_key
from handlers.config import HandlerConfig
from handlers.live import Fresh, apply_change, catch_up, record_gone
from store import Store
from workers.live_reads import Reads, read_jobs, read_tickets


async def refresh_live_cards(
    desk: Desk,
    store: Store,
    slack: AsyncWebClient,
    now: datetime,
    *,
    config: HandlerConfig,
    known: dict[str, Fresh] | None = None,
) -> list[str]:
    """One poll of the live cards: re-read what is due, update the cards of what changed.

    `known` holds states another poll already read this time (the job watches' days)."""
    live_for = config.live_for
    await store.live.prune(now - live_for)
    tracked = await store.live.tracked(now - live_for)
    if not tracked:
        return []
    # First the cards a refused update left behind, so this poll's refusals wait for the next.
    caught_up = await catch_up(store, desk, slack, config, now=now)
    reads = Reads(fresh=dict(known or {}))
    due = [split_key(t.record_key) for t in tracked if t.record_key not in reads.fresh]
    await read_tickets([n for kind, n in due if kind == "ticket"], desk, config, reads)
    await read_jobs([n for kind, n in due if kind == "job"], desk, config, reads)
    read = [record.record_key for record in tracked if record.record_key in reads.fresh]
    await store.live.checked(read, now)
    lines = caught_up + [
        f"{key}: unreadable ({why}); read again next poll" for key, why in reads.unreadable.items()
    ]
    for record in tracked:
        fresh = reads.fresh.get(record.record_key)
        if fresh is None:
            continue
        if fresh.state is None:
            lines.append(await record_gone(record, store, slack, config, now))
        elif fresh.state != record.state:
            lines.append(await apply_change(record, fresh, store, desk, slack, config, now=now))
    lines.append(
        f"live cards: {len(tracked)} records, {len(read)} read, {reads.calls} backend calls"
    )
    return lines
