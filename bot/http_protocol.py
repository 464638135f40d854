"""The HTTP parser `deskhand serve` runs: uvicorn's httptools protocol, with what a request may
make the parser hold in memory bounded as uvicorn's h11 protocol bounds it.

httptools parses in C: measured with bench/ack_burst.py, it leaves about a tenth of a request's
server CPU that h11, written in Python, spends. But it keeps whatever it has not handed on yet
however long it runs: a request's headers (a megabyte, even 30 MB, were read and answered 200),
and after a chunked body, its trailers. Everything a request sends is one or the other, or body
bytes, which are handed on as they come (and bounded by the gate). So the bytes that arrive
without any body bytes being handed on are counted, from the start of each request and again
after each piece of its body; past MAX_HEADER_BYTES the request gets 400 and the connection is
closed. What the parser holds stays under that bound plus one read from the socket (asyncio
reads at most 256 KB at a time).
"""

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

MAX_HEADER_BYTES = 64 * 1024  # h11's bound in uvicorn (h11_max_incomplete_event_size's default)
TOO_LARGE = "Request headers too large."


class BoundedHttpTools(HttpToolsProtocol):
    """httptools, refusing a request that sends more than MAX_HEADER_BYTES of anything but its
    body in a row (headers, chunk lines, trailers)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """A new connection: nothing counted yet."""
        self._held = 0
        super().connection_made(transport)

    def data_received(self, data: bytes) -> None:
        """Parse `data`; refuse the request once too much came without body bytes handed on."""
        self._held += len(data)
        super().data_received(data)
        if self._held > MAX_HEADER_BYTES and not self.transport.is_closing():
            self.logger.warning("Request refused: over %d bytes of headers.", MAX_HEADER_BYTES)
            self.send_400_response(TOO_LARGE)

    def on_body(self, body: bytes) -> None:
        """Body bytes are handed on (the gate bounds them): what came before is not held."""
        self._held = 0
        super().on_body(body)

    def on_message_complete(self) -> None:
        """The request is in: the next bytes on this connection are the next request's."""
        super().on_message_complete()
        self._held = 0
