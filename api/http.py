"""The HTTP plumbing both backend clients share: client factory, retries, redaction of secrets,
and the count and time of each call (`observed`, around each client's one choke point)."""

import asyncio
import email.utils
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from weakref import WeakSet

import httpx

from api.errors import (
    AuthFailed,
    BackendError,
    InvalidRequest,
    NotFound,
    RateLimited,
    Unavailable,
    failure_name,
)
from telemetry.metrics import BACKEND_RETRIES, backend_call

logger = logging.getLogger("deskhand.http")

REDACTED = "***"
# Query variables whose values are credentials (ReadyDesk sends its key as `key=`).
SECRET_QUERY_NAMES = ("key", "token", "api_key", "apikey", "password", "pass", "secret")
_SECRET_QUERY = re.compile(
    r"(?i)(?P<name>[?&](?:" + "|".join(SECRET_QUERY_NAMES) + r")=)[^&\s\"'<>]*"
)
_SECRET_QUERY_NAME = re.compile(r"(?i)[?&](?:" + "|".join(SECRET_QUERY_NAMES) + r")=")
_SLACK_TOKEN = re.compile(r"\bx(?:ox[a-z]|app)-[0-9A-Za-z-]{6,}")


class Secrets:
    """The secrets one owner holds (a backend client's key, an app's settings, a log handler's):
    while the owner keeps this object, redact() hides each of them. Made for a registry."""

    def __init__(self, values: Iterable[str | None], registry: "SecretRegistry") -> None:
        self.values = frozenset(v for v in values if v and len(v) >= 4)
        registry.enroll(self)


class SecretRegistry:
    """The secrets of the owners alive in the process, which redact() and so every log line and
    every text sent to Slack are scrubbed of: one process's log handler serves all its apps.
    Each app's secrets leave with the app (owners are held weakly)."""

    def __init__(self) -> None:
        self._owners: WeakSet[Secrets] = WeakSet()
        self._known: frozenset[str] = frozenset()
        # What redact() replaces, in order: each secret (longest first) as typed, then as it
        # appears inside a URL. Worked out when the secrets change: redact() runs on every
        # string sent to Slack.
        self.forms: tuple[str, ...] = ()
        self.json_forms: tuple[str, ...] = ()  # each form as it reads inside a JSON string

    def enroll(self, owner: Secrets) -> None:
        """Hide `owner`'s secrets from now on, for as long as it is alive."""
        self._owners.add(owner)
        known = frozenset().union(*(alive.values for alive in list(self._owners)))
        if known != self._known:
            self._known = known
            ordered = sorted(known, key=len, reverse=True)
            self.forms = tuple(form for secret in ordered for form in (secret, _quoted(secret)))
            self.json_forms = tuple(json.dumps(f, ensure_ascii=False)[1:-1] for f in self.forms)


# The process's registry: the one a process-wide log handler reads. Not changed through a
# rebinding; owners enrol objects they keep, and their secrets leave with them.
PROCESS_SECRETS = SecretRegistry()


def secrets_of(values: Iterable[str | None]) -> Secrets:
    """A new owner's secrets, enrolled in the process's registry (keep it as long as the owner)."""
    return Secrets(values, PROCESS_SECRETS)


def redact(text: str) -> str:
    """Replace every known secret, credential query value and Slack token in `text` with ***."""
    for form in PROCESS_SECRETS.forms:
        if form in text:
            text = text.replace(form, REDACTED)
    # Each pattern runs only where its fixed part is present: most text sent has neither.
    if "=" in text:
        text = _SECRET_QUERY.sub(_redact_query_value, text)
    if "xox" in text or "xapp-" in text:
        text = _SLACK_TOKEN.sub(REDACTED, text)
    return text


def has_nothing_to_redact(value: object) -> bool:
    """True when `value` is plain JSON (dicts, lists, text, numbers) and redact() would change
    none of its strings: it is read as one JSON text, once, instead of string by string.

    JSON writes each character of a string on its own (`"` as `\\"` …), so a secret inside a
    string is inside the text, written the same way; keys and numbers are read too, which can
    only make this say False (then each string is redacted as usual).
    """
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):  # not plain JSON (a Block Kit object, bytes …)
        return False
    return json_has_nothing_to_redact(text)


