"""The one outbound choke point: every text Deskhand sends to Slack is scrubbed of secrets.

Three doors lead to Slack and each passes through `scrub`, which runs `api.http.redact` (every
registered secret, `key=`-style query values, `xox?-`/`xapp-` tokens) over every string of the
payload: Web API calls (`ScrubbingWebClient.api_call`, which every `chat.*`, `views.*` and other
method goes through), `respond()` (a response_url post) and the acknowledgement (the HTTP
response, or in Socket Mode the envelope's ack payload, both made from the `BoltResponse` that
`ScrubbingApp.async_dispatch` returns).

The same doors deliver by Slack's rules (live/delivery.py): Web API calls retried within
Retry-After, posts paced per channel, a slot post looked for before it is sent again; a
response_url reply retried, and sent as a DM to the person when its surface is gone.
"""

import asyncio
import contextlib
import contextvars
import inspect
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.models.basic_objects import JsonObject
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse
from slack_sdk.webhook.async_client import WebhookResponse

from api.http import Secrets, has_nothing_to_redact, json_has_nothing_to_redact, redact
from live.delivery import Delivery, dm_of, find_slot

logger = logging.getLogger("deskhand.outbound")

# Top-level Web API fields that are credentials Slack must receive as they are.
CREDENTIAL_FIELDS = frozenset({"token", "client_id", "client_secret", "code", "refresh_token"})


def scrub(value: Any) -> Any:
    """`value` with every string in it (through dicts, lists and Block Kit objects) redacted."""
    if isinstance(value, dict | list) and has_nothing_to_redact(value):
        # A card: one look at its JSON instead of a walk through every string. What is sent
        # is serialised from this; only the outer dict or list is new, like the walk's.
        return dict(value) if isinstance(value, dict) else list(value)
    return _scrubbed(value)


def _scrubbed(value: Any) -> Any:
    """The walk itself (looked at once from the top, not again at every level)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, JsonObject):
        value = value.to_dict()
    if isinstance(value, dict):
        return {key: _scrubbed(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrubbed(item) for item in value]
    return value


def scrubbed_json(message: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """`message` scrubbed, and as the JSON text to send: written once and read once for
    secrets; scrubbed string by string (and written again) only when that finds one."""
    try:
        text = json.dumps(message, ensure_ascii=False)
    except (TypeError, ValueError):  # a Block Kit object left in it: scrub() writes it out
        text = None
    if text is not None and json_has_nothing_to_redact(text):
        return message, text
    message = _scrubbed(message)  # its JSON was looked at above: walk it at once
    return message, json.dumps(message, ensure_ascii=False)


def scrub_fields(fields: Any) -> Any:
    """A Web API call's form, query or JSON fields scrubbed, credential fields left alone."""
    if not isinstance(fields, dict):
        return fields  # None, or multipart form data (file uploads) we never build from text
    return {k: v if k in CREDENTIAL_FIELDS else scrub(v) for k, v in fields.items()}


def scrub_response(response: BoltResponse) -> BoltResponse:
    """The acknowledgement's body scrubbed (a JSON body string by string, so it stays JSON)."""
    body = response.body
    if not body:
        return response
    try:
        parsed = json.loads(body)
    except ValueError:
        response.body = redact(body)
        return response
    response.body = json.dumps(scrub(parsed)) if isinstance(parsed, dict | list) else redact(body)
    return response


