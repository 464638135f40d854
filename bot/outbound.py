"""The one outbound choke point: every text Deskhand sends to Slack is scrubbed of secrets.

Three doors lead to Slack and each passes through `scrub`, which runs `api.http.redact` (every
registered secret, `key=`-style query values, `xox?-`/`xapp-` tokens) over every string of the
payload: Web API calls (`ScrubbingWebClient.api_call`, which every `chat.*`, `views.*` and other
method goes through), `respond()` (a response_url post) and the acknowledgement (the HTTP
response, or in Socket Mode the envelope's ack payload, both made from the `BoltResponse` that
`ScrubbingApp.async_dispatch` returns).
"""

import contextlib
import inspect
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.context.respond.internals import _build_message
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.models.basic_objects import JsonObject
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse
from slack_sdk.webhook.async_client import AsyncWebhookClient, WebhookResponse

from api.http import redact

# Top-level Web API fields that are credentials Slack must receive as they are.
CREDENTIAL_FIELDS = frozenset({"token", "client_id", "client_secret", "code", "refresh_token"})


def scrub(value: Any) -> Any:
    """`value` with every string in it (through dicts, lists and Block Kit objects) redacted."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, JsonObject):
        value = value.to_dict()
    if isinstance(value, dict):
        return {key: scrub(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(item) for item in value]
    return value


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
    """Slack's Web API client; every method goes through `api_call`, which scrubs the payload."""

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
        return await super().api_call(
            api_method,
            http_verb=http_verb,
            files=files,
            data=scrub_fields(data),
            params=scrub_fields(params),
            json=scrub_fields(json),
            headers=headers,
            auth=auth,
        )


def scrubbing_client(client: AsyncWebClient) -> ScrubbingWebClient:
    """A scrubbing client with the same token, URL, session and retries as `client`."""
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
    )


class SharedSession:
    """One aiohttp session for the response_url posts in flight at the same time.

    slack-sdk opens a session (and a connection) for every post it is not given one for; under
    a burst the posts overlap and share this one's pooled connections. It closes when the last
    post in flight ends, so it never outlives the work that opened it.
    """

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None
        self._users = 0

    @contextlib.asynccontextmanager
    async def use(self) -> AsyncIterator[aiohttp.ClientSession]:
        """The open session, for one post."""
        if self._session is None or self._session.closed:
            # The timeout slack-sdk gives the session it would open itself.
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        session = self._session
        self._users += 1
        try:
            yield session
        finally:
            self._users -= 1
            if self._users == 0 and self._session is session:
                self._session = None
                await session.close()


_RESPOND_ARGS = inspect.signature(AsyncRespond.__call__)


class ScrubbingRespond(AsyncRespond):
    """`respond()` whose message is scrubbed before it is posted to the response_url."""

    def __init__(self, *, sessions: SharedSession | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._sessions = sessions

    async def __call__(self, *args: Any, **kwargs: Any) -> WebhookResponse:  # type: ignore[override]
        """Post the scrubbed message (text, blocks, attachments or a whole message dict)."""
        args, kwargs = scrub(list(args)), scrub(kwargs)
        if self._sessions is None or self.response_url is None:
            return await super().__call__(*args, **kwargs)
        fields = _RESPOND_ARGS.bind(self, *args, **kwargs).arguments
        fields.pop("self")
        text = fields.pop("text", "")
        # As Bolt's AsyncRespond builds it: keyword fields, or one whole message dict.
        if isinstance(text, dict):
            message = _build_message(**text)
        elif isinstance(text, str):
            message = _build_message(text=text, **fields)
        else:
            raise ValueError(f"The arg is unexpected type ({type(text)})")
        async with self._sessions.use() as session:
            client = AsyncWebhookClient(
                url=self.response_url, proxy=self.proxy, ssl=self.ssl, session=session
            )
            return await client.send_dict(message)


class ScrubOutbound(AsyncMiddleware):
    """Global middleware: the request's `client` and `respond` become the scrubbing ones.

    Bolt builds a plain AsyncWebClient for each request, so the app's own client is not enough.
    """

    def __init__(self) -> None:
        self._sessions = SharedSession()

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse | None:
        """Swap in the scrubbing client and respond, then go on."""
        context = req.context
        client = scrubbing_client(context.client)
        context["client"] = client
        context["respond"] = ScrubbingRespond(
            response_url=context.response_url,
            proxy=client.proxy,
            ssl=client.ssl,
            sessions=self._sessions,
        )
        return await next()


class ScrubbingApp(AsyncApp):
    """The Bolt app with the outbound choke point: scrubbed Web API calls, respond and ack."""

    def __init__(self, **kwargs: Any) -> None:
        # Unnamed, Bolt names the app after its caller's file by walking the whole stack with
        # inspect.stack(), which reads source files: a quarter second per app. The same name.
        kwargs.setdefault("name", "outbound.py")
        super().__init__(**kwargs)
        self.use(ScrubOutbound())  # first after Bolt's own, so every listener and handler gets it

    async def async_dispatch(self, req: AsyncBoltRequest) -> BoltResponse:
        """Dispatch as Bolt does, then scrub the acknowledgement (HTTP or Socket Mode)."""
        return scrub_response(await super().async_dispatch(req))
