"""Delivering what Deskhand owes Slack, by Slack's rules (the outbound choke point's half that
workers reach too; bot/outbound.py wires it into every Web API call and respond()).

- A 429 or `ok:false` `ratelimited` proves nothing was posted: wait Retry-After (else back off)
  and send again. A 5xx, a timeout or a dropped connection may have landed: methods that set a
  state (chat.update, views.*) are simply sent again; a `chat.postMessage` is sent again only when
  it carries a slot in its message `metadata` (`slot_metadata`) and `conversations.history`
  shows no message with that slot — after a 5xx at once, after no answer at all only at the
  caller's next look (Slack may still be carrying it out). Other refusals (`channel_not_found`,
  `not_in_channel`, …) are final and raised at once.
- Posts to one channel in a burst are paced about one a second (response_url replies are not).
- A response_url reply that keeps failing, or whose surface is gone (404/410), becomes a DM.
"""

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from telemetry.metrics import SLACK_DELIVERY

logger = logging.getLogger("deskhand.delivery")

SLOT_EVENT = "deskhand_slot"  # message metadata event_type marking a digest slot or an alert
# A post sent twice is two messages (a chat.postMessage is resent after a 5xx only when its slot
# is not found); everything else sets or reads a state, and is simply sent again.
POSTS = ("chat.postMessage", "chat.postEphemeral")
ONCE_ONLY = ("apps.connections.open",)  # single-use URLs: Socket Mode asks again by itself
HISTORY_PAGES = 3  # conversations.history pages read looking for a slot (a bounded window)
HISTORY_LIMIT = 15  # Slack's cap per page for non-Marketplace apps
PACED_CHANNELS = 1000  # channels remembered for pacing before the idle ones are forgotten
CONNECTION_ERRORS = (aiohttp.ClientError, TimeoutError)
JSON = {"Content-Type": "application/json;charset=utf-8"}
REPLY_TIMEOUT = aiohttp.ClientTimeout(total=30)  # slack-sdk's for a webhook

Sleep = Callable[[float], Awaitable[None]]


class Undelivered(SlackApiError):
    """Slack kept failing past the retries; whether the post landed is in `maybe_posted`.

    A SlackApiError, so whoever handled Slack's refusals before handles this one; its
    response's `error` is Slack's last (or what went wrong on the way)."""

    def __init__(self, method: str, why: str, *, maybe_posted: bool) -> None:
        answer = AsyncSlackResponse(
            client=None,
            http_verb="POST",
            api_url=method,
            req_args={},
            data={"ok": False, "error": why},
            headers={},
            status_code=503,
        )
        super().__init__(f"{method}: {why}", answer)
        self.maybe_posted = maybe_posted


def slot_metadata(key: str, at: datetime, changes: str = "") -> dict[str, Any]:
    """Message metadata naming a slot (`digest:3:<time>`, `alert:5:<hash>`) due since `at`, and
    the changes (tokens, space-separated) an alert shows."""
    payload: dict[str, Any] = {"slot": key, "at": int(at.timestamp())}
    if changes:
        payload["changes"] = changes
    return {"event_type": SLOT_EVENT, "event_payload": payload}


def slot_of(fields: dict[str, Any] | None) -> tuple[str, float] | None:
    """The slot key and since-when of a chat.postMessage's fields, when it carries one."""
    metadata = (fields or {}).get("metadata")
    if isinstance(metadata, str):
        try:
            metadata = json.loads(metadata)
        except ValueError:
            return None
    if not isinstance(metadata, dict) or metadata.get("event_type") != SLOT_EVENT:
        return None
    payload = metadata.get("event_payload") or {}
    return str(payload.get("slot", "")), float(payload.get("at") or 0)


async def slot_messages(
    client: AsyncWebClient, channel: str, since: float
) -> AsyncIterator[tuple[dict[str, Any], str]]:
    """The slot payload and ts of each message in `channel` since `since` (epoch seconds) that
    carries one, newest first, over a bounded number of history pages."""
    cursor = None
    for _ in range(HISTORY_PAGES):
        page = await client.conversations_history(
            channel=channel,
            oldest=f"{max(since - 1, 0):.6f}",
            limit=HISTORY_LIMIT,
            include_all_metadata=True,
            cursor=cursor,
        )
        for message in page.get("messages") or []:
            meta = message.get("metadata") or {}
            if meta.get("event_type") == SLOT_EVENT:
                yield meta.get("event_payload") or {}, str(message.get("ts"))
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not page.get("has_more") or not cursor:
            return


