"""`deskhand run` with Slack tokens: Socket Mode, the default for an internal app.

Socket Mode has no HTTP server; with DESKHAND_METRICS_PORT set, the process serves the probes
and /metrics on that port (bot/probes.py) from before it migrates until it has stopped.
"""

import asyncio
import logging
import signal

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

from api.desk import Desk
from api.writes import drain
from bot.app import build_app, build_desk
from bot.heap import settle_heap
from bot.metrics import prepare_shared_metrics
from bot.probes import ProbeServer
from bot.scheduler import build_scheduler
from bot.settings import Settings
from store import Store

logger = logging.getLogger("deskhand.socket_mode")


async def connect_socket_mode(settings: Settings, app: AsyncApp) -> AsyncSocketModeHandler:
    """Open the Socket Mode connection (reconnects by itself when Slack drops or refreshes it)."""
    assert settings.slack_app_token is not None
    handler = AsyncSocketModeHandler(app, settings.slack_app_token.get_secret_value())
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
    connected = asyncio.Event()
    probes = ProbeServer(desk, store, connected.is_set)
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
        await _serve(settings, store, desk, connected)
    finally:
        await probes.aclose()
    return 0


async def _serve(settings: Settings, store: Store, desk: Desk, connected: asyncio.Event) -> None:
    """Migrate, connect and run until SIGINT or SIGTERM; then drain and close everything."""
    await store.migrate()
    desk.start()  # the customer directory fills from now, not from the first request
    handler = await connect_socket_mode(settings, build_app(settings, desk, store=store))
    scheduler = build_scheduler(settings, store, desk)
    scheduler.start()
    settle_heap()
    connected.set()
    logger.info("Deskhand is connected to Slack over Socket Mode")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        connected.clear()  # /readyz says so while the writes drain
        await handler.close_async()  # no new requests; then finish the writes in flight
        left = await drain(settings.drain_seconds)
        if left:
            logger.warning("stopping with %d write(s) unfinished; the next start reconciles", left)
        await scheduler.aclose()
        await desk.aclose()
        await store.close()
        logger.info("Deskhand stopped; connections closed")
