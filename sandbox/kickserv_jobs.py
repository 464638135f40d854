"""The Kickserv fake's job, payment, invoice, calendar and employee routes."""

from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.requests import Request

from sandbox.kickserv_base import FakeBase, KickservError, record_json
from sandbox.kickserv_data import (
    KSJob,
    KSPayment,
    KSTask,
)


class JobRoutes(FakeBase):
    """Jobs (list, filter, create, item), payments, invoices, job types and employees."""

    # -- jobs ---------------------------------------------------------------------------------

    def job_json(self, job: KSJob) -> dict[str, Any]:
        """A job as the API shows it."""
        return record_json(job)

    def _scheduled_window(self, word: str) -> tuple[date, date]:
        today = self.data.now().date()  # the account's day on the sandbox's clock (it may jump)
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
        scheduled = None
        if fields.get("scheduled_on"):
            try:
                scheduled = datetime.fromisoformat(str(fields["scheduled_on"]))
            except ValueError:
                errors.append("Scheduled on is invalid")
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
            status="scheduled" if scheduled else "unscheduled",
            scheduled_on=scheduled,
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
        out = record_json(p)
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
                date=self.data.now().date(),  # the account's day on its clock
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
            record_json(i) | {"customer": self.customer_glue(i.customer_id)}
            for i in self._page(rows, request)
        ]
        return {"invoices": page, "total_balance_remaining": f"{total:.2f}"}

    async def tasks(self, request: Request) -> Any:
        """GET /tasks.json: job_id (global), from / to (YYYY-MM-DD, `to` exclusive),
        employee_number; each task with glue for its job, customer and assigned employees.
        POST: `{"task": {job_id, starts_at, ends_at, employee_ids}}` (body shape inferred)."""
        if request.method == "POST":
            return self._create_task(await self.body(request, "task"))
        q = request.query_params
        rows = sorted(self.data.tasks.values(), key=lambda t: (t.starts_at, t.id))
        if q.get("job_id"):
            rows = [t for t in rows if t.job_id == int(q["job_id"])]
        if q.get("from"):
            rows = [t for t in rows if t.starts_at.date() >= date.fromisoformat(q["from"])]
        if q.get("to"):
            rows = [t for t in rows if t.starts_at.date() < date.fromisoformat(q["to"])]
        if q.get("employee_number"):
            wanted = int(q["employee_number"])
            numbers = {e.id: e.employee_number for e in self.data.employees.values()}
            rows = [t for t in rows if wanted in (numbers[e] for e in t.employee_ids)]
        return [self.task_json(t) for t in self._page(rows, request)]

    def _create_task(self, fields: dict[str, Any]) -> Any:
        job = next((j for j in self.data.jobs.values() if j.id == fields.get("job_id")), None)
        errors = [] if job else ["Job is invalid"]
        employees = [int(e) for e in fields.get("employee_ids") or []]
        if any(e not in self.data.employees for e in employees):
            errors.append("Employee is invalid")
        try:
            starts = datetime.fromisoformat(str(fields.get("starts_at")))
            ends = datetime.fromisoformat(str(fields.get("ends_at") or fields.get("starts_at")))
        except ValueError:
            errors.append("Starts at is invalid")
        if errors:
            raise KickservError(422, {"errors": errors})
        assert job is not None
        task_id = self.data.next_id("task", 3_300_000)
        task = KSTask(task_id, job.id, job.customer_id, starts, ends, employees)
        self.data.tasks[task_id] = task
        return self.task_json(task)

    def task_json(self, task: KSTask) -> dict[str, Any]:
        """A task with its glue records (the assigned employees without credentials)."""
        job = next((j for j in self.data.jobs.values() if j.id == task.job_id), None)
        employees = [self.data.employees[e] for e in task.employee_ids]
        return {
            "id": task.id,
            "task_type_id": task.task_type_id,
            "description": task.description,
            "starts_at": task.starts_at.isoformat(),
            "ends_at": task.ends_at.isoformat(),
            "job": {"id": task.job_id, "job_number": job.job_number if job else None},
            "customer": self.customer_glue(task.customer_id),
            "employees": [
                {"id": e.id, "employee_number": e.employee_number, "name": e.name}
                for e in employees
            ],
        }

    async def calendar(self, request: Request) -> Any:
        """GET /calendar.json: the job_types stanza and empty calendar keys."""
        types = [{"id": k, "name": v} for k, v in self.data.job_types.items()]
        return {"job_types": types, "tasks": [], "employees": []}

    async def employees(self, request: Request) -> Any:
        """GET /employees.json: active employees, credential fields included (as the real API)."""
        return [self.employee_json(e.id) for e in self.data.employees.values() if e.active]

    # -- app ----------------------------------------------------------------------------------