class ScrubbingWebClient(AsyncWebClient):
    """Slack's Web API client; every method goes through `api_call`, which scrubs the payload
    and delivers it by Slack's rules (`delivery`: retries, pacing, a slot looked for first)."""

    def __init__(
        self,
        *args: Any,
        delivery: Delivery | None = None,
        secrets: Secrets | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.delivery = delivery or Delivery()
        self.secrets = secrets  # the app's configured secrets: hidden while the client lives

    async def api_call(  # type: ignore[override]
        self,
        api_method: str,
        *,
        http_verb: str = "POST",
        files: dict | None = None,
        data: Any = None,
        params: dict | None = None,
        json: dict | None = None,
        headers: dict | None = None,
        auth: dict | None = None,
    ) -> AsyncSlackResponse:
        """Call `api_method` with its text fields scrubbed (the auth header is not a field)."""
        fields = {
            "data": scrub_fields(data),
            "params": scrub_fields(params),
            "json": scrub_fields(json),
        }

        def send() -> Awaitable[AsyncSlackResponse]:
            return super(ScrubbingWebClient, self).api_call(
                api_method,
                http_verb=http_verb,
                files=files,
                headers=headers,
                auth=auth,
                **fields,
            )

        given = next((f for f in fields.values() if isinstance(f, dict)), None)
        return await self.delivery.call(api_method, given, send, self._posted)

    async def _posted(self, channel: str, key: str, since: float) -> AsyncSlackResponse | None:
        """chat.postMessage's answer for the message already posted with slot `key`, if any."""
        ts = await find_slot(self, channel, key, since)
        if ts is None:
            return None
        data = {"ok": True, "channel": channel, "ts": ts}
        return AsyncSlackResponse(
            client=self,
            http_verb="POST",
            api_url=f"{self.base_url}chat.postMessage",
            req_args={},
            data=data,
            headers={},
            status_code=200,
        )


def scrubbing_client(
    client: AsyncWebClient, delivery: Delivery | None = None
) -> ScrubbingWebClient:
    """A scrubbing client with the same token, URL, session and retries as `client` (and the
    process's `delivery` rules, so pacing is shared)."""
    if isinstance(client, ScrubbingWebClient):
        return client
    return ScrubbingWebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        ssl=client.ssl,
        proxy=client.proxy,
        session=client.session,
        headers=dict(client.headers),
        trust_env_in_session=client.trust_env_in_session,
        logger=client.logger,
        team_id=client.default_params.get("team_id"),
        retry_handlers=client.retry_handlers,
        delivery=delivery,
    )


class SharedSession:
    """One aiohttp session for the response_url posts, kept while they keep coming.

    slack-sdk opens a session (and a connection) for every post it is not given one for; under
    a burst the posts share this one's pooled connections. Closing it whenever no post was in
    flight made a burst reconnect for most of its replies (a TCP connect each: 3-5% of the CPU
    a card costs), so it closes once no post has used it for `linger` seconds, or when its event
    loop ends (the task that watches it is cancelled then) - never later than the work that
    opened it, give or take the linger.
    """

    def __init__(self, linger: float = 15.0) -> None:
        self.linger = linger  # aiohttp's own keep-alive for an idle pooled connection: 15 s
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._watch: asyncio.Task[None] | None = None
        self._users = 0
        self._last_used = 0.0

    @contextlib.asynccontextmanager
    async def use(self) -> AsyncIterator[aiohttp.ClientSession]:
        """The open session, for one post."""
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._loop is not loop:
            # The timeout slack-sdk gives the session it would open itself.
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
            self._loop, self._users = loop, 0
            # Started from an empty context: not part of the request whose post opened it
            # (nothing that waits for a request's tasks waits for this one).
            watch = self._close_when_idle(self._session)
            self._watch = contextvars.Context().run(loop.create_task, watch)
        session = self._session
        self._users += 1
        try:
            yield session
        finally:
            if self._session is session:
                self._users -= 1
                self._last_used = loop.time()

    async def _close_when_idle(self, session: aiohttp.ClientSession) -> None:
        loop = asyncio.get_running_loop()
        try:
            while True:
                idle = loop.time() - self._last_used
                if self._session is not session or (self._users == 0 and idle >= self.linger):
                    return
                await asyncio.sleep(self.linger - idle if self._users == 0 else self.linger)
        finally:
            if self._session is session:
                self._session = None
            await session.close()


_RESPOND_ARGS = inspect.signature(AsyncRespond.__call__)
LISTS = ("blocks", "attachments")


def _message(text: str = "", **fields: Any) -> dict[str, Any]:
    """A response_url message as Bolt's respond() builds it: the text, and each field given
    (blocks and attachments as dicts, left out when empty)."""
    message: dict[str, Any] = {"text": text}
    for key, value in fields.items():
        if value is None or (key in LISTS and not value):
            continue
        if key in LISTS:
            value = [v.to_dict() if isinstance(v, JsonObject) else v for v in value]
        message[key] = value
    return message


