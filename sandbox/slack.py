"""A fake Slack: the Web API methods Deskhand calls and a `response_url` sink, recording each call.

Served on a loopback port (slack-sdk's async client uses aiohttp, which httpx mocks cannot see);
point `SLACK_API_URL` at `api_url`. Answers `auth.test`, which Bolt calls on its first request.
"""

import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.serve import LoopbackServer

TEAM_ID = "T0SANDBOX"
BOT_USER_ID = "U0DESKHAND"
BOT_ID = "B0DESKHAND"


@dataclass
class RecordedCall:
    """One request the app made: a Web API method or a post to a response_url."""

    kind: str  # "api" or "response_url"
    name: str  # the method name, or the response_url's id
    payload: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


class SlackSandbox:
    """The fake Slack server; `calls` lists what the app sent, in order."""

    def __init__(self) -> None:
        self.calls: list[RecordedCall] = []
        self.rate_limits: dict[str, int] = {}  # method -> how many 429s to answer before success
        self.base_url = ""
        self._server: LoopbackServer | None = None
        self._ts = 1_700_000_000.000100

    @property
    def api_url(self) -> str:
        """The Web API base for SLACK_API_URL."""
        return f"{self.base_url}/api/"

    def response_url(self, name: str) -> str:
        """A response_url whose posts are recorded under `name`."""
        return f"{self.base_url}/response/{name}"

    def calls_since(self, index: int) -> list[RecordedCall]:
        """Calls recorded after the first `index` ones."""
        return self.calls[index:]

    def asgi_app(self) -> Starlette:
        """The Starlette app behind the sandbox."""
        return Starlette(
            routes=[
                Route("/api/{method}", self._api, methods=["POST", "GET"]),
                Route("/response/{name}", self._response_url, methods=["POST"]),
            ]
        )

    async def start(self) -> str:
        """Serve on a free loopback port in this event loop; returns the base URL."""
        self._server = LoopbackServer(self.asgi_app())
        self.base_url = await self._server.start()
        return self.base_url

    async def stop(self) -> None:
        """Shut the server down."""
        if self._server:
            await self._server.stop()

    async def _payload(self, request: Request) -> dict[str, Any]:
        raw = (await request.body()).decode()
        if request.headers.get("content-type", "").startswith("application/json"):
            return json.loads(raw or "{}")
        payload: dict[str, Any] = dict(parse_qsl(raw)) | dict(request.query_params)
        for key in ("blocks", "view", "unfurls"):
            if isinstance(payload.get(key), str):
                payload[key] = json.loads(payload[key])
        return payload

    async def _api(self, request: Request) -> Response:
        method = request.path_params["method"]
        payload = await self._payload(request)
        auth = request.headers.get("authorization", "")
        token = auth.removeprefix("Bearer ") or payload.get("token", "")
        if self.rate_limits.get(method, 0) > 0:
            self.rate_limits[method] -= 1
            self.calls.append(RecordedCall("api", method, {**payload, "_ratelimited": True}))
            return JSONResponse({"ok": False, "error": "ratelimited"}, 429, {"Retry-After": "1"})
        self.calls.append(RecordedCall("api", method, payload))
        if not token.startswith(("xoxb-", "xoxp-", "xapp-")):
            return JSONResponse({"ok": False, "error": "invalid_auth"})
        return JSONResponse(self._answer(method, payload))

    def _answer(self, method: str, payload: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True, "url": "https://sandbox.slack.example/", "team": "Sandbox",
                "user": "deskhand", "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": BOT_ID,
            }  # fmt: skip
        if method in ("chat.postMessage", "chat.update"):
            self._ts += 1
            ts = payload.get("ts") or f"{self._ts:.6f}"
            return {"ok": True, "channel": payload.get("channel"), "ts": ts, "message": payload}
        if method.startswith("views."):
            return {"ok": True, "view": {"id": "V0SANDBOX", **(payload.get("view") or {})}}
        if method == "users.info":
            user = payload.get("user", "U0")
            return {"ok": True, "user": {"id": user, "name": user.lower(), "tz": "UTC"}}
        return {"ok": True}

    async def _response_url(self, request: Request) -> Response:
        self.calls.append(
            RecordedCall("response_url", request.path_params["name"], await self._payload(request))
        )
        return Response("ok")
