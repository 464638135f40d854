"""Waiting for a write's outcome to settle: a workflow step must say how its write ended before
it completes, and a write whose reply was lost is settled by the claim sweeper (workers/claims.py)
within the apply window; this watches its claim until then."""

import asyncio
from datetime import timedelta

from api.writes import WriteResult
from store import Store
from store.claims import DONE

SWEEP_MARGIN = timedelta(seconds=6)  # past the window, one claim sweep (5 s) to decide it
POLL = 0.5  # seconds between looks at the claim


async def settled(store: Store, key: str, result: WriteResult) -> WriteResult:
    """`result` once it is known: an unknown one is watched until its claim is done (written)
    or released (not written), at most until its apply window ends and one sweep after; still
    unknown then, it is returned as it is (the sweeper tells the person later)."""
    if result.outcome != "unknown" or result.wait is None:
        return result
    looks = int((result.wait + SWEEP_MARGIN).total_seconds() / POLL) + 1
    for _ in range(looks):
        await asyncio.sleep(POLL)
        claim = await store.claims.get(key)
        if claim is None:
            return WriteResult("failed", error=result.error, checked=True, reason=result.reason)
        if claim.state == DONE:
            return WriteResult("confirmed", claim.reference, checked=True, reason=result.reason)
    return result
