"""The baseline for bench/ack_burst.py: a bare slack-bolt AsyncApp whose `/ticket` only acks.

Served as `deskhand serve` serves Deskhand (Starlette, Bolt's Starlette adapter, uvicorn with
the same options), so the difference the benchmark shows is Deskhand's own.
Run: `python bench/_bare_bolt.py PORT` with SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN and
SLACK_API_URL set (the Slack sandbox answers Bolt's auth.test).
"""

import os
import sys

import uvicorn
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def build_bare_app() -> Starlette:
    """POST /slack/events into a Bolt app with one listener that acks `/ticket`."""
    token = os.environ["SLACK_BOT_TOKEN"]
    bolt = AsyncApp(
        client=AsyncWebClient(token=token, base_url=os.environ["SLACK_API_URL"]),
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
    )

    @bolt.command("/ticket")
    async def ticket(ack: AsyncAck) -> None:
        """Ack, nothing else."""
        await ack()

    handler = AsyncSlackRequestHandler(bolt)

    async def events(request: Request) -> Response:
        return await handler.handle(request)

    return Starlette(routes=[Route("/slack/events", events, methods=["POST"])])


if __name__ == "__main__":
    config = uvicorn.Config(
        build_bare_app(),
        host="127.0.0.1",
        port=int(sys.argv[1]),
        log_config=None,
        proxy_headers=True,
    )
    uvicorn.Server(config).run()