async def find_slot(client: AsyncWebClient, channel: str, key: str, since: float) -> str | None:
    """The ts of a message in `channel` since `since` (epoch seconds) carrying slot `key`."""
    async for payload, ts in slot_messages(client, channel, since):
        if payload.get("slot") == key:
            return ts
    return None


async def already_posted(
    client: AsyncWebClient, channel: str, key: str, since: float
) -> str | None:
    """The ts of the post for slot `key` when `channel` shows it; Undelivered when it cannot
    be read now (the slot then stays due, to be looked for again). A refusal no retry passes
    (`not_in_channel`, `missing_scope`) is raised as it is: the caller pauses and says why."""
    try:
        return await find_slot(client, channel, key, since)
    except (SlackApiError, *CONNECTION_ERRORS) as err:
        raise unreadable(err) from err


def unreadable(err: Exception) -> Exception:
    """What to raise when a channel's history could not be read: Slack's refusal itself when it
    is final (the client raises only those as they are), else Undelivered (look again later)."""
    if isinstance(err, SlackApiError) and not isinstance(err, Undelivered):
        return err
    return Undelivered("conversations.history", _why(err), maybe_posted=True)


@dataclass
class Delivery:
    """Retry and pacing rules for one process's Slack calls (`sleep` and `clock` injectable)."""

    attempts: int = 4
    backoff: float = 0.5  # seconds before the first resend after a 5xx; doubles each time
    max_wait: float = 30.0  # a longer Retry-After is not waited out: the caller keeps it due
    # A listener holds a work slot (bot/acks.py) while it waits: it waits at most this long
    # at a time, then the reply goes by another surface (a DM) or the person is told.
    listener_wait: float = 3.0
    gap: float = 1.0  # seconds between two posts to one channel
    sleep: Sleep = asyncio.sleep
    clock: Callable[[], float] = field(default=lambda: asyncio.get_running_loop().time())
    _last_post: dict[str, float] = field(default_factory=dict)

    def for_listener(self) -> "Delivery":
        """The same rules and per-channel pacing, for a listener: no wait past `listener_wait`."""
        return replace(self, max_wait=min(self.max_wait, self.listener_wait))

    async def call(
        self,
        method: str,
        fields: dict[str, Any] | None,
        send: Callable[[], Awaitable[Any]],
        find: Callable[[str, str, float], Awaitable[Any]] | None = None,
    ) -> Any:
        """`send()` (one Web API call), resent within the rules; `find(channel, key, since)`
        answers whether a post that may have landed did (a response in its place)."""
        channel = str((fields or {}).get("channel") or "")
        slot = slot_of(fields) if method in POSTS else None
        for attempt in range(1, self.attempts + 1):
            if method == "chat.postMessage" and channel:
                await self._pace(channel)
            try:
                return await send()
            except SlackApiError as err:
                wait, maybe_posted = self._after(err, attempt)
                last: Exception = err
            except CONNECTION_ERRORS as err:
                wait, last = self.backoff * 2 ** (attempt - 1), err
                maybe_posted = not isinstance(err, aiohttp.ClientConnectorError)  # never sent
            if wait is None or method in ONCE_ONLY:
                raise last
            if maybe_posted and method in POSTS:
                if slot is None or find is None:  # sent again, an unmarked post could show twice
                    SLACK_DELIVERY.labels(method, "gave_up").inc()
                    raise Undelivered(method, _why(last), maybe_posted=True) from last
                if isinstance(last, CONNECTION_ERRORS):
                    # No answer: Slack may still be carrying it out, and a look now could miss
                    # a post that lands after it. The caller keeps it due and looks next time.
                    SLACK_DELIVERY.labels(method, "gave_up").inc()
                    raise Undelivered(method, _why(last), maybe_posted=True) from last
                try:
                    found = await find(channel, slot[0], slot[1])
                except (SlackApiError, *CONNECTION_ERRORS) as err:
                    # Unreadable, it may be there: the caller keeps it due and looks again
                    # (or, refused for good, pauses).
                    raise unreadable(err) from err
                if found is not None:
                    SLACK_DELIVERY.labels(method, "found_posted").inc()
                    return found
            if attempt == self.attempts or wait > self.max_wait:
                break
            SLACK_DELIVERY.labels(method, "retried").inc()
            logger.info("Slack %s failed (%s); again in %.1fs", method, _why(last), wait)
            await self.sleep(wait)
        SLACK_DELIVERY.labels(method, "gave_up").inc()
        raise Undelivered(method, _why(last), maybe_posted=maybe_posted) from last

    def _after(self, err: SlackApiError, attempt: int) -> tuple[float | None, bool]:
        """How long to wait before resending after `err`, and whether it may have landed;
        a None wait: final, never resent."""
        status = err.response.status_code
        if status == 429 or err.response.get("error") == "ratelimited":
            return retry_after(err.response.headers, self.backoff * 2 ** (attempt - 1)), False
        if status >= 500:
            return self.backoff * 2 ** (attempt - 1), True
        return None, False

    async def _pace(self, channel: str) -> None:
        """About one post a second per channel: wait out what is left of the gap, never past
        `max_wait` (a long queue to one channel posts early; Slack takes short bursts)."""
        now = self.clock()
        if len(self._last_post) > PACED_CHANNELS:  # forget channels whose gap is long past
            for idle in [c for c, t in self._last_post.items() if t <= now - self.gap]:
                del self._last_post[idle]  # in place: listeners' copies share the dict
        due = self._last_post.get(channel, now - self.gap) + self.gap
        self._last_post[channel] = max(due, now)
        if due > now:
            await self.sleep(min(due - now, self.max_wait))

    async def reply(
        self, url: str, message: dict[str, Any] | str, session: aiohttp.ClientSession | None = None
    ) -> bool:
        """Post `message` (or its JSON text) to a response_url with retries (429/5xx/connection
        errors, never paced) over `session` (else one of its own); False when its surface is
        gone or it kept failing (the caller DMs instead)."""
        if isinstance(message, dict):
            message = json.dumps({k: v for k, v in message.items() if v is not None})
        body = message.encode()
        if session is None:
            async with aiohttp.ClientSession(timeout=REPLY_TIMEOUT) as own:
                return await self._reply(url, body, own)
        return await self._reply(url, body, session)

    async def _reply(self, url: str, body: bytes, session: aiohttp.ClientSession) -> bool:
        why = ""
        for attempt in range(1, self.attempts + 1):
            wait: float | None = self.backoff * 2 ** (attempt - 1)
            try:
                async with session.post(url, data=body, headers=JSON) as answer:
                    status, text, headers = answer.status, await answer.text(), answer.headers
            except CONNECTION_ERRORS as err:
                why = type(err).__name__
            else:
                refused = _refused(text)
                if status == 200 and not refused:
                    return True
                why = f"HTTP {status} {refused}".strip()
                if status == 429 or refused == "ratelimited":
                    wait = retry_after(headers, wait or 0)
                elif status < 500:  # gone (404/410), expired or used up
                    wait = None
            if wait is None or attempt == self.attempts or wait > self.max_wait:
                break
            SLACK_DELIVERY.labels("response_url", "retried").inc()
            await self.sleep(wait)
        logger.info("response_url reply not delivered (%s); a DM instead", why)
        SLACK_DELIVERY.labels("response_url", "dm").inc()
        return False


