"""Serving a sandbox ASGI app on a free loopback port inside the running event loop."""

import asyncio
import socket

import uvicorn
from starlette.types import ASGIApp

CLOSE_WAIT = 5.0  # seconds a stop waits for open connections to finish their responses


def bind(host: str, port: int) -> socket.socket:
    """A socket bound to `host`:`port` (0: one the OS picks); OSError when the port is taken."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # asyncio turns Nagle off only on sockets made with proto IPPROTO_TCP, which this one (and
    # the connections it accepts, which inherit the option) is not: with Nagle on, every
    # request after the first on a kept-alive connection waited ~40 ms for a delayed ACK.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


class LoopbackServer:
    """uvicorn on 127.0.0.1 and a port the OS picks (or the one asked for); `base_url` once
    started.

    Started and stopped through uvicorn's startup/shutdown steps rather than `Server.serve()`:
    serve's loop looks for a stop every 0.1 s and its shutdown sleeps another 0.1 s, which made
    each stop of a sandbox cost 0.1-0.2 s — hundreds of times in a test run. A stop here closes
    the listening socket, asks each connection to close once its response is out, and returns
    as soon as they have.
    """

    def __init__(
        self,
        app: ASGIApp,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        sock: socket.socket | None = None,
    ) -> None:
        self._app = app
        self._host = host
        self._port = port
        self._sock = sock  # already bound (see `bind`), or None to bind at start
        self._server: uvicorn.Server | None = None
        self.base_url = ""

    async def start(self) -> str:
        """Start serving; returns the base URL (no trailing slash)."""
        sock = self._sock or bind(self._host, self._port)
        port = sock.getsockname()[1]
        config = uvicorn.Config(self._app, log_level="warning", lifespan="off")
        config.load()
        server = uvicorn.Server(config)
        server.lifespan = config.lifespan_class(config)
        await server.startup(sockets=[sock])
        if server.should_exit:  # startup failed; uvicorn has logged why
            raise OSError(f"the sandbox could not serve on {self._host}:{port}")
        self._server = server
        self.base_url = f"http://{self._host}:{port}"
        return self.base_url

    async def stop(self) -> None:
        """Stop serving once the responses in flight are out."""
        server, self._server = self._server, None
        if server is None:
            return
        for listening in server.servers:
            listening.close()
        for connection in list(server.server_state.connections):
            connection.shutdown()
        async with asyncio.timeout(CLOSE_WAIT):
            while server.server_state.connections or server.server_state.tasks:
                await asyncio.sleep(0.005)
        for listening in server.servers:
            await listening.wait_closed()

    async def __aenter__(self) -> "LoopbackServer":
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
