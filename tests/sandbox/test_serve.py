"""The sandboxes' loopback server answers request after request on one kept-alive connection
without Nagle's delay (every fake and the web sandbox page are served this way)."""

import socket

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sandbox.serve import LoopbackServer, bind


async def _echo(request: Request) -> JSONResponse:
    return JSONResponse(await request.json())


def test_the_listening_socket_has_nagle_off_for_every_connection_it_accepts():
    # With Nagle on, each request after the first on a connection waited for a delayed ACK
    # (40 ms or more on Linux); accepted connections inherit the listening socket's option.
    sock = bind("127.0.0.1", 0)
    try:
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    finally:
        sock.close()


async def test_requests_on_one_kept_alive_connection_are_each_answered():
    app = Starlette(routes=[Route("/echo", _echo, methods=["POST"])])
    async with (
        LoopbackServer(app) as server,
        httpx.AsyncClient(base_url=server.base_url) as client,
    ):
        for n in range(20):
            assert (await client.post("/echo", json={"n": n})).json() == {"n": n}
