"""What an orchestrator asks and Prometheus scrapes: `/livez` (the process answers), `/readyz`
(it can serve: migrations applied, the state database answers, a backend is reachable; each
part named in the body), `/healthz` (the old name of /readyz) and `/metrics`.

HTTP mode serves them beside /slack/events; Socket Mode, which has no HTTP server of its own,
on DESKHAND_METRICS_PORT (`ProbeServer`).
"""

import asyncio
import logging
import socket
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from api.desk import Desk
from api.errors import BackendError
from api.http import redact
from bot.metrics import metrics_response
from store import Store
from store.migrate import head_revision

logger = logging.getLogger("deskhand.probes")
HEALTH_TIMEOUT = 3.0


def probe_routes(desk: Desk, store: Store, serving: Callable[[], bool]) -> list[Route]:
    """The probe and metrics routes; `serving()` is False while the process starts or stops."""

    async def livez(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        body = await readiness(desk, store, serving())
        return JSONResponse(body, status_code=200 if body["status"] == "ok" else 503)

    async def metrics(request: Request) -> Response:
        return await metrics_response(store)

    return [
        Route("/livez", livez, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/healthz", readyz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
    ]


async def readiness(desk: Desk, store: Store, serving: bool) -> dict[str, Any]:
    """Whether this process can serve, and the state of each thing that takes."""
    (database, migrations), readydesk, kickserv = await asyncio.gather(
        _schema(store),
        _probe(desk.readydesk.get_tickets(count=1)),
        _probe(desk.kickserv.job_types()),
    )
    backends = {"readydesk": readydesk, "kickserv": kickserv}
    # Serving takes the process, its database at the code's schema, and one backend at least:
    # a card with one system's part still helps.
    ready = serving and database == "ok" and migrations == "ok" and "ok" in backends.values()
    return {
        "status": "ok" if ready else "unavailable",
        "process": "serving" if serving else "not serving (starting or stopping)",
        "database": database,
        "migrations": migrations,
        "backends": backends,
    }


async def _schema(store: Store) -> tuple[str, str]:
    """(the database's state, the migrations' state)."""
    try:
        current = await asyncio.wait_for(store.revision(), HEALTH_TIMEOUT)
    except TimeoutError:
        return "timeout", "unknown"
    except Exception as err:  # whatever the driver raised: its text may name the server
        logger.warning("readyz: the state database did not answer: %s", redact(repr(err)))
        return f"error: {type(err).__name__}", "unknown"
    head = head_revision()
    if current == head:
        return "ok", "ok"
    return "ok", f"at {current or 'none'}, needs {head} (deskhand db upgrade)"


async def _probe(call: Awaitable[Any]) -> str:
    """'ok', or why a backend cannot be reached (a user-fit message, no URLs or keys)."""
    try:
        await asyncio.wait_for(call, HEALTH_TIMEOUT)
    except TimeoutError:
        return "timeout"
    except BackendError as err:
        return f"error: {err.message}"
    return "ok"


class ProbeServer:
    """Socket Mode's small HTTP server for the probes and /metrics, in the process's loop."""

    def __init__(self, desk: Desk, store: Store, serving: Callable[[], bool]) -> None:
        self._app = Starlette(routes=probe_routes(desk, store, serving))
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self, host: str, port: int) -> None:
        """Listen on host:port (OSError when it cannot) and serve until `aclose`."""
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            sock.close()
            raise
        config = uvicorn.Config(
            self._app,
            log_config=None,
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
        self._server = _InLoopServer(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]), name="probes")
        while not self._server.started and not self._task.done():
            await asyncio.sleep(0.01)
        logger.info("probes and /metrics on http://%s:%d", host, port)

    async def aclose(self) -> None:
        """Stop serving (the last thing a stopping process does)."""
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await asyncio.gather(self._task, return_exceptions=True)


class _InLoopServer(uvicorn.Server):
    """uvicorn's server without its signal handlers: the process's own stop them (and the
    Socket Mode connection) in order."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Leave SIGINT and SIGTERM to the process."""
        yield
