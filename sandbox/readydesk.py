"""An ASGI fake of the ReadyDesk API, following shared/seeds and shared/reference/readydesk-api.md.

Serves `…/API/` and `…/API/default.aspx`, checks `key` (and an optional IP allow-list), dispatches
on `action`, validates as the docs describe (required variables, Y/N and PERSONAL/COMPANY
defaults, 255-character limits), keeps writes in memory, and answers XML by default or JSON /
URL-delimited with `format=json|xml|delimited`. Every name it answers with is in
sandbox/readydesk_wire.py, written from the documentation, not taken from the client. Error
replies are invented (the docs never show one): `<response><error>…</error></response>` with
HTTP 200, as the reference suggests. Faults (latency, status codes, HTML pages, broken bodies,
dropped connections) are switched on through `app.state.faults`.
"""

from collections.abc import Callable

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox import readydesk_wire as wire
from sandbox.data import (
    SandboxData,
    seeded,
)
from sandbox.faults import FaultMiddleware, Faults
from sandbox.readydesk_query import SANDBOX_KEY, Listing, Query, ReadyDeskError, Reply
from sandbox.readydesk_reads import (
    get_companies,
    get_customers,
    get_history,
    get_schedules,
    get_tech_groups,
    get_techs,
    get_tickets,
)
from sandbox.readydesk_wire import Guesses, UndocumentedNames
from sandbox.readydesk_writes import (
    add_customer,
    add_history,
    add_ticket,
    update_customer,
    update_ticket,
)


def _actions(names: UndocumentedNames) -> dict[str, Callable[[SandboxData, Query], Reply]]:
    return {
        wire.GET_TICKETS: get_tickets,
        wire.GET_CUSTOMERS: get_customers,
        wire.GET_COMPANIES: get_companies,
        wire.GET_TECHS: get_techs,
        wire.GET_TECH_GROUPS: get_tech_groups,
        wire.GET_HISTORY: get_history,
        wire.GET_SCHEDULES: get_schedules,
        wire.ADD_CUSTOMER: add_customer,
        wire.UPDATE_CUSTOMER: update_customer,
        wire.ADD_TICKET: lambda d, q: add_ticket(d, q, names),
        wire.UPDATE_TICKET: lambda d, q: update_ticket(d, q, names),
        names.history_action: lambda d, q: add_history(d, q, names),
    }


def render(reply: Reply, fmt: str) -> tuple[str, str]:
    """(body, media type) of a reply: a listing, a count, or a one-record response."""
    if isinstance(reply, Listing):
        return wire.render_list(reply.shape, reply.rows, fmt)
    if isinstance(reply, int):
        return wire.render_response({wire.COUNT: reply}, fmt)
    return wire.render_response(reply, fmt)


# -- the app -----------------------------------------------------------------------------------


def build_readydesk_app(
    data: SandboxData | None = None,
    *,
    key: str = SANDBOX_KEY,
    format_param: str = wire.FORMAT_VARIABLE,
    default_format: str = wire.XML,
    allowed_ips: set[str] | None = None,
    names: UndocumentedNames | None = None,
) -> Starlette:
    """The fake ReadyDesk API over `data` (seeded when omitted); faults in `app.state.faults`.

    `names` replaces the fake's guesses for the names no readable page gives (see Guesses), as
    an admin's configuration does for the client. `default_format` is the format a request
    without the format variable gets (the docs do not say which one a server defaults to).
    """
    store = data if data is not None else seeded()
    actions = _actions(names or Guesses())
    faults = Faults()

    async def endpoint(request: Request) -> Response:
        query = Query(dict(request.query_params))
        fmt = query.get(format_param, default_format).lower()
        try:
            if query.get(wire.KEY) != key:
                raise ReadyDeskError("Invalid API key")
            client_ip = request.client.host if request.client else ""
            if allowed_ips is not None and client_ip not in allowed_ips:
                raise ReadyDeskError("Your IP address is not allowed to use the API")
            action = actions.get(query.get(wire.ACTION))
            if action is None:
                raise ReadyDeskError(f"Unknown action: {query.get(wire.ACTION) or '(none)'}")
            reply = action(store, query)
        except ReadyDeskError as err:
            reply = {wire.ERROR: str(err)}
        body, media_type = render(reply, fmt)
        return Response(body, media_type=media_type)

    app = Starlette(
        routes=[Route(p, endpoint, methods=["GET"]) for p in wire.PATHS],
        middleware=[Middleware(FaultMiddleware, faults=faults)],
    )
    app.state.data = store
    app.state.faults = faults
    return app
