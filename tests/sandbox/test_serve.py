"""The sandboxes' loopback server answers request after request on one kept-alive connection
without Nagle's delay (every fake and the web sandbox page are served this way)."""

import time

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sandbox.serve import LoopbackServer

REQUESTS = 20
# With Nagle on, each request after the first waited for a delayed ACK (40 ms at least on
# Linux): 19 of them took 0.76 s or more. Without, they take a few milliseconds each.
BOUND = 0.5


async def _echo(request: Request) -> JSONResponse:
    return JSONResponse(await request.json())


async def test_requests_on_one_connection_are_not_held_back_by_nagle():
    app = Starlette(routes=[Route("/echo", _echo, methods=["POST"])])
    async with (
        LoopbackServer(app) as server,
        httpx.AsyncClient(base_url=server.base_url) as client,
    ):
        await client.post("/echo", json={"n": 0})  # the connection, opened once
        started = time.monotonic()
        for n in range(1, REQUESTS):
            assert (await client.post("/echo", json={"n": n})).json() == {"n": n}
        took = time.monotonic() - started
    assert took < BOUND, f"{REQUESTS - 1} requests on one connection took {took:.2f} s"
