"""An ASGI fake of Kickserv's APIv2 JSON routes, after shared/reference/kickserv-api.md.

Basic auth with the API key as user and password; `/{account}/…json` routes for customers,
customer and job notes, jobs, tasks, payments, invoices, job types (calendar.json) and
employees.
Quirks reproduced: 200 on create, notes looked up by id whatever customer the URL names,
customers paged with `customers_page`, job create with `customer_number` beside `job`, customer
DELETE answering only a message, payments created through the customer route carrying no
`payment_application_ids`, and 401 as plain text. Faults via `app.state.faults`.
"""

from typing import Any, Literal

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.faults import FaultMiddleware, Faults
from sandbox.kickserv_base import PAGE_SIZE, SANDBOX_ACCOUNT, SANDBOX_API_KEY, KickservError
from sandbox.kickserv_customers import CustomerRoutes
from sandbox.kickserv_data import (
    KickservData,
    seeded_kickserv,
)
from sandbox.kickserv_jobs import JobRoutes


class KickservFake(CustomerRoutes, JobRoutes):
    """The whole fake: every route over one KickservData."""

    def handler(self, method: Any) -> Any:
        """Wrap a route: auth and account check, errors as HTTP answers, JSON out."""

        async def endpoint(request: Request) -> Response:
            if request.path_params.get("account") != self.account:
                return JSONResponse({"error": "Not found"}, 404)
            if not self._authorized(request):
                return Response(
                    "HTTP Basic: Access denied.\n",
                    401,
                    headers={"WWW-Authenticate": 'Basic realm="Application"'},
                    media_type="text/plain",
                )
            try:
                return JSONResponse(await method(request))
            except KickservError as err:
                if isinstance(err.body, str):
                    return Response(err.body, err.status, media_type="application/xml")
                return JSONResponse(err.body, err.status)
            except (ValueError, KeyError):
                return JSONResponse({"errors": ["Invalid request"]}, 422)

        return endpoint

    def routes(self) -> list[Route]:
        """Every route the fake serves."""
        base = "/{account}"
        owner = "{owner:str}"
        table = [
            ("/customers.json", self.list_customers, ["GET"]),
            ("/customers.json", self.create_customer, ["POST"]),
            ("/customers/filter.json", self.filter_customers, ["GET"]),
            ("/customers/customer_validation.json", self.validate_customer, ["POST", "GET"]),
            ("/customers/{number:int}.json", self.customer_item, ["GET", "PUT", "PATCH", "DELETE"]),
            ("/customers/{number:int}/jobs.json", self.customer_jobs, ["GET", "POST"]),
            ("/customers/{number:int}/payments.json", self.customer_payments, ["GET", "POST"]),
            (f"/{owner}/{{number:int}}/notes.json", self.notes, ["GET", "POST"]),
            (
                f"/{owner}/{{number:int}}/notes/{{note_id:int}}.json",
                self.note_item,
                ["GET", "PUT", "PATCH", "DELETE"],
            ),
            ("/jobs.json", self.jobs, ["GET", "POST"]),
            ("/jobs/{number:int}.json", self.job_item, ["GET", "PUT", "PATCH", "DELETE"]),
            ("/invoices.json", self.invoices, ["GET"]),
            ("/tasks.json", self.tasks, ["GET", "POST"]),
            ("/calendar.json", self.calendar, ["GET"]),
            ("/employees.json", self.employees, ["GET"]),
        ]
        return [
            Route(base + path, self.handler(fn), methods=methods) for path, fn, methods in table
        ]


def build_kickserv_app(
    data: KickservData | None = None,
    *,
    account: str = SANDBOX_ACCOUNT,
    api_key: str = SANDBOX_API_KEY,
    not_found: Literal["404", "v1"] = "404",
    page_size: int = PAGE_SIZE,
) -> Starlette:
    """The fake Kickserv API over `data` (seeded when omitted); faults in `app.state.faults`."""
    fake = KickservFake(
        data if data is not None else seeded_kickserv(),
        account=account,
        api_key=api_key,
        not_found=not_found,
        page_size=page_size,
    )
    faults = Faults()
    app = Starlette(routes=fake.routes(), middleware=[Middleware(FaultMiddleware, faults=faults)])
    app.state.data = fake.data
    app.state.faults = faults
    return app
