"""What every route of the Kickserv fake shares: errors, JSON rendering, lookups, paging."""

import base64
import binascii
from dataclasses import is_dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any, Literal

from starlette.requests import Request

from sandbox.kickserv_data import (
    KickservData,
    KSCustomer,
    KSJob,
    KSNote,
)
from sandbox.records import Keyed, field_names, values_of

SANDBOX_ACCOUNT = "sandbox"
SANDBOX_API_KEY = "sandbox-kickserv-key"
PAGE_SIZE = 25


class KickservError(Exception):
    """An error answer: HTTP status and JSON body."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(status)
        self.status, self.body = status, body


_PLAIN = frozenset({str, int, float, bool, type(None)})


def record_json(record: Any) -> dict[str, Any]:
    """A stored record's fields as JSON values (what `asdict` then `jsonable` gave, without
    asdict's deep copy of every value: the fake renders hundreds of records a test). A record
    of plain values is rendered once per set of values (the dict returned is the caller's)."""
    values = values_of(record)
    if _FLAT.issuperset(map(type, values)):
        return dict(flat_record_json(type(record), Keyed(values)))
    return _json(type(record), values)


# A directory fill renders every customer at each start of a process (every console and served
# app in the tests), nearly always the seeded ones, unchanged: those are rendered from here.
# Only records of plain values: their JSON holds no list or dict a caller could change.
_FLAT = frozenset({str, int, bool, float, type(None), Decimal, date, datetime})


@lru_cache(maxsize=8192)
def flat_record_json(cls: type, values: Keyed) -> dict[str, Any]:
    """The JSON of a `cls` record of plain `values`, memoized (not to be changed: copy it)."""
    return _json(cls, values.values)


def _json(cls: type, values: tuple[Any, ...]) -> dict[str, Any]:
    return {name: jsonable(value) for name, value in zip(field_names(cls), values, strict=True)}


def jsonable(value: Any) -> Any:
    """A value as JSON carries it: money with two decimals, dates in ISO form, records and
    containers copied through."""
    if type(value) in _PLAIN:  # most values, first: the fake writes thousands a test
        return value
    if is_dataclass(value) and not isinstance(value, type):
        return record_json(value)
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


class FakeBase:
    """State and helpers every route of the fake uses; `not_found` picks v2 404 or v1 400."""

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
        return record_json(c) | {"email_address": c.email, "which_billing_address": "service"}

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
        return record_json(self.data.employees[employee_id])

    def note_json(self, note: KSNote, *, with_creator: bool = False) -> dict[str, Any]:
        """A note; POST and PUT replies also carry the creator's employee object."""
        out = record_json(note)
        if with_creator:
            out["creator"] = self.employee_json(note.creator_id)
        return out

    # -- customers ----------------------------------------------------------------------------
