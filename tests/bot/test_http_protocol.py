"""`deskhand serve`'s HTTP parser (bot/http_protocol.py): headers are bounded, bodies and
keep-alive connections are not harmed by the bound."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn

from bot.http_protocol import MAX_HEADER_BYTES, BoundedHttpTools
from ops.containers import free_port


async def _echo_length(scope, receive, send) -> None:
    """An ASGI app that answers with how many body bytes it read."""
    size, more = 0, True
    while more:
        message = await receive()
        size += len(message.get("body", b""))
        more = message.get("more_body", False)
    body = str(size).encode()
    headers = [(b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@asynccontextmanager
async def _serving() -> AsyncIterator[int]:
    port = free_port()
    config = uvicorn.Config(
        _echo_length, port=port, http=BoundedHttpTools, log_config=None, lifespan="off"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield port
    finally:
        server.should_exit = True
        await task


def _request(padding: int, body: bytes = b"") -> bytes:
    head = (
        f"POST /slack/events HTTP/1.1\r\nHost: x\r\nX-Padding: {'p' * padding}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _answers(port: int, *requests: bytes) -> list[bytes]:
    """Send `requests` one after another on one connection; each answer's status line and body
    (b"closed" once the server hung up)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    answers = []
    try:
        for request in requests:
            try:
                writer.write(request)
                await writer.drain()
                status = await reader.readuntil(b"\r\n")
                head = await reader.readuntil(b"\r\n\r\n")
            except (ConnectionError, asyncio.IncompleteReadError):
                answers.append(b"closed")
                break
            length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
            answers.append(status.strip() + b" " + await reader.readexactly(length))
    finally:
        writer.close()
    return answers


async def test_headers_under_the_bound_are_served_and_a_megabyte_is_refused(caplog):
    async with _serving() as port:
        assert await _answers(port, _request(MAX_HEADER_BYTES - 1000)) == [b"HTTP/1.1 200 OK 0"]
        refused = await _answers(port, _request(1_000_000))
    assert refused in ([b"HTTP/1.1 400 Bad Request Request headers too large."], [b"closed"])
    assert "Request refused: over 65536 bytes of headers." in caplog.text  # not any hang-up


async def test_the_bound_is_per_request_on_a_kept_alive_connection():
    # Three requests whose headers together pass the bound, one after another on one connection.
    request = _request(MAX_HEADER_BYTES // 2)
    async with _serving() as port:
        answers = await _answers(port, request, request, request)
    assert answers == [b"HTTP/1.1 200 OK 0"] * 3


async def test_a_body_longer_than_the_header_bound_is_read_whole():
    body = b"b" * (4 * MAX_HEADER_BYTES)
    async with _serving() as port:
        answers = await _answers(port, _request(100, body))
    assert answers == [f"HTTP/1.1 200 OK {len(body)}".encode()]


async def test_trailers_after_a_chunked_body_are_bounded_as_headers_are(caplog):
    head = b"POST /slack/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    body = b"5\r\nhello\r\n" * 1000  # many small chunks: a body's framing is not held
    trailers = b"".join(b"X-Trailer-%d: %s\r\n" % (n, b"t" * 1000) for n in range(1000))
    async with _serving() as port:
        served = await _answers(port, head + body + b"0\r\n\r\n")
        refused = await _answers(port, head + body + b"0\r\n" + trailers + b"\r\n")
    assert served == [b"HTTP/1.1 200 OK 5000"]
    assert refused in ([b"HTTP/1.1 400 Bad Request Request headers too large."], [b"closed"])
    assert "Request refused: over 65536 bytes of headers." in caplog.text
