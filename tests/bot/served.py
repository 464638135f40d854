"""The app served as `deskhand serve` serves it (the Starlette app, signed requests over HTTP),
with the backend fakes in process and the Slack fake on a loopback port; each post waits for
the listener work it started, so a test can also tell that nothing was sent."""

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import httpx
from pydantic import SecretStr

from api.desk import Desk
from api.http import RetryPolicy
from bot.app import build_app, build_sandbox_desk
from bot.server import build_http_app
from bot.settings import Settings
from playground.console_work import ListenerWork
from sandbox.data import seeded
from sandbox.kickserv import build_kickserv_app
from sandbox.kickserv_data import seeded_kickserv
from sandbox.readydesk import build_readydesk_app
from sandbox.slack import SlackSandbox
from store import Store
from tests.conftest import FAST_RETRY, UNPACED, ready_store
from tests.slack_helpers import SIGNING_SECRET, event_body, interactive_body, signed_headers

JSON = {"content-type": "application/json"}
FORM = {"content-type": "application/x-www-form-urlencoded"}
READING = ("text", "fields", "elements", "accessory")


class Served:
    """The served app, what it runs on, and ways to post what Slack posts."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        work: ListenerWork,
        desk: Desk,
        settings: Settings,
        fakes: tuple[Any, Any],
    ) -> None:
        self.http, self.work, self.desk, self.settings = client, work, desk, settings
        self.readydesk, self.kickserv = fakes  # the fakes (their `state.data`, `state.faults`)
        self.store: Store = desk.store
        self._events = 0

    async def event(self, event: dict[str, Any]) -> httpx.Response:
        """An Events API delivery of `event`, signed; returns once its listeners are done."""
        self._events += 1
        return await self.post(event_body(f"Ev{self._events:06d}", event), JSON)

    async def interactive(self, payload: dict[str, Any]) -> httpx.Response:
        """A button press, a form submit …, signed; returns once its listeners are done."""
        return await self.post(interactive_body(payload), FORM)

    async def post(self, body: str, kind: dict[str, str]) -> httpx.Response:
        """Any body Slack posts (`kind`: its content-type header), signed; returns once its
        listeners are done."""
        response = await self.http.post(
            "/slack/events", content=body, headers={**kind, **signed_headers(body)}
        )
        await self.work.wait()
        return response


@asynccontextmanager
async def served(
    slack: SlackSandbox,
    *,
    clock: Callable[[], datetime] | None = None,
    database_url: str = "sqlite://",
    fakes: tuple[Any, Any] | None = None,
    **env: str,
) -> AsyncIterator[Served]:
    """The app over both fakes (seeded as the sandbox is, or another app's `fakes`: replicas),
    with `env` as its settings (reads retried at once and posts not paced unless `env` says
    otherwise; `clock`: the app's, the wall clock unless given) and its state in `database_url`
    (in memory unless given)."""
    if fakes is None:
        data = seeded(tickets=300, customers=20)
        fakes = build_readydesk_app(data), build_kickserv_app(seeded_kickserv(data, customers=20))
    settings = Settings(
        _env_file=None,
        SLACK_API_URL=slack.api_url,
        SLACK_BOT_TOKEN=SecretStr("xoxb-test-token"),
        SLACK_SIGNING_SECRET=SecretStr(SIGNING_SECRET),
        **{**FAST_RETRY, **UNPACED, **env},
    )
    store = ready_store(database_url)
    desk = build_sandbox_desk(store, *fakes, RetryPolicy(base_delay=settings.retry_delay))
    await desk.directory.refresh()
    bolt = build_app(settings, desk, store=store, clock=clock)
    work = ListenerWork()
    work.install(bolt)
    app = build_http_app(settings, desk, store=store, bolt=bolt)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://deskhand") as client:
            yield Served(client, work, desk, settings, fakes)
    finally:
        work.uninstall()
        await desk.aclose()


def texts(blocks: list[dict[str, Any]]) -> str:
    """Every text in a list of blocks, in order, one a line (what a person reads)."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if value.get("type") in ("mrkdwn", "plain_text") and "text" in value:
                found.append(value["text"])
                return
            # As a person reads a block: its text, its fields, then what sits beside them.
            order = sorted(value, key=lambda k: READING.index(k) if k in READING else len(READING))
            for key in order:
                walk(value[key])
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(blocks)
    return "\n".join(found)


def dumped(value: Any) -> str:
    """A payload as one JSON string, for looking for a value anywhere in it."""
    return json.dumps(value, ensure_ascii=False)
