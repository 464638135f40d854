"""Where the web sandbox's "Jump to the next digest" goes: the next slot of any digest or
run-sheet that is not paused, or why there is none."""

from datetime import datetime, time, timedelta

from api.times import day_words, time_of_day
from store import Store
from store.digests import RUNSHEET
from store.schedules import DigestSchedule

LOOK_AHEAD = timedelta(days=8)  # a weekly schedule's next slot is within a week


async def next_post(store: Store, now: datetime) -> tuple[datetime, str] | None:
    """The soonest slot after `now`, and what it brings ("the digest", "your run-sheet")."""
    slots = []
    for sub in await store.digests.active():
        schedule = DigestSchedule(time.fromisoformat(sub.at_time), sub.days, sub.timezone)
        what = "your run-sheet" if sub.kind == RUNSHEET else "the digest"
        slots += [(slot, what) for slot in schedule.slots_between(now, now + LOOK_AHEAD)[:1]]
    return min(slots) if slots else None


def jumped(slot: datetime, what: str) -> str:
    """The notice once the clock is at `slot` (in its schedule's zone)."""
    when = f"{day_words(slot)} {time_of_day(slot, str(slot.tzinfo))}"
    return f"The sandbox clock jumped to {when}: here comes {what}."


async def why_nothing_is_due(store: Store, channels: list[str]) -> str:
    """What Jump says when nothing is due: every digest in these channels paused, or none."""
    paused = [s for c in channels for s in await store.digests.in_channel(c) if s.paused]
    if paused:
        first = min(s.id for s in paused)
        return (
            f"Every digest is paused: `/digest resume {first}` in its channel starts it "
            "again, then jump."
        )
    return (
        "No digest is scheduled. Add one in a channel, e.g. "
        "`/digest add unresolved at 08:00`, then jump."
    )
