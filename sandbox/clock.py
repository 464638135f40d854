"""The sandbox's clock: the real time plus an offset that only moves forward.

The sandbox backends, the scheduler and the workers read one clock, so jumping it (the web
sandbox's "jump to the next digest") moves the whole world at once: digests fall due, the fakes
date what they write later, and the world's ticker (sandbox/world.py) catches up.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo


def real_now() -> datetime:
    """The real time, aware, in UTC: what a sandbox clock reads when nobody has moved it."""
    return datetime.now(UTC)


class SandboxClock:
    """A clock to share; calling it (or `now()`) reads it. Tests pass a fixed `real`."""

    def __init__(self, real: Callable[[], datetime] = real_now) -> None:
        self._real = real
        self._offset = timedelta(0)
        self._on_jump: list[Callable[[datetime], None]] = []

    def __call__(self) -> datetime:
        """The sandbox's time, as `now()` reads it."""
        return self.now()

    def now(self) -> datetime:
        """The sandbox's time (aware, UTC)."""
        return self._real() + self._offset

    @property
    def offset(self) -> timedelta:
        """How far ahead of the real time the sandbox is."""
        return self._offset

    def local(self, timezone: str) -> datetime:
        """The sandbox's wall-clock time in `timezone`, naive."""
        return self.now().astimezone(ZoneInfo(timezone)).replace(tzinfo=None)

    def today(self, timezone: str) -> date:
        """The sandbox's date in `timezone`."""
        return self.local(timezone).date()

    def jump(self, by: timedelta) -> datetime:
        """Move forward by `by` and tell whoever asked (`on_jump`); returns the new time."""
        if by < timedelta(0):
            raise ValueError("the sandbox clock only moves forward")
        self._offset += by
        now = self.now()
        for listener in list(self._on_jump):
            listener(now)
        return now

    def jump_to(self, when: datetime) -> datetime:
        """Move forward to `when` (aware); a time already past leaves the clock where it is."""
        return self.jump(max(timedelta(0), when - self.now()))

    def on_jump(self, listener: Callable[[datetime], None]) -> None:
        """Call `listener(new time)` after each jump (the ticker catches up, a scheduler looks)."""
        self._on_jump.append(listener)
