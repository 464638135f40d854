"""The sandbox's clock: real time plus an offset that only moves forward.

The web sandbox's "jump to the next digest" moves it, so a digest scheduled for tomorrow
morning is posted now; whatever reads this clock sees the later time from then on.
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta


class SandboxClock:
    """`now()` is the real time plus `offset`; `jump_to` moves the offset forward."""

    def __init__(
        self,
        offset: timedelta = timedelta(0),
        *,
        real: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.offset = max(offset, timedelta(0))
        self._real = real

    def now(self) -> datetime:
        """The sandbox's time, aware, in UTC."""
        return self._real() + self.offset

    def jump_to(self, instant: datetime) -> timedelta:
        """Move the clock so that it reads `instant` now (never backwards); how far it moved."""
        moved = max(instant - self.now(), timedelta(0))
        self.offset += moved
        return moved
