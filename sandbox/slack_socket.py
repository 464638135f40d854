"""The Slack fake's Socket Mode side: `apps.connections.open` hands out a loopback WebSocket URL
(single-use, as Slack's are) that says `hello`, delivers the envelopes given to `deliver()`
(queued while no socket is connected, so nothing is lost across a reconnect) and records each
acknowledgement by `envelope_id`. On request it refuses upgrades (`refuse_upgrades`), fails
`apps.connections.open` (`connections_open_faults`) or resets every open socket."""

import asyncio
import contextlib
import json
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.websockets import WebSocket, WebSocketDisconnect

from sandbox.slack_calls import RecordedCall, request_payload

SERVER_CONNECTION = "sandbox.connection"  # a WebSocket scope's key for the server's connection


class SocketModeSide:
    """Socket Mode for SlackSandbox, which serves `connections_open` and `socket` and gives
    `calls` (where apps.connections.open is recorded) and `base_url`."""

    calls: list[RecordedCall]
    base_url: str

    def __init__(self) -> None:
        self.acks: dict[str, dict[str, Any]] = {}  # envelope_id -> the app's response payload
        self.connections_opened = 0
        # Faults: how many upgrades to refuse (503) before accepting, and how
        # apps.connections.open answers before it hands out URLs again: (status, Retry-After).
        self.refuse_upgrades = 0
        self.upgrades_refused = 0
        self.connections_open_faults: list[tuple[int, str | None]] = []
        self._tickets: set[str] = set()  # WebSocket URLs handed out and not used yet
        self._outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._sockets: set[WebSocket] = set()
        self._acked = asyncio.Condition()

    def deliver(self, kind: str, payload: dict[str, Any], *, retry_attempt: int = 0) -> str:
        """Queue an envelope (`slash_commands`, `interactive` or `events_api`); returns its id."""
        envelope_id = str(uuid.uuid4())
        self._outbox.put_nowait(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": kind != "events_api",
                "retry_attempt": retry_attempt,
                "retry_reason": "timeout" if retry_attempt else "",
            }
        )
        return envelope_id

    async def wait_for_ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:
        """The app's acknowledgement of an envelope (its response payload, maybe empty)."""
        async with asyncio.timeout(timeout), self._acked:
            await self._acked.wait_for(lambda: envelope_id in self.acks)
        return self.acks[envelope_id]

    async def drop_connections(self) -> None:
        """Close every Socket Mode connection, as Slack does when it refreshes them."""
        for socket in list(self._sockets):
            with contextlib.suppress(RuntimeError):
                await socket.close(code=1001)

    async def reset_connections(self) -> None:
        """Cut every Socket Mode connection without a closing handshake, as a reset does."""
        for socket in list(self._sockets):
            transport = _transport_of(socket)
            if transport is not None:
                transport.abort()

    async def connections_open(self, request: Request) -> Response:
        """apps.connections.open: a fault asked for, or a new single-use WebSocket URL."""
        call = RecordedCall("api", "apps.connections.open", await request_payload(request))
        self.calls.append(call)
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if not token.startswith("xapp-"):  # Socket Mode takes the app-level token only
            call.answer = {"ok": False, "error": "not_allowed_token_type"}
            return JSONResponse(call.answer)
        if self.connections_open_faults:
            status, retry_after = self.connections_open_faults.pop(0)
            headers = {"Retry-After": retry_after} if retry_after else {}
            call.answer = {"ok": False, "error": "ratelimited" if status == 429 else "fatal_error"}
            return JSONResponse(call.answer, status, headers)
        ticket = uuid.uuid4().hex
        self._tickets.add(ticket)
        url = self.base_url.replace("http://", "ws://")
        call.answer = {"ok": True, "url": f"{url}/socket/link/?ticket={ticket}&app_id=A0DESKHAND"}
        return JSONResponse(call.answer)

    async def socket(self, websocket: WebSocket) -> None:
        """A Socket Mode connection: `hello`, the queued envelopes, the app's acknowledgements."""
        ticket = websocket.query_params.get("ticket", "")
        if self.refuse_upgrades > 0 or ticket not in self._tickets:
            # Refused at the upgrade, as Slack's edge does: an HTTP 503, no WebSocket.
            self.refuse_upgrades = max(0, self.refuse_upgrades - 1)
            self.upgrades_refused += 1
            self._tickets.discard(ticket)
            await websocket.send_denial_response(Response("unavailable", status_code=503))
            return
        self._tickets.discard(ticket)  # single-use: the next upgrade on this URL is refused
        await websocket.accept()
        self.connections_opened += 1
        self._sockets.add(websocket)
        await websocket.send_json(
            {
                "type": "hello",
                "num_connections": len(self._sockets),
                "connection_info": {"app_id": "A0DESKHAND"},
                "debug_info": {"host": "sandbox", "approximate_connection_time": 3600},
            }
        )
        sender = asyncio.create_task(self._send_envelopes(websocket))
        try:
            while True:
                message = json.loads(await websocket.receive_text())
                if "envelope_id" in message:
                    async with self._acked:
                        self.acks[message["envelope_id"]] = message.get("payload") or {}
                        self._acked.notify_all()
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            self._sockets.discard(websocket)
            sender.cancel()

    async def _send_envelopes(self, websocket: WebSocket) -> None:
        while True:
            envelope = await self._outbox.get()
            try:
                await websocket.send_json(envelope)
            except BaseException:  # a failed or cancelled send: the next connection gets it
                self._outbox.put_nowait(envelope)
                raise


def _transport_of(websocket: WebSocket) -> asyncio.BaseTransport | None:
    """The TCP transport under a served WebSocket (uvicorn's connection keeps it), if any."""
    return getattr(websocket.scope.get(SERVER_CONNECTION), "transport", None)
