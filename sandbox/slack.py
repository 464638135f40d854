"""A fake Slack: the Web API methods Deskhand calls and a `response_url` sink, recording each call.

Served on a loopback port (slack-sdk's async client uses aiohttp, which httpx mocks cannot see);
point `SLACK_API_URL` at `api_url`. Answers `auth.test`, which Bolt calls on its first request,
and 429 with Retry-After on request (`rate_limits`). It also speaks Socket Mode
(sandbox/slack_socket.py).
"""

import asyncio
import json
import time
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox.faults import FaultMiddleware, Faults
from sandbox.serve import LoopbackServer
from sandbox.slack_calls import RecordedCall, request_payload
from sandbox.slack_functions import FunctionExecutions
from sandbox.slack_history import history_page, replies_page
from sandbox.slack_socket import SERVER_CONNECTION, SocketModeSide
from sandbox.slack_threads import thread_answer

TEAM_ID = "T0SANDBOX"
BOT_USER_ID = "U0DESKHAND"
BOT_ID = "B0DESKHAND"
# Who conversations.history says posted the app's messages.
AUTHOR = {"user": BOT_USER_ID, "bot_id": BOT_ID, "app_id": "A0DESKHAND", "team": TEAM_ID}
# The bot token the sandbox hands out: it takes any token of a Slack shape, so this one only
# needs to look like one to the clients (it is no secret, and no real workspace issued it).
SANDBOX_BOT_TOKEN = "xoxb-sandbox"  # noqa: S105
SANDBOX_APP_TOKEN = "xapp-sandbox"  # noqa: S105 - Socket Mode's app-level token, likewise


def sandbox_user(user_id: str, real_name: str, email: str, tz: str = "UTC") -> dict[str, Any]:
    """A users.info `user` object with the fields Deskhand reads (tests add people with it)."""
    name = real_name.split()[0].lower()
    return {
        "id": user_id,
        "team_id": TEAM_ID,
        "name": name,
        "real_name": real_name,
        "tz": tz,
        "profile": {"real_name": real_name, "display_name": name, "email": email},
    }


