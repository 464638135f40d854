"""Misbehaviour on request: an ASGI middleware both backend fakes share, for reliability tests.

A Fault matches requests by path substring and/or query variables and then adds latency, answers
a status code, an HTML error page, an empty, truncated or malformed body, or drops the connection
— before the backend sees the request, or (the `applied_*`, `short_length` and `latency_after`
kinds) after the backend has carried it out, as a proxy or a flaky network would. It fronts the
Slack fake too (sandbox/slack.py `faults`).

Two kinds carry a request out later than the client hears of it. `error_now_applied_later`
answers a gateway's error page (`status`, e.g. 504) at once and lets the backend carry the
request out `seconds` later — or when a test calls `Faults.land()`, so that a write landing
50 s after Deskhand gave up needs no 50 s of waiting. `latency_applied_anyway` answers nothing
for `seconds` (the client times out) and then carries the request out all the same, where
`latency` would find the client gone and carry out nothing.
"""

import asyncio
import contextlib
import contextvars
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qsl

import httpx
from starlette.types import ASGIApp, Message, Receive, Scope, Send

FaultKind = Literal[
    "latency",
    "status",
    "html",
    "empty",
    "truncated",
    "malformed",
    "drop",
    # The backend carries the request out, and then the reply goes wrong:
    "applied_status",
    "applied_drop",
    "short_length",
    "latency_after",
    # The client is answered an error at once; the backend carries the request out later:
    "error_now_applied_later",
    # The client is answered nothing for `seconds`; then the request is carried out whatever the
    # client did meanwhile (a client that timed out finds it applied after it looked):
    "latency_applied_anyway",
]

HTML_ERROR_PAGE = (
    "<!DOCTYPE html><html><head><title>Runtime Error</title></head><body>"
    "<h1>Server Error in '/' Application.</h1><p>Runtime Error</p></body></html>"
)


@dataclass
class Fault:
    """One kind of misbehaviour for the requests it matches; `times=None` means every time."""

    kind: FaultKind
    path: str = ""
    query: dict[str, str] = field(default_factory=dict)
    method: str = ""  # only requests of this HTTP method (e.g. "POST"); any when empty
    seconds: float = 0.0
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""  # what a `status` fault answers (e.g. Slack's ok:false JSON); empty if unset
    times: int | None = None

    def matches(self, scope: Scope) -> bool:
        """True when the request's path and query variables fit this fault."""
        if self.path and self.path not in scope.get("path", ""):
            return False
        if self.method and scope.get("method") != self.method:
            return False
        query = dict(parse_qsl(scope.get("query_string", b"").decode(), keep_blank_values=True))
        return all(query.get(k) == v for k, v in self.query.items())


class Faults:
    """The faults in force for one fake; tests add and clear them while the fake runs."""

    def __init__(self) -> None:
        self.active: list[Fault] = []
        # What `error_now_applied_later` holds back: the event that lands each now, and its task.
        self.held: list[tuple[asyncio.Event, asyncio.Task[None]]] = []

    def add(self, kind: FaultKind, **options: Any) -> Fault:
        """Start misbehaving; returns the fault so a test can inspect or remove it."""
        fault = Fault(kind, **options)
        self.active.append(fault)
        return fault

    def clear(self) -> None:
        """Behave again (requests held back by `error_now_applied_later` still land
        when due)."""
        self.active.clear()

    async def land(self) -> int:
        """Carry out now every request an `error_now_applied_later` fault holds back; how many."""
        held, self.held = self.held, []
        for now, _ in held:
            now.set()
        await asyncio.gather(*(task for _, task in held))
        return len(held)

    def take(self, scope: Scope) -> Fault | None:
        """The first fault matching this request, counting one use of it."""
        for fault in self.active:
            if fault.matches(scope):
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self.active.remove(fault)
                return fault
        return None


