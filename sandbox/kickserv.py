"""An ASGI fake of Kickserv's APIv2 JSON routes, after shared/reference/kickserv-api.md.

Basic auth with the API key as user and password; `/{account}/…json` routes for customers,
customer and job notes, jobs, payments, invoices, job types (calendar.json) and employees.
Quirks reproduced: 200 on create, notes looked up by id whatever customer the URL names,
customers paged with `customers_page`, job create with `customer_number` beside `job`, customer
DELETE answering only a message, payments created through the customer route carrying no
`payment_application_ids`, and 401 as plain text. Faults via `app.state.faults`.
"""

import base64
import binascii
from dataclasses import asdict
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.faults import FaultMiddleware, Faults
from sandbox.kickserv_data import (
    KickservData,
    KSCustomer,
    KSJob,
    KSNote,
    KSPayment,
    seeded_kickserv,
)

SANDBOX_ACCOUNT = "sandbox"
SANDBOX_API_KEY = "sandbox-kickserv-key"
PAGE_SIZE = 25


class KickservError(Exception):
    """An error answer: HTTP status and JSON body."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(status)
        self.status, self.body = status, body


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


class KickservFake:
    """The routes over one KickservData; `not_found` picks v2-style 404 or v1-style 400."""

    def __init__(
        self,
        data: KickservData,
        *,
        account: str,
        api_key: str,
        not_found: Literal["404", "v1"] = "404",
        page_size: int = PAGE_SIZE,
    ) -> None:
        self.data, self.account, self.api_key = data, account, api_key
        self.not_found_style, self.page_size = not_found, page_size

    # -- plumbing ----------------------------------------------------------------------------

    def _authorized(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        if not header.lower().startswith("basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        return user == self.api_key and password == self.api_key

    def not_found(self, what: str) -> KickservError:
        """Unknown record: 404 JSON, or the v1 recording's 400 with an XML error."""
        if self.not_found_style == "v1":
            return KickservError(400, f"<errors><error>Invalid {what}.</error></errors>")
        return KickservError(404, {"error": "Not found"})

    def _page(
        self, rows: list[Any], request: Request, name: str = "page", size: int | None = None
    ) -> list[Any]:
        size = size or self.page_size
        try:
            page = int(request.query_params.get(name) or request.query_params.get("page") or 1)
        except ValueError:
            raise KickservError(422, {"errors": [f"{name} must be a number"]}) from None
        return rows[(page - 1) * size : page * size]

    def customer(self, number: Any) -> KSCustomer:
        """A customer by number, or the not-found answer."""
        customer = self.data.customers.get(int(number))
        if customer is None:
            raise self.not_found("customer")
        return customer

    def job(self, number: Any) -> KSJob:
        """A job by number, or the not-found answer."""
        job = self.data.jobs.get(int(number))
        if job is None:
            raise self.not_found("job")
        return job

    async def body(self, request: Request, wrapper: str | None = None) -> dict[str, Any]:
        """The JSON body, or its `wrapper` object."""
        try:
            payload = await request.json() if await request.body() else {}
        except ValueError:
            raise KickservError(422, {"errors": ["Body must be JSON"]}) from None
        if wrapper is None:
            return payload if isinstance(payload, dict) else {}
        inner = payload.get(wrapper) if isinstance(payload, dict) else None
        if not isinstance(inner, dict):
            raise KickservError(422, {"errors": [f"{wrapper.capitalize()} is missing"]})
        return inner

    # -- renderings ---------------------------------------------------------------------------

    def customer_json(self, c: KSCustomer) -> dict[str, Any]:
        """A customer as the API shows it."""
        return _jsonable(asdict(c) | {"email_address": c.email, "which_billing_address": "service"})

    def customer_glue(self, global_id: int) -> dict[str, Any]:
        """The short customer copy inside other records."""
        c = self.data.customer_by_global_id(global_id)
        return {
            "id": global_id,
            "customer_number": c.customer_number if c else None,
            "name": c.name if c else "",
        }

    def employee_json(self, employee_id: int) -> dict[str, Any]:
        """The full employee object, credential fields and all (as the real API does)."""
        return asdict(self.data.employees[employee_id])

    def note_json(self, note: KSNote, *, with_creator: bool = False) -> dict[str, Any]:
        """A note; POST and PUT replies also carry the creator's employee object."""
        out = _jsonable(asdict(note))
        if with_creator:
            out["creator"] = self.employee_json(note.creator_id)
        return out

    # -- customers ----------------------------------------------------------------------------

    async def list_customers(self, request: Request) -> Any:
        """GET /customers.json: exact filters, q (name substring), begins_with, customers_page."""
        q = request.query_params
        rows = list(self.data.customers.values())
        exact = {
            "customer_number": lambda c: str(c.customer_number),
            "name": lambda c: c.name,
            "service_address": lambda c: c.service_address,
            "service_state": lambda c: c.service_state,
            "customer_source_id": lambda c: str(c.customer_source_id or ""),
        }
        for name, read in exact.items():
            if q.get(name):
                rows = [c for c in rows if read(c) == q[name]]
        if q.get("q"):
            rows = [c for c in rows if q["q"].lower() in c.name.lower()]
        if q.get("begins_with"):
            rows = [c for c in rows if c.name[:1].lower() == q["begins_with"][:1].lower()]
        return [self.customer_json(c) for c in self._page(rows, request, "customers_page")]

    async def create_customer(self, request: Request) -> Any:
        """POST /customers.json: name required; Kickserv assigns the number."""
        fields = await self.body(request, "customer")
        if not str(fields.get("name", "")).strip():
            raise KickservError(422, {"errors": {"name": ["can't be blank"]}})
        number = max(self.data.customers, default=0) + 1
        now = self.data.now()
        customer = KSCustomer(
            id=5_100_000 + number,
            customer_number=number,
            name=fields["name"],
            first_name=fields.get("first_name", ""),
            last_name=fields.get("last_name", ""),
            company_name=fields.get("company_name", ""),
            company=bool(fields.get("company")),
            email=fields.get("email", ""),
            phone_number=fields.get("phone_number", ""),
            service_address=fields.get("service_address", ""),
            service_city=fields.get("service_city", ""),
            service_state=fields.get("service_state", ""),
            service_zip_code=fields.get("service_zip_code", ""),
            customer_source_id=fields.get("customer_source_id"),
            created_at=now,
            updated_at=now,
        )
        self.data.customers[number] = customer
        return self.customer_json(customer)

    async def filter_customers(self, request: Request) -> Any:
        """GET /customers/filter.json?name=: partial name or address; none -> one empty object."""
        text = (request.query_params.get("name") or request.query_params.get("q") or "").lower()
        rows = [
            c
            for c in self.data.customers.values()
            if text and (text in c.name.lower() or text in c.service_address.lower())
        ]
        if not rows:
            return {"customers": [{"customer_number": None, "name": None}]}
        return {"customers": [self.customer_json(c) for c in rows]}

    async def validate_customer(self, request: Request) -> Any:
        """POST /customers/customer_validation.json {name}: does this exact full name exist?"""
        name = str((await self.body(request)).get("name", ""))
        match = next((c for c in self.data.customers.values() if c.name == name), None)
        if match is None:
            return {"status": "not found"}
        return {
            "status": "exist",
            "customer_url": f"/{self.account}/customers/{match.customer_number}",
            "customer_name": match.name,
            "customer": self.customer_json(match),
        }

    async def customer_item(self, request: Request) -> Any:
        """GET/PUT/DELETE /customers/{n}.json."""
        customer = self.customer(request.path_params["number"])
        if request.method == "DELETE":
            del self.data.customers[customer.customer_number]
            return {"message": "Customer successfully deleted"}
        if request.method == "PUT":
            fields = await self.body(request, "customer")
            if "name" in fields and not str(fields["name"]).strip():
                raise KickservError(422, {"errors": {"name": ["can't be blank"]}})
            for key, value in fields.items():
                if key in KSCustomer.__dataclass_fields__ and key not in ("id", "customer_number"):
                    setattr(customer, key, value)
            customer.updated_at = self.data.now()
        return self.customer_json(customer)

    # -- notes --------------------------------------------------------------------------------

    def _owner(self, request: Request) -> tuple[str, int]:
        kind = request.path_params["owner"]
        number = request.path_params["number"]
        if kind == "customers":
            return "Customer", self.customer(number).id
        return "Job", self.job(number).id

    async def notes(self, request: Request) -> Any:
        """GET/POST /{customers|jobs}/{n}/notes.json."""
        owner_type, owner_id = self._owner(request)
        if request.method == "POST":
            text = str((await self.body(request, "note")).get("note", ""))
            if not text.strip():
                raise KickservError(422, {"errors": {"note": ["can't be blank"]}})
            now = self.data.now()
            note_id = self.data.next_id("note", 24_600)
            note = KSNote(note_id, text, owner_type, owner_id, 846787, now, now)
            self.data.notes[note_id] = note
            return self.note_json(note, with_creator=True)
        rows = [
            n
            for n in self.data.notes.values()
            if (n.noteable_type, n.noteable_id) == (owner_type, owner_id)
        ]
        return [self.note_json(n) for n in self._page(rows, request)]

    async def note_item(self, request: Request) -> Any:
        """GET/PUT/DELETE /{customers|jobs}/{n}/notes/{id}.json — looked up by id alone (quirk)."""
        self._owner(request)  # the owner must exist, but need not own the note
        note = self.data.notes.get(int(request.path_params["note_id"]))
        if note is None:
            raise self.not_found("note")
        if request.method == "DELETE":
            del self.data.notes[note.id]
            return self.note_json(note)
        if request.method == "PUT":
            text = str((await self.body(request, "note")).get("note", ""))
            if not text.strip():
                raise KickservError(422, {"errors": {"note": ["can't be blank"]}})
            note.note, note.updated_at = text, self.data.now()
            return self.note_json(note, with_creator=True)
        return self.note_json(note)

    # -- jobs ---------------------------------------------------------------------------------

    def job_json(self, job: KSJob) -> dict[str, Any]:
        """A job as the API shows it."""
        return _jsonable(asdict(job))

    def _scheduled_window(self, word: str) -> tuple[date, date]:
        today = self.data.today
        monday = today - timedelta(days=today.weekday())
        first = today.replace(day=1)
        next_first = (first + timedelta(days=32)).replace(day=1)
        windows = {
            "today": (today, today),
            "tomorrow": (today + timedelta(1), today + timedelta(1)),
            "this_week": (monday, monday + timedelta(6)),
            "next_week": (monday + timedelta(7), monday + timedelta(13)),
            "last_week": (monday - timedelta(7), monday - timedelta(1)),
            "this_month": (first, next_first - timedelta(1)),
            "next_month": (next_first, (next_first + timedelta(32)).replace(day=1) - timedelta(1)),
            "last_month": ((first - timedelta(1)).replace(day=1), first - timedelta(1)),
        }
        if word not in windows:
            raise KickservError(422, {"errors": [f"scheduled must be one of {', '.join(windows)}"]})
        return windows[word]

    def _filtered_jobs(self, request: Request, rows: list[KSJob]) -> list[KSJob]:
        q = request.query_params
        statuses = q.getlist("status[]") or ([q["status"]] if q.get("status") else [])
        if statuses:
            rows = [j for j in rows if j.status in statuses]
        if q.get("state") in ("completed", "uncompleted"):
            rows = [j for j in rows if (j.status == "completed") == (q["state"] == "completed")]
        if q.get("job_type_id"):
            rows = [j for j in rows if str(j.job_type_id) == q["job_type_id"]]
        if q.get("scheduled"):
            start, end = self._scheduled_window(q["scheduled"])
            rows = [j for j in rows if j.scheduled_on and start <= j.scheduled_on.date() <= end]
        return sorted(rows, key=lambda j: j.job_number, reverse=True)  # newest first

    async def jobs(self, request: Request) -> Any:
        """GET /jobs.json (filters, paging); POST /jobs.json (customer_number beside `job`)."""
        if request.method == "POST":
            payload = await self.body(request)
            return self._create_job(payload.get("job"), payload.get("customer_number"))
        rows = self._filtered_jobs(request, list(self.data.jobs.values()))
        try:
            size = int(request.query_params.get("per_page") or self.page_size)
        except ValueError:
            raise KickservError(422, {"errors": ["per_page must be a number"]}) from None
        return [self.job_json(j) for j in self._page(rows, request, size=size)]

    async def customer_jobs(self, request: Request) -> Any:
        """GET/POST /customers/{n}/jobs.json."""
        number = request.path_params["number"]
        if request.method == "POST":
            return self._create_job((await self.body(request)).get("job"), number)
        customer = self.customer(number)
        rows = [j for j in self.data.jobs.values() if j.customer_id == customer.id]
        return [self.job_json(j) for j in self._page(self._filtered_jobs(request, rows), request)]

    def _create_job(self, fields: Any, customer_number: Any) -> Any:
        errors = []
        fields = fields if isinstance(fields, dict) else {}
        job_type_id = fields.get("job_type_id")
        if job_type_id in (None, ""):
            errors.append("Job type can't be blank")
        elif int(job_type_id) not in self.data.job_types:
            errors.append("Job type is invalid")
        number = str(customer_number or "")
        customer = self.data.customers.get(int(number)) if number.isdigit() else None
        if customer is None:
            errors.append(
                "Customer can't be blank"
                if customer_number in (None, "")
                else "Customer is invalid"
            )
        if errors:
            raise KickservError(422, {"errors": errors})
        assert customer is not None
        number = self.data.next_id("job_number", max(self.data.jobs, default=86_000))
        now = self.data.now()
        job = KSJob(
            id=40_000_000 + number,
            job_number=number,
            customer_id=customer.id,
            name=self.data.job_types[int(job_type_id)],
            description=str(fields.get("description", "")),
            job_type_id=int(job_type_id),
            status="unscheduled",
            scheduled_on=None,
            subtotal=Decimal("0.00"),
            tax=Decimal("0.00"),
            total=Decimal("0.00"),
            balance_remaining=Decimal("0.00"),
            invoice_status="unpaid",
            created_at=now,
            updated_at=now,
        )
        self.data.jobs[number] = job
        return self.job_json(job)

    async def job_item(self, request: Request) -> Any:
        """GET/PUT/DELETE /jobs/{n}.json."""
        job = self.job(request.path_params["number"])
        if request.method == "DELETE":
            del self.data.jobs[job.job_number]
            return self.job_json(job)
        if request.method == "PUT":
            fields = await self.body(request, "job")
            if "job_type_id" in fields and int(fields["job_type_id"]) not in self.data.job_types:
                raise KickservError(422, {"errors": ["Job type is invalid"]})
            for key, value in fields.items():
                if key in ("description", "status", "name", "job_type_id"):
                    setattr(job, key, value)
                elif key == "scheduled_on":
                    job.scheduled_on = datetime.fromisoformat(value) if value else None
            job.updated_at = self.data.now()
        return self.job_json(job)

    # -- payments, invoices, calendar, employees ----------------------------------------------

    def payment_json(self, p: KSPayment) -> dict[str, Any]:
        """A payment with its customer glue; no payment_application_ids when it has none."""
        out = _jsonable(asdict(p))
        out.pop("customer_id")
        if p.payment_application_ids is None:
            out.pop("payment_application_ids")
        out["customer"] = self.customer_glue(p.customer_id)
        return out

    async def customer_payments(self, request: Request) -> Any:
        """GET/POST /customers/{n}/payments.json (POSTed ones are applied to nothing: quirk)."""
        customer = self.customer(request.path_params["number"])
        if request.method == "POST":
            fields = await self.body(request, "payment")
            try:
                amount = Decimal(str(fields.get("amount")))
            except InvalidOperation:
                raise KickservError(422, {"errors": {"amount": ["is not a number"]}}) from None
            payment_id = self.data.next_id("payment", 555_000_000)
            payment = KSPayment(
                id=payment_id,
                date=self.data.today,
                payment_type=str(fields.get("payment_type", "Check")),
                amount=amount,
                customer_id=customer.id,
                created_at=self.data.now(),
                notes=str(fields.get("notes", "")),
            )
            self.data.payments[payment_id] = payment
            return self.payment_json(payment)
        rows = [p for p in self.data.payments.values() if p.customer_id == customer.id]
        return [self.payment_json(p) for p in self._page(rows, request)]

    async def invoices(self, request: Request) -> Any:
        """GET /invoices.json?invoice_status=…: a page plus the total balance remaining."""
        wanted = request.query_params.get("invoice_status")
        rows = [i for i in self.data.invoices.values() if not wanted or i.invoice_status == wanted]
        total = sum((i.balance_remaining for i in rows), Decimal("0.00"))
        page = [
            _jsonable(asdict(i)) | {"customer": self.customer_glue(i.customer_id)}
            for i in self._page(rows, request)
        ]
        return {"invoices": page, "total_balance_remaining": f"{total:.2f}"}

    async def calendar(self, request: Request) -> Any:
        """GET /calendar.json: the job_types stanza and empty calendar keys."""
        types = [{"id": k, "name": v} for k, v in self.data.job_types.items()]
        return {"job_types": types, "tasks": [], "employees": []}

    async def employees(self, request: Request) -> Any:
        """GET /employees.json: active employees, credential fields included (as the real API)."""
        return [self.employee_json(e.id) for e in self.data.employees.values() if e.active]

    # -- app ----------------------------------------------------------------------------------

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
