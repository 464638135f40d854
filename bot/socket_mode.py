"""`deskhand run` with Slack tokens: Socket Mode, the default for an internal app."""

import asyncio
import logging
import signal

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

from api.writes import drain
from bot.app import build_app, build_desk
from bot.heap import settle_heap
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
    store = Store(settings.database_url)
    await store.migrate()
    desk = build_desk(settings, store)
    desk.start()  # the customer directory fills from now, not from the first request
    handler = await connect_socket_mode(settings, build_app(settings, desk, store=store))
    scheduler = build_scheduler(settings, store, desk)
    scheduler.start()
    settle_heap()
    logger.info("Deskhand is connected to Slack over Socket Mode")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await handler.close_async()  # no new requests; then finish the writes in flight
        left = await drain(settings.drain_seconds)
        if left:
            logger.warning("stopping with %d write(s) unfinished; the next start reconciles", left)
        await scheduler.aclose()
        await desk.aclose()
        await store.close()
        logger.info("Deskhand stopped; connections closed")
    return 0
