"""`deskhand serve`: HTTP mode. A Starlette app served by uvicorn.

`POST /slack/events` takes everything Slack sends (slash commands, interactivity, options and
events, as manifest.yml says); `GET /livez`, `/readyz` (and its old name `/healthz`) and
`/metrics` are bot/probes.py's.
"""

import contextlib
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import uvicorn
from slack_bolt.adapter.starlette.async_handler import to_starlette_response
from slack_bolt.async_app import AsyncApp
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.desk import Desk
from bot.app import build_app, build_desk
from bot.gate import Gate, Refused
from bot.heap import settle_heap
from bot.http_protocol import BoundedHttpTools
from bot.inflight import finish_in_flight, track_listeners
from bot.logs import configure_logging
from bot.metrics import RECEIVED_AT, prepare_shared_metrics
from bot.probes import probe_routes
from bot.scheduler import build_scheduler
from bot.settings import Settings
from store import Store
from telemetry.metrics import HTTP_REFUSED

logger = logging.getLogger("deskhand.server")


def build_http_app(
    settings: Settings,
    desk: Desk | None = None,
    *,
    store: Store | None = None,
    bolt: AsyncApp | None = None,
) -> Starlette:
    """The HTTP-mode ASGI app; its lifespan closes the backend clients and the store."""
    store = store or (desk.store if desk else Store(settings.database_url))
    desk = desk or build_desk(settings, store)
    bolt = bolt or build_app(settings, desk, store=store)
    listeners = track_listeners(bolt)
    secret = settings.slack_signing_secret
    gate = Gate(secret.get_secret_value() if secret else None, settings.max_body_bytes)
    state = {"serving": True}

    async def slack_events(request: Request) -> Response:
        # Only a request the gate verified reaches Bolt: its listeners, middleware and error
        # handler never see an unsigned, oversized or unreadable one. The gate hands over the
        # request as Bolt's adapter would build it, so the body is parsed once.
        received = time.perf_counter()
        try:
            verified = await gate.admit(request)
        except Refused as refusal:
            HTTP_REFUSED.labels(str(refusal.status)).inc()
            return refusal.response()
        verified.context[RECEIVED_AT] = received
        return to_starlette_response(await bolt.async_dispatch(verified))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await store.migrate()  # each process at its start (PostgreSQL runs one at a time)
        desk.start()  # the customer directory fills from now, not from the first request
        scheduler = build_scheduler(settings, store, desk, slack=bolt.client)
        scheduler.start()
        settle_heap()
        logger.info("Deskhand is serving Slack over HTTP")
        yield
        # uvicorn has stopped taking requests: finish those acknowledged, and their writes,
        # before the backend clients close under them.
        state["serving"] = False
        await finish_in_flight(listeners, desk.in_flight, settings.drain_seconds)
        await scheduler.aclose()
        await desk.aclose()
        await store.close()
        logger.info("Deskhand stopped; backend clients closed")

    app = Starlette(
        routes=[
            Route("/slack/events", slack_events, methods=["POST"]),
            *probe_routes(desk, store, lambda: state["serving"]),
        ],
        lifespan=lifespan,
    )
    app.state.bolt = bolt
    return app


def create_app() -> Starlette:
    """The app factory each `deskhand serve --workers N` process calls: its own settings,
    logging, backend clients and store, all from the environment."""
    settings = Settings()
    configure_logging(logging.INFO, settings.secrets(), settings.log_format)
    return build_http_app(settings)


def serve(settings: Settings, host: str, port: int, *, workers: int = 1) -> int:
    """Run HTTP mode until interrupted (SIGINT/SIGTERM end it cleanly).

    With several workers, uvicorn's supervisor runs `create_app` in each process on one
    socket; each migrates at its start as a single process does (PostgreSQL takes them in turn)
    and writes its metrics where any worker's /metrics adds them all up (bot/metrics.py).
    """
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_config": None,
        "access_log": settings.access_log,
        "http": BoundedHttpTools,  # httptools, with headers bounded as h11 bounds them
        "ws": "none",  # no WebSocket is served (Socket Mode is a client): none imported at start
    }
    cleanup = prepare_shared_metrics(workers)
    if workers > 1:
        try:
            uvicorn.run(
                "bot.server:create_app",
                factory=True,
                workers=workers,
                proxy_headers=True,
                **options,
            )
        finally:
            cleanup()
        return 0
    config = uvicorn.Config(build_http_app(settings), proxy_headers=True, **options)
    uvicorn.Server(config).run()
    return 0
