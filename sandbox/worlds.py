"""The sandboxes' two seeded worlds, drawn together: Kickserv's customers are ReadyDesk's."""

import functools
import pickle
from datetime import date

from sandbox.data import SandboxData, seeded
from sandbox.kickserv_data import KickservData, seeded_kickserv


def seeded_worlds(today: date, timezone: str) -> tuple[SandboxData, KickservData]:
    """ReadyDesk's seeded help desk around `today` in `timezone`, and the Kickserv account drawn
    from it; each call gets a pair of its own to change (their clocks are the caller's to set)."""
    return pickle.loads(_frozen_worlds(today, timezone))  # noqa: S301 (pickled just below)


@functools.lru_cache(maxsize=8)
def _frozen_worlds(today: date, timezone: str) -> bytes:
    """The pair, pickled: its arguments decide it entirely, and every console and sandbox
    process starts from one (a copy costs a fraction of drawing Kickserv's jobs again)."""
    readydesk = seeded(today=today)
    readydesk.timezone = timezone
    return pickle.dumps((readydesk, seeded_kickserv(readydesk, today=today)))
