"""The HTTP parser `deskhand serve` runs: uvicorn's httptools protocol, with a request's headers
bounded as uvicorn's h11 protocol bounds them.

httptools parses in C: measured with bench/ack_burst.py, it leaves about a tenth of a request's
server CPU that h11, written in Python, spends. But it reads a request's headers into memory
however long they run (a megabyte, even 30 MB, were read and answered 200). Here the bytes that
arrive while a request's headers are still incomplete are counted; past MAX_HEADER_BYTES the
request gets 400 and the connection is closed, before the app sees it. Memory held for headers
stays under that bound plus one read from the socket (asyncio reads at most 256 KB at a time).
"""

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

MAX_HEADER_BYTES = 64 * 1024  # h11's bound in uvicorn (h11_max_incomplete_event_size's default)
TOO_LARGE = "Request headers too large."


class BoundedHttpTools(HttpToolsProtocol):
    """httptools, refusing a request whose headers run past MAX_HEADER_BYTES."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """A new connection starts in a request's headers."""
        self._in_headers = True
        self._header_bytes = 0
        super().connection_made(transport)

    def data_received(self, data: bytes) -> None:
        """Parse `data`; refuse the request if its headers are still incomplete past the bound."""
        if self._in_headers:
            self._header_bytes += len(data)
        super().data_received(data)
        over = self._in_headers and self._header_bytes > MAX_HEADER_BYTES
        if over and not self.transport.is_closing():
            self.logger.warning("Request refused: headers over %d bytes.", MAX_HEADER_BYTES)
            self.send_400_response(TOO_LARGE)

    def on_headers_complete(self) -> None:
        """The headers are in: what follows (the body) is bounded by the gate, not here."""
        self._in_headers = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        """The request is in: the next bytes on this connection are the next request's headers."""
        super().on_message_complete()
        self._in_headers = True
        self._header_bytes = 0
