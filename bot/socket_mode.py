"""`deskhand run` with Slack tokens: Socket Mode, the default for an internal app.

Socket Mode has no HTTP server; with DESKHAND_METRICS_PORT set, the process serves the probes
and /metrics on that port (bot/probes.py) from before it migrates until it has stopped. The
connection itself (a new URL for each try, backoff, its state) is bot/socket_client.py's.
"""

import asyncio
import logging
import signal
import threading
from typing import Any

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

from api.desk import Desk
from bot.app import build_app, build_desk
from bot.heap import settle_heap
from bot.inflight import finish_in_flight, track_listeners
from bot.metrics import prepare_shared_metrics
from bot.probes import ProbeServer
from bot.scheduler import build_scheduler
from bot.settings import Settings
from bot.socket_client import ReconnectingSocketClient, SocketState, TokenRefused
from store import Store

logger = logging.getLogger("deskhand.socket_mode")
PING_INTERVAL = 10.0  # seconds between pings; a socket silent for 4 of them is replaced


class SocketHandler(AsyncSocketModeHandler):
    """Bolt's Socket Mode adapter over `ReconnectingSocketClient`."""

    def __init__(self, app: AsyncApp, client: ReconnectingSocketClient) -> None:
        # Bolt's __init__ would make slack-sdk's own client (and its aiohttp session) first.
        self.app = app
        self.app_token = client.app_token
        self.client = client
        client.socket_mode_request_listeners.append(self.handle)  # type: ignore[arg-type]


def socket_handler(
    settings: Settings, app: AsyncApp, state: SocketState | None = None, **options: Any
) -> SocketHandler:
    """The Socket Mode handler for `app`, reporting to `state` (`options`: the client's)."""
    assert settings.slack_app_token is not None
    client = ReconnectingSocketClient(
        settings.slack_app_token.get_secret_value(),
        state=state,
        logger=app.logger,
        web_client=app.client,
        ping_interval=options.pop("ping_interval", PING_INTERVAL),
        **options,
    )
    return SocketHandler(app, client)


async def connect_socket_mode(
    settings: Settings, app: AsyncApp, state: SocketState | None = None, **options: Any
) -> SocketHandler:
    """Open the Socket Mode connection; it reconnects by itself, on a new URL, when Slack
    drops, refreshes or refuses it."""
    handler = socket_handler(settings, app, state, **options)
    await handler.connect_async()
    return handler


async def run_socket_mode(settings: Settings) -> int:
    """Serve Slack over Socket Mode until SIGINT or SIGTERM; then close every client."""
    if settings.slack_app_token is None:
        logger.error(
            "SLACK_BOT_TOKEN is set but SLACK_APP_TOKEN is not: Socket Mode needs both. "
            "For HTTP mode run `deskhand serve` with SLACK_SIGNING_SECRET instead."
        )
        return 2
    prepare_shared_metrics(1)  # with PROMETHEUS_MULTIPROC_DIR set: forget an earlier run's values
    store = Store(settings.database_url)
    desk = build_desk(settings, store)
    serving = asyncio.Event()
    state = SocketState()
    probes = ProbeServer(desk, store, serving.is_set, state, settings.socket_deaf_seconds)
    if settings.metrics_port is not None:
        try:
            await probes.start(settings.metrics_host, settings.metrics_port)
        except OSError as err:
            logger.error(
                "DESKHAND_METRICS_PORT: cannot listen on %s:%d (%s)",
                settings.metrics_host,
                settings.metrics_port,
                err.strerror or err,
            )
            await desk.aclose()
            await store.close()
            return 2
    try:
        await _serve(settings, store, desk, serving, state)
    except TokenRefused as refused:
        logger.error(
            "Slack refused SLACK_APP_TOKEN (%s): Socket Mode needs the app-level token "
            "(xapp-…, Basic Information > App-Level Tokens) with the connections:write scope",
            refused.error,
        )
        return 2
    finally:
        await probes.aclose()
    return 0


async def _serve(
    settings: Settings, store: Store, desk: Desk, serving: asyncio.Event, state: SocketState
) -> None:
    """Migrate, connect and run until SIGINT or SIGTERM; then finish the requests already
    acknowledged, and close everything."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # Signals reach the main thread only; `main()` run in a thread (tests' run_cli) takes none.
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
    await store.migrate()
    desk.start()  # the customer directory fills from now, not from the first request
    bolt = build_app(settings, desk, store=store)
    listeners = track_listeners(bolt)
    handler = socket_handler(settings, bolt, state)
    scheduler = build_scheduler(settings, store, desk, slack=bolt.client)
    connecting = asyncio.create_task(handler.connect_async(), name="socket-connect")
    stopping = asyncio.create_task(stop.wait(), name="stop")
    try:
        await asyncio.wait({connecting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if not stop.is_set():
            connecting.result()  # a connect that raised stops the process, loudly
            scheduler.start()
            settle_heap()
            serving.set()
            logger.info("Deskhand is connected to Slack over Socket Mode")
            await stopping
    finally:
        serving.clear()  # /readyz says so while the requests finish
        for task in (connecting, stopping):
            task.cancel()
        await handler.close_async()  # no new requests; then finish those acknowledged
        await finish_in_flight(listeners, desk.in_flight, settings.drain_seconds)
        await scheduler.aclose()
        await desk.aclose()
        await store.close()
        logger.info("Deskhand stopped; connections closed")