class FaultMiddleware:
    """ASGI middleware applying `faults` to HTTP requests."""

    def __init__(self, app: ASGIApp, faults: Faults) -> None:
        self.app = app
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request through, or misbehave as the matching fault says."""
        fault = self.faults.take(scope) if scope["type"] == "http" else None
        if fault is None:
            await self.app(scope, receive, send)
            return
        if fault.kind == "latency":
            await asyncio.sleep(fault.seconds)
            await self.app(scope, receive, send)
        elif fault.kind == "drop":
            # Under httpx.ASGITransport this reaches the client as a dropped connection.
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
        elif fault.kind == "status":
            await _answer(send, fault.status, fault.body.encode(), fault.headers)
        elif fault.kind == "html":
            page = HTML_ERROR_PAGE.encode()
            await _answer(send, fault.status, page, {"content-type": "text/html"})
        elif fault.kind == "empty":
            await _answer(send, 200, b"", {})
        elif fault.kind == "latency_applied_anyway":
            body = await _read_body(receive)
            await asyncio.sleep(fault.seconds)
            await self.app(scope, _replay(body), send)
        elif fault.kind in ("applied_status", "applied_drop", "short_length", "latency_after"):
            await self._after_applying(fault, scope, receive, send)
        elif fault.kind == "error_now_applied_later":
            await self._apply_late(fault, scope, receive, send)
        else:
            status, headers, body = await _capture(self.app, scope, receive)
            body = body[: len(body) // 2] if fault.kind == "truncated" else _corrupt(body)
            headers["content-length"] = str(len(body))
            await _answer(send, status, body, headers)

    async def _after_applying(
        self, fault: Fault, scope: Scope, receive: Receive, send: Send
    ) -> None:
        """Let the backend carry the request out, then (after `seconds`) spoil the reply."""
        status, headers, body = await _capture(self.app, scope, receive)
        if fault.kind != "latency_after":
            await asyncio.sleep(fault.seconds)
        if fault.kind == "applied_status":
            await _answer(
                send, fault.status, HTML_ERROR_PAGE.encode(), {"content-type": "text/html"}
            )
        elif fault.kind == "applied_drop":
            raise httpx.RemoteProtocolError("Connection reset by peer after the request was sent.")
        elif fault.kind == "short_length":
            # Content-Length promises more than comes: the client sees the body cut short.
            headers["content-length"] = str(len(body) + 100)
            await _answer(send, status, body[: len(body) // 2], headers)
        else:
            await asyncio.sleep(fault.seconds)
            await _answer(send, status, body, headers)

    async def _apply_late(self, fault: Fault, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer the gateway's error page now; carry the request out `seconds` later."""
        body = b""
        while True:  # the whole request, kept to replay
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        now = asyncio.Event()
        later = self._land_later(fault.seconds, now, dict(scope), body)
        # The backend's own work, not the client's: started outside the request's context.
        task = contextvars.Context().run(asyncio.get_running_loop().create_task, later)
        self.faults.held.append((now, task))
        html = {"content-type": "text/html"}
        await _answer(send, fault.status, HTML_ERROR_PAGE.encode(), html)

    async def _land_later(
        self, seconds: float, now: asyncio.Event, scope: Scope, body: bytes
    ) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(now.wait(), seconds)

        async def replay() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        await _capture(self.app, scope, replay)


async def _capture(
    app: ASGIApp, scope: Scope, receive: Receive
) -> tuple[int, dict[str, str], bytes]:
    parts: list[bytes] = []
    start: dict[str, Any] = {}

    async def collect(message: Message) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
        elif message["type"] == "http.response.body":
            parts.append(message.get("body", b""))

    await app(scope, receive, collect)
    headers = {k.decode(): v.decode() for k, v in start.get("headers", [])}
    return start.get("status", 200), headers, b"".join(parts)


async def _read_body(receive: Receive) -> bytes:
    parts = []
    while True:
        message = await receive()
        parts.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(parts)


def _replay(body: bytes) -> Receive:
    """A receive that gives `body` once (then says the client is gone)."""
    given = []

    async def receive() -> Message:
        if given:
            return {"type": "http.disconnect"}
        given.append(True)
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def _corrupt(body: bytes) -> bytes:
    """Break the body's syntax the way the seed examples do (mismatched tag, missing comma)."""
    if body.lstrip().startswith(b"<"):
        return body.replace(b"</", b"</x", 1) if b"</" in body else body + b"<"
    if body.lstrip()[:1] in (b"{", b"["):
        return body.replace(b",", b"", 1) if b"," in body else body[:-1]
    return body.replace(b"=", b"", 1)  # URL-delimited: a field without its `=`


async def _answer(send: Send, status: int, body: bytes, headers: dict[str, str]) -> None:
    raw_headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    if not any(k == b"content-length" for k, _ in raw_headers):
        raw_headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})