class ScrubbingRespond(AsyncRespond):
    """`respond()` whose message is scrubbed before it is posted to the response_url, retried
    within Slack's rules, and sent as a DM to `user_id` when the response_url is gone."""

    def __init__(
        self,
        *,
        sessions: SharedSession | None = None,
        delivery: Delivery | None = None,
        dm: ScrubbingWebClient | None = None,
        user_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._sessions = sessions
        self._delivery = delivery or Delivery()
        self._dm, self._user_id = dm, user_id

    async def __call__(self, *args: Any, **kwargs: Any) -> WebhookResponse:  # type: ignore[override]
        """Post the scrubbed message (text, blocks, attachments or a whole message dict)."""
        if self._sessions is None or self.response_url is None:
            return await super().__call__(*scrub(list(args)), **scrub(kwargs))
        fields = _RESPOND_ARGS.bind(self, *args, **kwargs).arguments
        fields.pop("self")
        text = fields.pop("text", "")
        # As Bolt's AsyncRespond builds it: keyword fields, or one whole message dict.
        if isinstance(text, dict):
            message = _message(**text)
        elif isinstance(text, str):
            message = _message(text=text, **fields)
        else:
            raise ValueError(f"The arg is unexpected type ({type(text)})")
        message, body = scrubbed_json(message)
        async with self._sessions.use() as session:
            if await self._delivery.reply(self.response_url, body, session):
                return WebhookResponse(
                    url=self.response_url, status_code=200, body="ok", headers={}
                )
        return await self._by_dm(message)

    async def _by_dm(self, message: dict[str, Any]) -> WebhookResponse:
        """The reply as a DM to the person, the response_url being gone (a deletion is not
        sent: there is nothing to say)."""
        url = self.response_url or ""
        if self._dm is None or not self._user_id or message.get("delete_original"):
            return WebhookResponse(url=url, status_code=404, body="not delivered", headers={})
        try:
            await self._dm.chat_postMessage(channel=self._user_id, **dm_of(message))
        except SlackApiError as err:
            logger.warning("could not DM %s the reply either: %s", self._user_id, err)
            return WebhookResponse(url=url, status_code=502, body="not delivered", headers={})
        return WebhookResponse(url=url, status_code=200, body="sent as a DM", headers={})


class ScrubOutbound(AsyncMiddleware):
    """Global middleware: the request's `client` and `respond` become the scrubbing ones.

    Bolt builds a plain AsyncWebClient for each request, so the app's own client is not enough.
    """

    def __init__(self, delivery: Delivery | None = None) -> None:
        self._sessions = SharedSession()
        self._delivery = delivery or Delivery()

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse | None:
        """Swap in the scrubbing client and respond, then go on."""
        context = req.context
        delivery = self._delivery.for_listener()  # a person's request: never a long wait
        client = scrubbing_client(context.client, delivery)
        context["client"] = client
        context["respond"] = ScrubbingRespond(
            response_url=context.response_url,
            proxy=client.proxy,
            ssl=client.ssl,
            sessions=self._sessions,
            delivery=delivery,
            dm=client,
            user_id=context.user_id,
        )
        return await next()


class ScrubbingApp(AsyncApp):
    """The Bolt app with the outbound choke point: scrubbed Web API calls, respond and ack."""

    def __init__(self, **kwargs: Any) -> None:
        # Unnamed, Bolt names the app after its caller's file by walking the whole stack with
        # inspect.stack(), which reads source files: a quarter second per app. The same name.
        kwargs.setdefault("name", "outbound.py")
        super().__init__(**kwargs)
        client = kwargs.get("client")
        shared = client if isinstance(client, ScrubbingWebClient) else None
        delivery = shared.delivery if shared else None
        # First after Bolt's own, so every listener and handler gets it.
        self.use(ScrubOutbound(delivery))

    async def async_dispatch(self, req: AsyncBoltRequest) -> BoltResponse:
        """Dispatch as Bolt does, then scrub the acknowledgement (HTTP or Socket Mode)."""
        return scrub_response(await super().async_dispatch(req))
