"""The web sandbox's page: a small Slack-like workspace served by Starlette.

`GET /` draws a channel (or Deskhand's Home tab with `?c=home`); the page's script asks
`GET /sandbox/state` what changed (polling, a version number a time) and posts what the person
does to `/sandbox/<verb>`, which WebSandbox turns into the signed requests Slack would send.
"""

import hashlib
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot.manifest import load_manifest
from playground.web.app import WebSandbox
from playground.web.mrkdwn import mrkdwn_html
from playground.web.render import (
    Surface,
    names_of,
    render_home,
    render_modal,
    render_template,
    render_thread,
    render_timeline,
)
from playground.web.threads import offered_reactions, react, reply
from playground.web.workflows import WORKFLOWS, render_workflows, run_workflow_step
from sandbox.workspace import DM

HOME = "home"
STATIC = Path(__file__).parent / "static"
MAX_TEXT = 40_000  # Slack's own limit on a message's text
LOOPBACK_NAMES = {"127.0.0.1", "localhost", "[::1]"}


# What each POST /sandbox/<verb> does, from the JSON body the page's script sends.
VERBS: dict[str, Callable[[WebSandbox, dict[str, Any]], Awaitable[Any]]] = {
    "send": lambda s, b: s.send(_text(b, "channel"), _text(b, "text")[:MAX_TEXT]),
    "action": lambda s, b: s.press(_dict(b, "where"), _dict(b, "action")),
    "submit": lambda s, b: s.submit(_text(b, "view_id"), _dict(b, "values")),
    "close": lambda s, b: s.close(_text(b, "view_id")),
    "suggest": lambda s, b: s.suggest(_dict(b, "where"), _text(b, "path"), _text(b, "value")[:200]),
    "shortcut": lambda s, b: s.shortcut(
        _text(b, "channel"), _text(b, "ts"), _text(b, "callback_id")
    ),
    "reply": lambda s, b: reply(s, _text(b, "channel"), _text(b, "thread_ts"), _text(b, "text")),
    "react": lambda s, b: react(s, _text(b, "channel"), _text(b, "ts"), _text(b, "name")),
    "run-step": lambda s, b: run_workflow_step(s, _text(b, "callback_id"), _dict(b, "values")),
    "home": lambda s, b: s.open_home(),
    "jump": lambda s, b: s.jump_to_next_digest(),
}


def build_page(sandbox: WebSandbox) -> Starlette:
    """The page's ASGI app over a started WebSandbox."""
    manifest = load_manifest()
    shortcuts = [
        (s.callback_id, s.name)
        for s in manifest.features.shortcuts
        if getattr(s, "type", "message") == "message"
    ]
    commands = manifest.features.slash_commands  # offered as you type "/", as Slack does

    async def page(request: Request) -> Response:
        """The whole page, drawn as it is now."""
        if (refusal := _refusal(request)) is not None:
            return refusal
        channel = _channel(request, sandbox)
        thread = request.query_params.get("t", "")
        sandbox.workspace.sync()
        channels = sandbox.workspace.channels
        fragments = _fragments(sandbox, channel, shortcuts, thread)
        thread_html = fragments.pop("thread")
        if channel == WORKFLOWS:
            fragments["main"] = render_workflows(sandbox, request.query_params.get("step", ""))
        html = render_template(
            "page.html",
            **fragments,
            thread_html=thread_html,
            channel=channel,
            thread=thread,
            home=HOME,
            workflows=WORKFLOWS,
            version=sandbox.workspace.version,
            notice_id=sandbox.notice_id,  # what was said before the page opened is not shown
            commands=commands,
            channel_name=lambda c: channels[c].name if c in channels else c,
            channel_topic=lambda c: channels[c].topic if c in channels else "",
        )
        return HTMLResponse(html)

    async def state(request: Request) -> Response:
        """What changed since the version the script has (just the clock, when nothing did)."""
        if (refusal := _refusal(request)) is not None:
            return refusal
        channel = _channel(request, sandbox)
        sandbox.workspace.sync()
        version = sandbox.workspace.version
        if request.query_params.get("v") == str(version):
            return JSONResponse({"version": version, "clock": _clock(sandbox)})
        thread = request.query_params.get("t", "")
        return JSONResponse({"version": version, **_fragments(sandbox, channel, shortcuts, thread)})

    async def verb(request: Request) -> Response:
        """Something the person did, done as Slack would deliver it."""
        if (refusal := _refusal(request)) is not None:
            return refusal
        do = VERBS.get(request.path_params["verb"])
        if do is None:
            return JSONResponse({"error": "No such thing to do."}, 404)
        answer = await do(sandbox, await _body(request))
        if request.path_params["verb"] == "suggest":
            return JSONResponse({"options": answer})
        version = {"version": sandbox.workspace.version}
        if request.path_params["verb"] == "run-step":
            return JSONResponse({**version, **answer})
        if request.path_params["verb"] in ("send", "reply"):  # the box clears only once delivered
            not_sent = str(mrkdwn_html(answer, names_of(sandbox.workspace))) if answer else ""
            return JSONResponse({**version, "delivered": answer is None, "error": not_sent})
        return JSONResponse(version)

    return Starlette(
        routes=[
            Route("/", page, methods=["GET"]),
            Route("/sandbox/state", state, methods=["GET"]),
            Route("/sandbox/{verb}", verb, methods=["POST"]),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ]
    )


def _text(body: dict[str, Any], key: str) -> str:
    return str(body.get(key) or "")


def _dict(body: dict[str, Any], key: str) -> dict[str, Any]:
    value = body.get(key)
    return value if isinstance(value, dict) else {}


def _channel(request: Request, sandbox: WebSandbox) -> str:
    wanted = request.query_params.get("c", "C0SUPPORT")
    known = wanted in (HOME, WORKFLOWS) or wanted in sandbox.workspace.channels
    return wanted if known else "C0SUPPORT"


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


def _fragments(
    sandbox: WebSandbox, channel: str, shortcuts: list[tuple[str, str]], thread: str = ""
) -> dict[str, Any]:
    """What the page shows, as HTML pieces the script swaps in when the version moves."""
    workspace = sandbox.workspace
    names = names_of(workspace)
    view = workspace.view()
    offered = offered_reactions(sandbox.settings)
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
    elif channel == WORKFLOWS:
        main = ""  # the page's own form: drawn once, never redrawn (it keeps what was typed)
    else:
        main = str(render_timeline(workspace, channel, shortcuts, offered))
    return {
        "main": main,
        "modal": modal,
        "modal_key": modal_key,
        "sidebar": render_template(
            "sidebar.html",
            channels=list(workspace.channels.values()),
            current=channel,
            dm=DM,
            workflows=WORKFLOWS,
        ),
        "thread": (
            str(render_thread(workspace, channel, thread, shortcuts, offered)) if thread else ""
        ),
        "clock": _clock(sandbox),
        "notice": {"id": sandbox.notice_id, "html": str(mrkdwn_html(sandbox.notice, names))},
    }


def _clock(sandbox: WebSandbox) -> str:
    """The sandbox's time, and how far ahead of the real one a jump put it."""
    now, ahead = sandbox.clock.now().astimezone(), sandbox.clock.offset.total_seconds()
    return f"Sandbox time {now:%a %d %b, %H:%M}" + (
        f" ({_ahead(ahead)} ahead)" if ahead >= 60 else ""
    )


def _ahead(seconds: float) -> str:
    hours, minutes = divmod(int(seconds) // 60, 60)
    days, hours = divmod(hours, 24)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{minutes}m"]
    return " ".join(p for p in parts if p and p != "0m") or "0m"