def json_has_nothing_to_redact(text: str) -> bool:
    """True when no string inside the JSON text `text` has anything redact() would change."""
    if any(form in text for form in PROCESS_SECRETS.json_forms):
        return False
    if "=" in text and _SECRET_QUERY_NAME.search(text):
        return False
    return "xox" not in text and "xapp-" not in text


def _redact_query_value(match: re.Match[str]) -> str:
    return match.group("name") + REDACTED


def _quoted(secret: str) -> str:
    """The secret as it appears percent-encoded inside a URL."""
    return str(httpx.QueryParams({"v": secret})).removeprefix("v=")


class RedactingFormatter(logging.Formatter):
    """A log formatter that scrubs secrets from the whole formatted record, tracebacks included."""

    def format(self, record: logging.LogRecord) -> str:
        """Format as usual, then redact."""
        return redact(super().format(record))


@dataclass(frozen=True)
class RetryPolicy:
    """How reads retry transient faults: exponential backoff, honouring Retry-After up to a cap."""

    attempts: int = 3
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 30.0
    sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep, compare=False)

    def backoff(self, attempt: int) -> float:
        """Delay before retry number `attempt` (1-based)."""
        return min(self.max_delay, self.base_delay * 2 ** (attempt - 1))


NO_RETRY = RetryPolicy(attempts=1)

# When set, the monotonic time by which every read made for the current request must be answered,
# retries included: a person waiting in Slack gets one answer in time, not three slow tries.
_read_deadline: ContextVar[float | None] = ContextVar("read_deadline", default=None)


def set_read_deadline(seconds: float) -> None:
    """Reads from here on in this context (and tasks it spawns later) share one deadline.

    There is no reset: Bolt runs listeners after its middleware returns, in the same context, so
    the value must outlive the middleware that sets it. Each Slack request sets its own.
    """
    _read_deadline.set(time.monotonic() + seconds)


def _time_left() -> float | None:
    deadline = _read_deadline.get()
    return None if deadline is None else deadline - time.monotonic()


# How many connections each backend client opens at once by default; more requests wait for a
# free one (httpx's pool timeout, a "never sent" failure that is safe to retry).
DEFAULT_CONNECTIONS = 20


def new_async_client(
    base_url: str = "",
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    timeout: float = 10.0,
    auth: httpx.Auth | tuple[str, str] | None = None,
    headers: dict[str, str] | None = None,
    connections: int = DEFAULT_CONNECTIONS,
) -> httpx.AsyncClient:
    """One pooled AsyncClient per backend, with our timeouts, connection limit and user agent."""
    return httpx.AsyncClient(
        base_url=base_url,
        transport=transport,
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
        auth=auth,
        headers={"User-Agent": "deskhand/0.1", **(headers or {})},
        follow_redirects=False,
    )


@contextmanager
def observed(backend: str, action: str) -> Iterator[None]:
    """Count and time one call of a client's choke point (`_request`), by its outcome.

    `action` is the backend's action or Deskhand's name for the route, never a value sent.
    """
    with backend_call(backend.lower(), action, _outcome):
        yield


def _outcome(error: BaseException) -> str:
    if isinstance(error, asyncio.CancelledError):
        return "cancelled"  # the caller stopped waiting (a picker's 1.5 s)
    return failure_name(error)


# Failures where the request provably never reached the server: safe to retry even for writes.
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


