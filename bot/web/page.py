"""The web sandbox's page: a small Slack-like workspace served by Starlette.

`GET /` draws a channel (or Deskhand's Home tab with `?c=home`); the page's script asks
`GET /sandbox/state` what changed (polling, a version number a time) and posts what the person
does to `/sandbox/<verb>`, which WebSandbox turns into the signed requests Slack would send.
"""

import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot.manifest import load_manifest
from bot.web.app import WebSandbox
from bot.web.render import (
    Surface,
    names_of,
    render_home,
    render_modal,
    render_template,
    render_timeline,
)
from sandbox.workspace import DM

HOME = "home"
STATIC = Path(__file__).parent / "static"
MAX_TEXT = 40_000  # Slack's own limit on a message's text
LOOPBACK_NAMES = {"127.0.0.1", "localhost", "[::1]"}


def build_page(sandbox: WebSandbox) -> Starlette:
    """The page's ASGI app over a started WebSandbox."""
    shortcuts = [
        (s.callback_id, s.name)
        for s in load_manifest().features.shortcuts
        if getattr(s, "type", "message") == "message"
    ]

    async def page(request: Request) -> Response:
        channel = _channel(request, sandbox)
        sandbox.workspace.sync()
        channels = sandbox.workspace.channels
        html = render_template(
            "page.html",
            **_fragments(sandbox, channel, shortcuts),
            channel=channel,
            home=HOME,
            version=sandbox.workspace.version,
            channel_name=lambda c: channels[c].name if c in channels else c,
            channel_topic=lambda c: channels[c].topic if c in channels else "",
        )
        return HTMLResponse(html)

    async def state(request: Request) -> Response:
        channel = _channel(request, sandbox)
        sandbox.workspace.sync()
        version = sandbox.workspace.version
        if request.query_params.get("v") == str(version):
            return JSONResponse({"version": version})
        return JSONResponse({"version": version, **_fragments(sandbox, channel, shortcuts)})

    async def send(request: Request) -> Response:
        body = await _body(request)
        await sandbox.send(str(body.get("channel", "")), str(body.get("text", ""))[:MAX_TEXT])
        return _done(sandbox)

    async def action(request: Request) -> Response:
        body = await _body(request)
        await sandbox.press(dict(body.get("where") or {}), dict(body.get("action") or {}))
        return _done(sandbox)

    async def submit(request: Request) -> Response:
        body = await _body(request)
        await sandbox.submit(str(body.get("view_id", "")), dict(body.get("values") or {}))
        return _done(sandbox)

    async def close(request: Request) -> Response:
        body = await _body(request)
        await sandbox.close(str(body.get("view_id", "")))
        return _done(sandbox)

    async def suggest(request: Request) -> Response:
        body = await _body(request)
        where, path = dict(body.get("where") or {}), str(body.get("path", ""))
        options = await sandbox.suggest(where, path, str(body.get("value", ""))[:200])
        return JSONResponse({"options": options})

    async def shortcut(request: Request) -> Response:
        body = await _body(request)
        channel, ts = str(body.get("channel", "")), str(body.get("ts", ""))
        await sandbox.shortcut(channel, ts, str(body.get("callback_id", "")))
        return _done(sandbox)

    async def home(request: Request) -> Response:
        await sandbox.open_home()
        return _done(sandbox)

    async def jump(request: Request) -> Response:
        await sandbox.jump_to_next_digest()
        return _done(sandbox)

    def guarded(view: Any) -> Any:
        async def endpoint(request: Request) -> Response:
            refusal = _refusal(request)
            return refusal if refusal is not None else await view(request)

        return endpoint

    page, state = guarded(page), guarded(state)
    posts = {
        "send": send,
        "action": action,
        "submit": submit,
        "close": close,
        "suggest": suggest,
        "shortcut": shortcut,
        "home": home,
        "jump": jump,
    }
    return Starlette(
        routes=[
            Route("/", page, methods=["GET"]),
            Route("/sandbox/state", state, methods=["GET"]),
            *(
                Route(f"/sandbox/{verb}", guarded(view), methods=["POST"])
                for verb, view in posts.items()
            ),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ]
    )


def _channel(request: Request, sandbox: WebSandbox) -> str:
    wanted = request.query_params.get("c", "C0SUPPORT")
    return wanted if wanted == HOME or wanted in sandbox.workspace.channels else "C0SUPPORT"


def _refusal(request: Request) -> Response | None:
    """A request another web site could have made the browser send is refused: the page's own
    script sends JSON (which a cross-site form cannot) from this very address, and the address
    must be a loopback one (not a name some site rebound to it). Behind the page may be a real
    help desk (READYDESK_URL set), so no other site may act or read through it."""
    if request.method == "POST" and (
        request.headers.get("content-type", "").split(";")[0].strip() != "application/json"
    ):
        return JSONResponse({"error": "The sandbox takes JSON from its own page."}, 415)
    host = request.headers.get("host", "")
    origin = urlsplit(request.headers.get("origin", "")).netloc
    if host.split(":")[0] not in LOOPBACK_NAMES or (origin and origin != host):
        return JSONResponse({"error": "Only the sandbox's own page may do that."}, 403)
    return None


async def _body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _done(sandbox: WebSandbox) -> Response:
    return JSONResponse({"version": sandbox.workspace.version})


def _fragments(
    sandbox: WebSandbox, channel: str, shortcuts: list[tuple[str, str]]
) -> dict[str, Any]:
    """What the page shows, as HTML pieces the script swaps in when the version moves."""
    workspace = sandbox.workspace
    names = names_of(workspace)
    view = workspace.view()
    modal, modal_key = "", ""
    if view is not None:
        ctx = Surface(
            names=names,
            prefix=f"v{view['id']}",
            values=workspace.form_values.get(view["id"], {}),
            errors=workspace.form_errors.get(view["id"], {}),
        )
        modal = str(render_modal(view, ctx))
        modal_key = f"{view['id']}:{hashlib.sha256(modal.encode()).hexdigest()[:16]}"
    if channel == HOME:
        main = str(render_home(workspace.home(), Surface(names=names, prefix="home")))
    else:
        main = str(render_timeline(workspace, channel, shortcuts))
    now = sandbox.clock.now().astimezone()
    ahead = sandbox.clock.offset
    return {
        "main": main,
        "modal": modal,
        "modal_key": modal_key,
        "sidebar": render_template(
            "sidebar.html", channels=list(workspace.channels.values()), current=channel, dm=DM
        ),
        "clock": f"Sandbox time {now:%a %d %b, %H:%M}"
        + (f" ({_ahead(ahead.total_seconds())} ahead)" if ahead.total_seconds() >= 60 else ""),
        "notice": {"id": sandbox.notice_id, "text": sandbox.notice},
    }


def _ahead(seconds: float) -> str:
    hours, minutes = divmod(int(seconds) // 60, 60)
    days, hours = divmod(hours, 24)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{minutes}m"]
    return " ".join(p for p in parts if p and p != "0m") or "0m"
