"""The live-card poll: re-read the records recent cards show and update the cards of changes.

Reads are batched and bounded (bot/live_reads.py); the updates themselves are handlers/live.py.
"""

import asyncio
from datetime import datetime

from slack_sdk.web.async_client import AsyncWebClient

from api.desk import Desk
from bot.live_reads import Reads, read_jobs, read_tickets
from handlers.config import HandlerConfig
from handlers.live import Fresh, apply_change, catch_up, record_gone
from store import Store


async def refresh(store: Store, desk: Desk, client: AsyncWebClient, config: HandlerConfig, *,
                  now: datetime,
                  known: dict[str, Fresh] | None = None) -> list[str]:  # fmt: skip
    """One poll of the live cards: re-read what is due, update the cards of what changed."""
    live_for = config.live_for
    await asyncio.to_thread(store.live.prune, now - live_for)
    tracked = await asyncio.to_thread(store.live.tracked, now - live_for)
    if not tracked:
        return []
    # First the cards a refused update left behind, so this poll's refusals wait for the next.
    caught_up = await catch_up(store, desk, client, config, now=now)
    reads = Reads(fresh={k: v for k, v in (known or {}).items()})
    due = [t.record_key for t in tracked if t.record_key not in reads.fresh]
    await read_tickets([int(k[7:]) for k in due if k.startswith("ticket:")], desk, config, reads)
    await read_jobs([int(k[4:]) for k in due if k.startswith("job:")], desk, config, reads)
    await asyncio.to_thread(store.live.checked, list(reads.fresh), now)
    lines = caught_up + [f"{key}: unreadable ({why}); read again next poll"
                         for key, why in reads.unreadable.items()]  # fmt: skip
    for record in tracked:
        fresh = reads.fresh.get(record.record_key)
        if fresh is None:
            continue
        if fresh.state is None:
            lines.append(await record_gone(record, store, client, now, live_for))
        elif fresh.state != record.state:
            lines.append(await apply_change(record, fresh, store, desk, client, config, now=now))
    read = sum(1 for record in tracked if record.record_key in reads.fresh)
    lines.append(f"live cards: {len(tracked)} records, {read} read, "
                 f"{reads.calls} backend calls")  # fmt: skip
    return lines