class SlackSandbox(SocketModeSide):
    """The fake Slack server; `calls` lists what the app sent, in order."""

    def __init__(self, *, real_time_ts: bool = False) -> None:
        self.calls: list[RecordedCall] = []
        self.rate_limits: dict[str, int] = {}  # method -> how many 429s to answer before success
        # Faults in front of the Web API and the response_urls (sandbox/faults.py): a path such
        # as "/api/chat.postMessage" or "/response/" answers 429, a 5xx, ok:false ratelimited,
        # or carries the call out and then answers 500 (`applied_status`).
        self.faults = Faults()
        self.base_url = ""
        self._server: LoopbackServer | None = None
        SocketModeSide.__init__(self)
        # Message timestamps count up one a message from a fixed start, or (`real_time_ts`, for
        # a sandbox whose state outlives a restart, or whose conversations.history is asked
        # for messages since a time) follow the clock as Slack's do.
        self._ts = 1_700_000_000.000100
        self.real_time_ts = real_time_ts
        self.changed = asyncio.Event()  # set on each recorded call; whoever waits clears it
        self.channels_without_bot: set[str] = set()  # chat.postMessage answers not_in_channel
        # Messages posted with chat.postMessage, by (channel, ts); chat.update changes them and
        # answers message_not_found for any other (deleting one here deletes it "in Slack").
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}
        self.views: dict[str, dict[str, Any]] = {}  # every modal the app opened, by view id
        self.home_tabs: dict[str, dict[str, Any]] = {}  # the Home tab published, by user id
        # Unfurls under people's messages, by (channel, ts) or ("composer", unfurl_id), then by
        # link: calling chat.unfurl again on a message replaces that link's unfurl, as Slack
        # does. A message in `gone_messages` was deleted: chat.unfurl answers
        # cannot_unfurl_message.
        self.unfurls: dict[tuple[str, str], dict[str, Any]] = {}
        self.gone_messages: set[tuple[str, str]] = set()
        self.last_view_id = ""
        # Threads: private channels (conversations.join answers as Slack does for them; the
        # bot is in one unless it is in `channels_without_bot`), and the reactions the app
        # added, by (channel, ts) of the message.
        self.private_channels: set[str] = set()
        self.reactions: dict[tuple[str, str], list[str]] = {}
        self.functions = FunctionExecutions()  # workflow steps run, and their own tokens
        # users.info answers from here; unknown ids get `user_not_found`, as Slack answers.
        self.users: dict[str, dict[str, Any]] = {
            "U0CONSOLE": sandbox_user("U0CONSOLE", "Alice Moreno", "alice@helpdesk.example"),
            "U1": sandbox_user("U1", "Pat Lee", "pat@fieldcrew.example"),
        }

    @property
    def api_url(self) -> str:
        """The Web API base for SLACK_API_URL."""
        return f"{self.base_url}/api/"

    def response_url(self, name: str) -> str:
        """A response_url whose posts are recorded under `name`."""
        return f"{self.base_url}/response/{name}"

    def next_ts(self) -> str:
        """A new message timestamp, later than every one handed out before."""
        step = 0.0001 if self.real_time_ts else 1
        self._ts = max(self._ts + step, time.time() if self.real_time_ts else 0)
        return f"{self._ts:.6f}"

    def person_says(
        self, channel: str, user: str, text: str, *, thread_ts: str | None = None, **more: Any
    ) -> dict[str, Any]:
        """A person posts a message (a reply when `thread_ts`): kept as Slack keeps it, and
        returned as the `message` event Slack sends the app."""
        ts = self.next_ts()
        event = {"type": "message", "channel": channel, "user": user, "text": text, "ts": ts}
        event |= {"thread_ts": thread_ts} if thread_ts else {}
        event |= {"channel_type": "group" if channel in self.private_channels else "channel"}
        posted_by = {"user": user, "team": TEAM_ID}
        self.messages[(channel, ts)] = {**event, **more, "posted_by": posted_by}
        return {**event, **more}

    def person_reacts(self, channel: str, ts: str, user: str, name: str) -> dict[str, Any]:
        """The `reaction_added` event Slack sends when a person adds `name` to the message
        `ts` (its poster as Slack keeps it; Deskhand's bot user for one the sandbox never saw)."""
        posted = self.messages.get((channel, ts)) or {}
        return {
            "type": "reaction_added",
            "user": user,
            "reaction": name,
            "item": {"type": "message", "channel": channel, "ts": ts},
            "item_user": (posted.get("posted_by") or {}).get("user") or BOT_USER_ID,
            "event_ts": self.next_ts(),
        }

    def say(self, channel: str, user: str, text: str, *, thread_ts: str | None = None) -> str:
        """A person posts `text` in `channel` (in the thread `thread_ts`), no event sent; its ts."""
        return self.person_says(channel, user, text, thread_ts=thread_ts)["ts"]

    def calls_since(self, index: int) -> list[RecordedCall]:
        """Calls recorded after the first `index` ones."""
        return self.calls[index:]

    def asgi_app(self) -> ASGIApp:
        """The ASGI app behind the sandbox."""
        app = Starlette(
            routes=[
                Route("/api/apps.connections.open", self.connections_open, methods=["POST"]),
                Route("/api/{method}", self._api, methods=["POST", "GET"]),
                Route("/response/{name}", self._response_url, methods=["POST"]),
                WebSocketRoute("/socket/{rest:path}", self.socket),
            ]
        )

        async def keeping_connections(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "websocket":  # the server's connection, for reset_connections
                scope = {**scope, SERVER_CONNECTION: getattr(receive, "__self__", None)}
            await app(scope, receive, send)

        return keeping_connections

    async def start(self, port: int = 0) -> str:
        """Serve on a loopback port (a free one unless given: to come back after `stop`, as
        after an outage) in this event loop; returns the base URL."""
        self._server = LoopbackServer(FaultMiddleware(self.asgi_app(), self.faults), port=port)
        self.base_url = await self._server.start()
        return self.base_url

    async def stop(self) -> None:
        """Shut the server down."""
        if self._server:
            await self._server.stop()

    async def wait_for_call(
        self, kind: str, name: str | None = None, timeout: float = 5.0
    ) -> RecordedCall:
        """The first recorded call of this kind (and name), waiting for it if needed."""
        async with asyncio.timeout(timeout):
            while True:
                for call in self.calls:
                    if call.kind == kind and name in (None, call.name):
                        return call
                await asyncio.sleep(0.01)

    async def _api(self, request: Request) -> Response:
        method = request.path_params["method"]
        payload = await request_payload(request)
        auth = request.headers.get("authorization", "")
        token = auth.removeprefix("Bearer ") or payload.get("token", "")
        if self.rate_limits.get(method, 0) > 0:
            self.rate_limits[method] -= 1
            self.calls.append(RecordedCall("api", method, {**payload, "_ratelimited": True}))
            return JSONResponse({"ok": False, "error": "ratelimited"}, 429, {"Retry-After": "1"})
        call = RecordedCall("api", method, payload, token=token)
        if not token.startswith(("xoxb-", "xoxp-", "xapp-")) and not self.functions.accepts(token):
            call.answer = {"ok": False, "error": "invalid_auth"}
        elif method.startswith("functions.complete"):
            call.answer = self.functions.complete(method, payload)
        else:
            call.answer = self._answer(method, payload)
        self.calls.append(call)
        self.changed.set()
        return JSONResponse(call.answer)

    def _answer(self, method: str, payload: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://sandbox.slack.example/",
                "team": "Sandbox",
                "user": "deskhand",
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
            }
        posts = ("chat.postMessage", "chat.postEphemeral")
        if method in posts and payload.get("channel") in self.channels_without_bot:
            return {"ok": False, "error": "not_in_channel"}
        if method == "chat.postMessage":
            ts = self.next_ts()
            self.messages[(str(payload.get("channel")), ts)] = payload
            return {"ok": True, "channel": payload.get("channel"), "ts": ts, "message": payload}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self.next_ts()}
        reads = ("conversations.history", "conversations.replies")
        if method in reads and payload.get("channel") in self.channels_without_bot:
            return {"ok": False, "error": "not_in_channel"}
        if method == "conversations.history":
            private = payload.get("channel") in self.private_channels
            if private and payload.get("channel") in self.channels_without_bot:
                return {"ok": False, "error": "channel_not_found"}
            return history_page(self.messages, payload, AUTHOR)
        if method == "conversations.replies":
            return replies_page(self.messages, payload, AUTHOR)
        if method == "chat.delete":
            where = (str(payload.get("channel")), str(payload.get("ts")))
            if self.messages.pop(where, None) is None:
                return {"ok": False, "error": "message_not_found"}
            return {"ok": True, "channel": where[0], "ts": where[1]}
        if method == "chat.update":
            where = (str(payload.get("channel")), str(payload.get("ts")))
            if where not in self.messages:
                return {"ok": False, "error": "message_not_found"}
            self.messages[where] = {**self.messages[where], **payload}
            return {"ok": True, "channel": where[0], "ts": where[1], "message": payload}
        if method == "chat.unfurl":
            return self._unfurl(payload)
        if method.startswith("reactions.") or method == "conversations.join":
            return thread_answer(self, method, payload)
        if method == "views.publish":
            if payload.get("user_id") not in self.users:
                return {"ok": False, "error": "user_not_found"}
            return {"ok": True, "view": self._publish_home(payload)}
        if method.startswith("views."):
            view = payload.get("view") or {}
            view_id = payload.get("view_id") if method == "views.update" else None
            return {"ok": True, "view": self.keep_view(view, view_id=view_id)}
        if method == "chat.getPermalink":
            ts = str(payload.get("message_ts", "")).replace(".", "")
            link = f"https://sandbox.slack.example/archives/{payload.get('channel')}/p{ts}"
            return {"ok": True, "channel": payload.get("channel"), "permalink": link}
        if method == "users.info":
            user = self.users.get(payload.get("user", ""))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        return {"ok": True}

    def keep_view(
        self, view: dict[str, Any] | str, *, view_id: str | None = None
    ) -> dict[str, Any]:
        """A modal shown: with a new id (views.open/push, or an acknowledgement's push), or in
        place of the view `view_id` (views.update, or an acknowledgement's update)."""
        if isinstance(view, str):
            view = json.loads(view)
        if view_id not in self.views:
            view_id = f"V{len(self.views) + 1:08d}"
        self.views[view_id] = {**view, "id": view_id}
        self.last_view_id = view_id
        return self.views[view_id]

    def _unfurl(self, payload: dict[str, Any]) -> dict[str, Any]:
        """chat.unfurl by channel + ts (a posted message) or unfurl_id + source (the composer)."""
        if payload.get("unfurl_id") and payload.get("source"):
            where = (str(payload["source"]), str(payload["unfurl_id"]))
        elif payload.get("channel") and payload.get("ts"):
            where = (str(payload["channel"]), str(payload["ts"]))
        else:
            return {"ok": False, "error": "missing_channel"}
        unfurls = payload.get("unfurls")
        if isinstance(unfurls, str):
            unfurls = json.loads(unfurls)
        if not isinstance(unfurls, dict) or not unfurls:
            return {"ok": False, "error": "missing_unfurls"}
        if where in self.gone_messages:
            return {"ok": False, "error": "cannot_unfurl_message"}
        self.unfurls.setdefault(where, {}).update(unfurls)
        return {"ok": True}

    def _publish_home(self, payload: dict[str, Any]) -> dict[str, Any]:
        """views.publish replaces the person's Home tab (one per user, kept across opens)."""
        view = payload.get("view") or {}
        if isinstance(view, str):
            view = json.loads(view)
        user_id = str(payload["user_id"])
        view_id = self.home_tabs.get(user_id, {}).get("id") or f"VH{len(self.home_tabs) + 1:07d}"
        self.home_tabs[user_id] = {**view, "id": view_id}
        return self.home_tabs[user_id]

    async def _response_url(self, request: Request) -> Response:
        name, payload = request.path_params["name"], await request_payload(request)
        peer = f"{request.client.host}:{request.client.port}" if request.client else ""
        self.calls.append(RecordedCall("response_url", name, payload, peer=peer))
        self.changed.set()
        return Response("ok")