def _why(err: Exception) -> str:
    if isinstance(err, SlackApiError):
        return str(err.response.get("error") or f"HTTP {err.response.status_code}")
    return type(err).__name__


def retry_after(headers: Any, otherwise: float) -> float:
    """Slack's Retry-After (seconds) from response headers, else `otherwise`."""
    for key, value in dict(headers or {}).items():
        if key.lower() == "retry-after":
            raw = value[0] if isinstance(value, list) else value
            try:
                return max(float(raw), 0.0)
            except ValueError:
                return otherwise
    return otherwise


def _refused(body: str) -> str:
    """The error of a response_url answer `{"ok": false, "error": ...}`, else ""."""
    try:
        parsed = json.loads(body or "")
    except ValueError:
        return ""
    if isinstance(parsed, dict) and parsed.get("ok") is False:
        return str(parsed.get("error") or "refused")
    return ""


NOT_SHARED = (
    "This was not shared in the channel (Slack would not take it there); it is here for you."
)


def dm_of(message: dict[str, Any]) -> dict[str, Any]:
    """A response_url message as a DM's fields (no response_type, replace or delete flags); one
    meant for the whole channel says it did not get there."""
    kept = {k: v for k, v in message.items() if k in ("text", "blocks", "attachments")}
    kept.setdefault("text", "")
    if message.get("response_type") == "in_channel":
        kept["text"] = f"{NOT_SHARED} {kept['text']}".strip()
        note = {"type": "context", "elements": [{"type": "mrkdwn", "text": NOT_SHARED}]}
        kept["blocks"] = [note, *(kept.get("blocks") or [])]
    return kept