async def send_with_retries(
    client: httpx.AsyncClient,
    request: httpx.Request,
    *,
    backend: str,
    action: str,
    policy: RetryPolicy,
    is_read: bool,
) -> httpx.Response:
    """Send `request`; reads retry connect errors, timeouts, 5xx and 429; writes only unsent ones.

    Transport failures become `Unavailable`; the HTTP response is returned for the caller to map.
    Reads inside `read_deadline` stop (with "did not answer in time") when the deadline passes.
    """
    attempt = 0
    while True:
        attempt += 1
        last_try = attempt >= policy.attempts
        try:
            response = await _send_within_deadline(client, request, is_read)
        except httpx.TransportError as err:
            retryable = is_read or isinstance(err, _NEVER_SENT)
            if retryable and not last_try and _can_wait(policy.backoff(attempt), is_read):
                BACKEND_RETRIES.labels(backend.lower(), action).inc()
                logger.info("%s %s: %s, retry %d", backend, action, type(err).__name__, attempt)
                await policy.sleep(policy.backoff(attempt))
                continue
            raise _transport_error(err, backend, action) from None
        if is_read and not last_try and _is_transient(response):
            delay = _retry_delay(response, policy, attempt)
            if delay is not None and _can_wait(delay, is_read):
                BACKEND_RETRIES.labels(backend.lower(), action).inc()
                await response.aclose()
                logger.info(
                    "%s %s: HTTP %d, retry %d", backend, action, response.status_code, attempt
                )
                await policy.sleep(delay)
                continue
        return response


async def _send_within_deadline(
    client: httpx.AsyncClient, request: httpx.Request, is_read: bool
) -> httpx.Response:
    left = _time_left() if is_read else None
    if left is None:
        return await client.send(request)
    try:
        async with asyncio.timeout(max(left, 0.0)):
            return await client.send(request)
    except TimeoutError:
        raise httpx.ReadTimeout("the read deadline passed", request=request) from None


def _can_wait(delay: float, is_read: bool) -> bool:
    """False when a retry after `delay` would start past the read deadline."""
    left = _time_left() if is_read else None
    return left is None or delay < left


def _is_transient(response: httpx.Response) -> bool:
    return response.status_code == 429 or response.status_code >= 500


def _retry_delay(response: httpx.Response, policy: RetryPolicy, attempt: int) -> float | None:
    """Backoff for a 5xx; Retry-After for a 429, or None when it asks us to wait too long."""
    if response.status_code != 429:
        return policy.backoff(attempt)
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    if retry_after is None:
        return policy.backoff(attempt)
    return retry_after if retry_after <= policy.max_retry_after else None


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _transport_error(err: httpx.TransportError, backend: str, action: str) -> Unavailable:
    # The cause is deliberately dropped (`from None`): httpx errors can carry the request URL.
    maybe_applied = not isinstance(err, _NEVER_SENT)
    if isinstance(err, httpx.TimeoutException):
        return Unavailable(
            f"{backend} did not answer in time.",
            backend=backend,
            action=action,
            maybe_applied=maybe_applied,
        )
    return Unavailable(
        f"{backend} could not be reached.",
        backend=backend,
        action=action,
        maybe_applied=maybe_applied,
    )


def error_for_status(
    response: httpx.Response, *, backend: str, action: str, what: str = "record"
) -> BackendError | None:
    """The api.errors exception a non-2xx status stands for, or None for success."""
    status = response.status_code
    if status < 300:
        return None
    if status == 404:
        return NotFound(f"{backend} has no such {what}.", backend=backend, action=action)
    if status in (401, 403):
        return AuthFailed(
            f"{backend} refused Deskhand's credentials (HTTP {status}). Ask an admin to check "
            "the API key.",
            backend=backend,
            action=action,
        )
    if status in (400, 422):
        return InvalidRequest(f"{backend} rejected the request.", backend=backend, action=action)
    if status == 429:
        return RateLimited(
            f"{backend} is rate limiting Deskhand; try again shortly.",
            backend=backend,
            action=action,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )
    # Past this point the backend (or a proxy before it) failed without saying what it did: a
    # write may have been applied.
    if status >= 500:
        return Unavailable(
            f"{backend} is having trouble (HTTP {status}); try again shortly.",
            backend=backend,
            action=action,
            maybe_applied=True,
        )
    return Unavailable(
        f"{backend} answered HTTP {status}.", backend=backend, action=action, maybe_applied=True
    )
