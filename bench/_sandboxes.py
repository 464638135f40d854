"""Large sandboxes for the benchmarks: both fakes in process, with a filled customer directory."""

import sys
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from api.desk import Desk
from bot.app import build_sandbox_desk
from bot.settings import Settings
from sandbox.data import seeded
from sandbox.kickserv import build_kickserv_app
from sandbox.kickserv_data import seeded_kickserv
from sandbox.readydesk import build_readydesk_app
from sandbox.slack import SANDBOX_BOT_TOKEN, SlackSandbox
from store import Store

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # ops/ is not installed
    sys.path.append(str(ROOT))
from ops.containers import free_port  # noqa: E402

__all__ = ["ROOT", "SECRET", "free_port", "large_desk", "slack_settings", "slow_down"]

SECRET = "bench-signing-secret"  # noqa: S105 - signs the benchmark's own requests


def slack_settings(slack: SlackSandbox, **env: Any) -> Settings:
    """The app's settings against the Slack sandbox `slack`, signing with SECRET, and `env`."""
    return Settings(
        _env_file=None,
        SLACK_API_URL=slack.api_url,
        SLACK_BOT_TOKEN=SecretStr(SANDBOX_BOT_TOKEN),
        SLACK_SIGNING_SECRET=SecretStr(SECRET),
        **env,
    )


def large_desk(store: Store, *, customers: int, tickets: int) -> Desk:
    """Both fakes with `customers` customers each (same emails) and a directory on `store`."""
    readydesk_data = seeded(tickets=tickets, customers=customers)
    kickserv_data = seeded_kickserv(readydesk_data, customers=customers)
    return build_sandbox_desk(
        store, build_readydesk_app(readydesk_data), build_kickserv_app(kickserv_data)
    )


def slow_down(desk: Desk, seconds: float) -> None:
    """Every request to either fake waits `seconds` first (earlier latency is replaced)."""
    for client in (desk.readydesk, desk.kickserv):
        faults = client.transport.app.state.faults
        faults.clear()
        if seconds:
            faults.add("latency", seconds=seconds)


class CallCounter:
    """Counts the requests that reach a fake (put in front of it by `count_calls`)."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.app, self.calls = app, 0
        self.state = app.state  # the fault switches stay reachable

    async def __call__(self, scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        if scope["type"] == "http":
            self.calls += 1
        await self.app(scope, receive, send)


def count_calls(client) -> CallCounter:  # type: ignore[no-untyped-def]
    """Count every request a backend client sends to its in-process fake."""
    transport = client.transport
    counter = CallCounter(transport.app)
    transport.app = counter
    return counter
