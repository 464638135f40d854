"""The Kickserv fake's customer and note routes."""

from typing import Any

from starlette.requests import Request

from sandbox.kickserv_base import FakeBase, KickservError
from sandbox.kickserv_data import (
    KSCustomer,
    KSNote,
)


class CustomerRoutes(FakeBase):
    """Customers (list, filter, validate, create, item) and customer or job notes."""

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
