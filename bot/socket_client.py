"""Socket Mode's connection: a new WebSocket URL for every try, backoff with jitter between
tries, and the connection's state for the probes and /metrics.

slack-sdk's aiohttp client (3.48), when the upgrade on its URL is refused (an HTTP 503), tries
that same URL again every ping interval for good; Slack's URLs are single-use, so it never
connects again and every command fails. This client asks `apps.connections.open` for a new URL
after each failed try, waits longer after each (Retry-After when Slack gives one), and says
whether it is connected, and since when it is not.
"""

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.aiohttp import SocketModeClient

from bot.logs import scrub
from telemetry.metrics import SOCKET_CONNECTED, SOCKET_FAILURES, SOCKET_RECONNECTS

logger = logging.getLogger("deskhand.socket")

MAX_RETRY_AFTER = 300.0  # a Retry-After longer than this is Slack's mistake, not a plan
# apps.connections.open's answers that no number of tries changes: the token is not an app-level
# one, or is not (any longer) valid.
# Seconds to wait for Slack's closing frame (aiohttp's default is 10): a stop, or a reconnect
# away from a socket that hangs, is not held up by a Slack that no longer answers.
CLOSE_WAIT = 2.0
CUT_CHECK = 0.5  # seconds between looks at whether the socket was cut without a CLOSE frame
REFUSED_FOR_GOOD = frozenset(
    {"not_allowed_token_type", "invalid_auth", "not_authed", "account_inactive", "token_revoked"}
)


