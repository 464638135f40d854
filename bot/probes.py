"""What an orchestrator asks and Prometheus scrapes: `/livez` (the process answers; in Socket
Mode, 503 once it has heard nothing of Slack for DESKHAND_SOCKET_DEAF_SECONDS), `/readyz` (it
can serve: migrations applied, the state database answers, a backend is reachable, in Socket
Mode the WebSocket is connected; each part named in the body by a reason class, never a
backend's own words), `/healthz` (the old name of /readyz) and `/metrics`.

HTTP mode serves them beside /slack/events; Socket Mode, which has no HTTP server of its own,
on DESKHAND_METRICS_PORT (`ProbeServer`).
"""

import asyncio
import json
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
from api.errors import (
    BackendError,
    failure_name,
)
from bot.logs import scrub
from bot.metrics import metrics_response
from bot.socket_client import SocketState
from store import Store
from store.migrate import head_revision

logger = logging.getLogger("deskhand.probes")
HEALTH_TIMEOUT = 3.0


def probe_routes(
    desk: Desk,
    store: Store,
    serving: Callable[[], bool],
    socket_state: SocketState | None = None,
    deaf_after: float = float("inf"),
) -> list[Route]:
    """The probe and metrics routes; `serving()` is False while the process starts or stops.
    In Socket Mode `socket_state` says whether Slack is heard; `deaf_after` seconds without it
    fail /livez."""

    async def livez(request: Request) -> Response:
        deaf = socket_state.disconnected_for() if socket_state is not None else 0.0
        if deaf > deaf_after:
            body = {"status": "deaf", "socket": f"disconnected for {deaf:.0f} s"}
            return JSONResponse(body, status_code=503)
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        if not serving():  # starting or stopping: the backend clients may be closed already
            body = not_serving(socket_state)
        else:
            body = await readiness(desk, store, True, socket_state)
        return _scrubbed(body, 200 if body["status"] == "ok" else 503)

    async def metrics(request: Request) -> Response:
        if socket_state is not None:
            socket_state.is_open()  # a reset nobody has looked at yet shows in the gauge
        return await metrics_response(store)

    return [
        Route("/livez", livez, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/healthz", readyz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
    ]


def not_serving(socket_state: SocketState | None = None) -> dict[str, Any]:
    """The readiness of a process starting or stopping: not ready, nothing else asked."""
    body: dict[str, Any] = {
        "status": "unavailable",
        "process": "not serving (starting or stopping)",
    }
    if socket_state is not None:
        body["socket"] = "connected" if socket_state.is_open() else "disconnected"
    return body


async def readiness(
    desk: Desk, store: Store, serving: bool, socket_state: SocketState | None = None
) -> dict[str, Any]:
    """Whether this process can serve, and the state of each thing that takes."""
    if not serving:
        return not_serving(socket_state)
    (database, migrations), readydesk, kickserv = await asyncio.gather(
        _schema(store),
        _probe(desk.readydesk.get_tickets(count=1)),
        _probe(desk.kickserv.job_types()),
    )
    backends = {"readydesk": readydesk, "kickserv": kickserv}
    # Serving takes the process, its database at the code's schema, and one backend at least:
    # a card with one system's part still helps.
    ready = database == "ok" and migrations == "ok" and "ok" in backends.values()
    body: dict[str, Any] = {
        "status": "ok",
        "process": "serving",
        "database": database,
        "migrations": migrations,
        "backends": backends,
    }
    if socket_state is not None:  # Socket Mode: nothing reaches a process whose socket is down
        connected = socket_state.is_open()
        body["socket"] = "connected" if connected else "disconnected"
        ready = ready and connected
    body["status"] = "ok" if ready else "unavailable"
    return body


def _scrubbed(body: dict[str, Any], status: int) -> Response:
    """The answer as JSON, through the scrubbing every outbound text gets."""
    return Response(
        scrub(json.dumps(body, ensure_ascii=False)),
        status_code=status,
        media_type="application/json",
    )


async def _schema(store: Store) -> tuple[str, str]:
    """(the database's state, the migrations' state)."""
    try:
        current = await asyncio.wait_for(store.revision(), HEALTH_TIMEOUT)
    except TimeoutError:
        return "timeout", "unknown"
    except Exception as err:  # whatever the driver raised: its text may name the server
        logger.warning("readyz: the state database did not answer: %s", scrub(repr(err)))
        return f"error: {type(err).__name__}", "unknown"
    head = head_revision()
    if current == head:
        return "ok", "ok"
    return "ok", f"at {current or 'none'}, needs {head} (deskhand db upgrade)"


async def _probe(call: Awaitable[Any]) -> str:
    """'ok', or the class of a backend's failure (`api.errors.failure_name`, or 'timeout')."""
    try:
        await asyncio.wait_for(call, HEALTH_TIMEOUT)
    except TimeoutError:
        return "timeout"
    except BackendError as err:
        reason = failure_name(err)  # its kind, never its words
        logger.info("readyz: %s %s", err.backend, reason)
        return reason
    except Exception as err:  # a client closed under a stopping process, a bug: not a 500
        logger.warning("readyz: a backend probe failed: %s", type(err).__name__)
        return "error"
    return "ok"


class ProbeServer:
    """Socket Mode's small HTTP server for the probes and /metrics, in the process's loop."""

    def __init__(
        self,
        desk: Desk,
        store: Store,
        serving: Callable[[], bool],
        socket_state: SocketState | None = None,
        deaf_after: float = float("inf"),
    ) -> None:
        self._app = Starlette(routes=probe_routes(desk, store, serving, socket_state, deaf_after))
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
            ws="none",  # probes are plain HTTP: no WebSocket library imported for them
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
