"""`deskhand run` with Slack tokens: connect to Slack over Socket Mode."""

import logging

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from bot.app import build_app, build_desk
from bot.settings import Settings

logger = logging.getLogger("deskhand.socket_mode")


async def run_socket_mode(settings: Settings) -> int:
    """Serve Slack over a WebSocket until interrupted; returns the exit status."""
    if settings.slack_app_token is None:
        logger.error("SLACK_BOT_TOKEN is set but SLACK_APP_TOKEN is not: Socket Mode needs both.")
        return 2
    desk = build_desk(settings)
    app = build_app(settings, desk)
    handler = AsyncSocketModeHandler(app, settings.slack_app_token.get_secret_value())
    try:
        await handler.start_async()
    finally:
        await desk.aclose()
    return 0
