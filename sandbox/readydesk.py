"""An ASGI fake of the ReadyDesk API, following shared/seeds and shared/reference/readydesk-api.md.

Serves `…/API/` and `…/API/default.aspx`, checks `key` (and an optional IP allow-list), dispatches
on `action`, validates as the docs describe (required variables, Y/N and PERSONAL/COMPANY
defaults, 255-character limits), keeps writes in memory, and answers XML by default or JSON /
URL-delimited with `format=json|xml|delimited`. Error replies are invented (the docs never show
one): `<response><error>…</error></response>` with HTTP 200, as the reference suggests. Faults
(latency, status codes, HTML pages, broken bodies, dropped connections) are switched on through
`app.state.faults`.
"""

import json
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote_plus
from xml.sax.saxutils import escape

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.readydesk.wire import WireNames
from sandbox.data import (
    SandboxData,
    seeded,
)
from sandbox.faults import FaultMiddleware, Faults
from sandbox.readydesk_query import SANDBOX_KEY, Listing, Query, ReadyDeskError, Reply, wire_value
from sandbox.readydesk_reads import (
    get_companies,
    get_customers,
    get_history,
    get_schedules,
    get_tech_groups,
    get_techs,
    get_tickets,
)
from sandbox.readydesk_writes import (
    add_customer,
    add_history,
    add_ticket,
    update_customer,
    update_ticket,
)


def _actions(names: WireNames) -> dict[str, Callable[[SandboxData, Query], Reply]]:
    return {
        "get_tickets": get_tickets,
        "get_customers": get_customers,
        "get_companies": get_companies,
        "get_techs": get_techs,
        "get_tech_groups": get_tech_groups,
        "get_history": get_history,
        "get_schedules": get_schedules,
        "add_customer": add_customer,
        "update_customer": update_customer,
        "add_ticket": lambda d, q: add_ticket(d, q, names),
        "update_ticket": lambda d, q: update_ticket(d, q, names),
        names.history_action: lambda d, q: add_history(d, q, names),
    }


# -- rendering ---------------------------------------------------------------------------------


def _encode_row(row: dict[str, Any], encoded: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in row.items():
        if name == "custom_fields":
            out[name] = {quote_plus(k): quote_plus(wire_value(v)) for k, v in value.items()}
        else:
            out[name] = quote_plus(wire_value(value)) if name in encoded else wire_value(value)
    return out


def render(reply: Listing | dict[str, Any], fmt: str) -> tuple[str, str]:
    """(body, media type) of a reply in XML, JSON or URL-delimited form."""
    if isinstance(reply, Listing):
        root, record = reply.root, reply.record
        rows = [_encode_row(r, reply.encoded) for r in reply.rows]
    else:
        root, record, rows = "response", None, [{k: wire_value(v) for k, v in reply.items()}]
    if fmt == "json":
        return json.dumps({root: [_json_row(r) for r in rows]}, indent=1), "application/json"
    if fmt == "delimited":
        return "\n".join(_delimited_row(r) for r in rows), "text/plain"
    return _xml(root, record, rows), "text/xml"


def _json_row(row: dict[str, Any]) -> dict[str, Any]:
    return {k: [v] if isinstance(v, dict) else v for k, v in row.items()}


def _delimited_row(row: dict[str, Any]) -> str:
    parts = []
    for name, value in row.items():
        if isinstance(value, dict):
            parts.extend(f"{k}={v}" for k, v in value.items())
            parts.append(f"{name}={','.join(value)}")
        else:
            parts.append(f"{name}={value}")
    return "&".join(parts)


def _xml(root: str, record: str | None, rows: Sequence[dict[str, Any]]) -> str:
    def fields(row: dict[str, Any]) -> str:
        out = []
        for name, value in row.items():
            if isinstance(value, dict):
                inner = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in value.items())
                out.append(f"<{name}>{inner}</{name}>")
            else:
                out.append(f"<{name}>{escape(value)}</{name}>")
        return "".join(out)

    if record is None:
        body = fields(rows[0])
    else:
        body = "".join(f"<{record}>{fields(r)}</{record}>" for r in rows)
    return f'<?xml version="1.0"?>\n<{root}>{body}</{root}>'


# -- the app -----------------------------------------------------------------------------------


def build_readydesk_app(
    data: SandboxData | None = None,
    *,
    key: str = SANDBOX_KEY,
    format_param: str = "format",
    allowed_ips: set[str] | None = None,
    names: WireNames | None = None,
) -> Starlette:
    """The fake ReadyDesk API over `data` (seeded when omitted); faults in `app.state.faults`."""
    store = data if data is not None else seeded()
    actions = _actions(names or WireNames())
    faults = Faults()

    async def endpoint(request: Request) -> Response:
        query = Query(dict(request.query_params))
        fmt = query.get(format_param, "xml").lower()
        try:
            if query.get("key") != key:
                raise ReadyDeskError("Invalid API key")
            client_ip = request.client.host if request.client else ""
            if allowed_ips is not None and client_ip not in allowed_ips:
                raise ReadyDeskError("Your IP address is not allowed to use the API")
            action = actions.get(query.get("action"))
            if action is None:
                raise ReadyDeskError(f"Unknown action: {query.get('action') or '(none)'}")
            reply = action(store, query)
        except ReadyDeskError as err:
            reply = {"error": str(err)}
        if isinstance(reply, int):
            reply = {"count": reply}
        body, media_type = render(reply, fmt)
        return Response(body, media_type=media_type)

    paths = ("/readydesk/API/", "/readydesk/API/default.aspx", "/API/", "/API/default.aspx")
    app = Starlette(
        routes=[Route(p, endpoint, methods=["GET"]) for p in paths],
        middleware=[Middleware(FaultMiddleware, faults=faults)],
    )
    app.state.data = store
    app.state.faults = faults
    return app
