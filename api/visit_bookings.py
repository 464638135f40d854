"""A visit whose job's creation could not be confirmed at once (its reply was lost): the
booking is kept, keyed by the job's write, and linked once the claim sweeper confirms the job
(nothing is linked when it finds the job was not created)."""

import json
from collections.abc import Awaitable, Callable
from dataclasses import asdict, replace
from datetime import datetime

from api.errors import BackendError
from api.identity import Profile
from api.kickserv import KickservClient
from api.visits import FIRST_RETRY, LAST_RETRY, Booking
from store import Store
from store.claims import DONE
from store.visits import OwedNote

LINK = "link"  # the kind of an owed row that is a booking waiting for its job
Book = Callable[[Booking], Awaitable[list[OwedNote]]]


async def keep_booking(store: Store, job_intent: str, booking: Booking, now: datetime) -> None:
    """Keep a booking whose job may yet exist, to link when its write is confirmed."""
    fields = asdict(replace(booking, job=None))
    row = OwedNote(
        f"{LINK}:{job_intent}",
        booking.ticket_id,
        0,
        LINK,
        json.dumps(fields),
        booking.user_id,
        booking.author.name,
        booking.author.email or "",
    )
    await store.visits.owe(row, now)


async def settle_bookings(
    kickserv: KickservClient, store: Store, book: Book, rows: list[OwedNote], now: datetime
) -> int:
    """Link each kept booking whose job is now confirmed; forget one whose job was not
    created; try the others again later. How many were linked."""
    linked = 0
    for row in rows:
        claim = await store.claims.get(row.intent_key.removeprefix(f"{LINK}:"))
        if claim is None:  # released: the job was not created, and its person was told
            await store.visits.written(row.intent_key, now)
            continue
        if claim.state != DONE or not claim.reference:
            await store.visits.try_later(row.intent_key, now + _wait(row))
            continue
        try:
            job = await kickserv.get_job(int(claim.reference))
        except BackendError:
            await store.visits.try_later(row.intent_key, now + _wait(row))
            continue
        fields = json.loads(row.text)
        author = Profile(**fields.pop("author"))
        fields.update(job=job, job_number=job.job_number, author=author)
        await book(Booking(**fields))
        if await store.visits.written(row.intent_key, now):
            linked += 1
    return linked


def _wait(row: OwedNote):  # type: ignore[no-untyped-def]
    return min(FIRST_RETRY * 2**row.tries, LAST_RETRY)