class TokenRefused(Exception):
    """Slack refused the app-level token at the first connect: trying again cannot help."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


class SocketState:
    """Whether Socket Mode is connected, and since when it is not: what /readyz, /livez and
    the `deskhand_socket_connected` gauge show. Made before the client (the probes answer from
    the process's start), which reports to it."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lost_at: float | None = clock()  # not connected yet
        self._connected_before = False
        self._session_open: Callable[[], bool] = lambda: False
        SOCKET_CONNECTED.set(0)

    def watch(self, session_open: Callable[[], bool]) -> None:
        """Ask `session_open` whether the WebSocket is still up (a reset shows there first)."""
        self._session_open = session_open

    def connected(self) -> None:
        """A WebSocket is up (a reconnect when one was up before)."""
        self._lost_at = None
        SOCKET_CONNECTED.set(1)
        if self._connected_before:
            SOCKET_RECONNECTS.inc()
        self._connected_before = True

    def is_open(self) -> bool:
        """True while a WebSocket is connected (no await: the probes ask it)."""
        connected = self._lost_at is None and self._session_open()
        if not connected and self._lost_at is None:
            self._lost_at = self._clock()
            SOCKET_CONNECTED.set(0)
        return connected

    def disconnected_for(self) -> float:
        """Seconds since the socket was last connected (or since the start); 0 while it is."""
        if self.is_open() or self._lost_at is None:
            return 0.0
        return self._clock() - self._lost_at


class ReconnectingSocketClient(SocketModeClient):
    """slack-sdk's Socket Mode client, connecting on a fresh URL each try (see the module)."""

    def __init__(
        self,
        app_token: str,
        *,
        state: SocketState | None = None,
        first_delay: float = 1.0,
        max_delay: float = 30.0,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        **options: Any,
    ) -> None:
        super().__init__(app_token, **options)
        self.state = state or SocketState()
        self.state.watch(self._session_open)
        self.connected_once = False
        self.cut_watcher: asyncio.Future[None] | None = None
        self.first_delay = first_delay
        self.max_delay = max_delay
        self._sleep = sleep

    def _session_open(self) -> bool:
        session = self.current_session
        return not self.closed and not self.stale and session is not None and not session.closed

    async def issue_new_wss_url(self) -> str:
        """One `apps.connections.open` call; `connect` tries again, honouring Retry-After."""
        response = await self.web_client.apps_connections_open(app_token=self.app_token)
        return str(response["url"])

    async def connect_to_new_endpoint(self, force: bool = False) -> None:
        """Reconnect on a new URL, unless another task is already reconnecting."""
        acquired = False
        try:
            with contextlib.suppress(TimeoutError):
                acquired = await asyncio.wait_for(self.connect_operation_lock.acquire(), 5)
            if force or (acquired and not await self.is_connected()):
                self.wss_uri = None  # used once: Slack refuses it now
                await self.connect()
        finally:
            if acquired:
                self.connect_operation_lock.release()

    async def connect(self) -> None:
        """Connect, each try on a new URL, backing off with jitter, until connected or closed.
        Before the first connection, a token Slack refuses for good raises `TokenRefused`."""
        self.state.is_open()  # notes when the socket was lost
        failures = 0
        while not self.closed:
            try:
                await self._connect_once()
            except Exception as err:
                if self.closed:
                    return
                refused = _refused_for_good(err)
                if refused and not self.connected_once:
                    raise TokenRefused(refused) from None
                failures += 1
                # No URL yet: apps.connections.open failed (an error, or Slack unreachable).
                reason = "url_failed" if self.wss_uri is None else "upgrade_failed"
                self.wss_uri = None
                delay = self._delay(failures, err)
                SOCKET_FAILURES.labels(reason).inc()
                logger.warning(
                    "Socket Mode: could not connect (%s: %s); asking for a new URL in %.1f s",
                    type(err).__name__,
                    " ".join(scrub(str(err)).split()),  # one line: slack-sdk's text has two
                    delay,
                )
                await self._sleep(delay)
                continue
            self.connected_once = True
            self.state.connected()
            return

    async def _connect_once(self) -> None:
        """One try: close the old session, get a URL, upgrade, start the receiver and monitor
        (slack-sdk's `connect`, without its loop on one URL)."""
        self.auto_reconnect_enabled = False  # the old session's monitor must not race this
        old = self.current_session
        if old is not None:
            with contextlib.suppress(Exception):
                await old.close()
        if self.aiohttp_client_session.closed:
            self.aiohttp_client_session = aiohttp.ClientSession()
        if self.wss_uri is None:
            self.wss_uri = await self.issue_new_wss_url()
        self.current_session = await self.aiohttp_client_session.ws_connect(
            self.wss_uri,
            autoping=False,
            heartbeat=self.ping_interval,
            timeout=aiohttp.ClientWSTimeout(ws_close=CLOSE_WAIT),
            proxy=self.proxy,
            ssl=self.web_client.ssl if self.web_client.ssl is not None else True,
        )
        self.auto_reconnect_enabled = self.default_auto_reconnect_enabled
        self.stale = False
        await self.current_session.ping(f"sdk-ping-pong:{time.time()}".encode())
        for running in (self.current_session_monitor, self.message_receiver):
            if running is not None:
                running.cancel()
        self.current_session_monitor = asyncio.ensure_future(self.monitor_current_session())
        self.message_receiver = asyncio.ensure_future(self.receive_messages())
        self.cut_watcher = asyncio.ensure_future(self._reconnect_when_cut(self.current_session))
        logger.info("Socket Mode: connected")

    async def _reconnect_when_cut(self, session: aiohttp.ClientWebSocketResponse) -> None:
        """Reconnect as soon as `session` is cut without a CLOSE frame (a reset): slack-sdk's
        receiver only waits on a socket closed so, and its monitor notices a ping interval later."""
        while not self.closed and session is self.current_session:
            if session.closed and self.auto_reconnect_enabled:
                await self.connect_to_new_endpoint()
                return
            await asyncio.sleep(CUT_CHECK)

    async def close(self) -> None:
        """Close the connection for good (slack-sdk's close), and stop watching it."""
        await super().close()
        if self.cut_watcher is not None:
            self.cut_watcher.cancel()

    def _delay(self, failures: int, err: Exception) -> float:
        """Exponential backoff with jitter, never shorter than the Retry-After Slack gave."""
        backoff = min(self.max_delay, self.first_delay * 2 ** (failures - 1))
        jittered = backoff * random.uniform(0.5, 1.0)  # noqa: S311 - spread, not secrecy
        return max(jittered, _retry_after(err))


def _refused_for_good(err: Exception) -> str | None:
    """The error code of an `apps.connections.open` answer no retry changes, else None."""
    if not isinstance(err, SlackApiError):
        return None
    error = err.response.get("error") if err.response is not None else None
    return error if error in REFUSED_FOR_GOOD else None


def _retry_after(err: Exception) -> float:
    """The Retry-After (seconds) of a refused `apps.connections.open` or upgrade, or 0."""
    headers: Any = None
    if isinstance(err, SlackApiError):
        headers = getattr(err.response, "headers", None)
    elif isinstance(err, aiohttp.WSServerHandshakeError):
        headers = err.headers
    value = headers.get("Retry-After") if headers else None
    try:
        return min(MAX_RETRY_AFTER, max(0.0, float(value))) if value else 0.0
    except ValueError:
        return 0.0
