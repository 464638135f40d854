"""Async client for the ReadyDesk (rd9) Web Services API: GET `?key=…&action=…&<variables>`."""

import logging
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, Literal, TypeVar, overload

import httpx
from pydantic import BaseModel, ValidationError

from api.errors import AuthFailed, BackendError, InvalidRequest, NotFound
from api.http import (
    RetryPolicy,
    error_for_status,
    new_async_client,
    register_secret,
    send_with_retries,
)
from api.readydesk import wire
from api.readydesk.models import Customer, Ticket, format_readydesk_datetime

logger = logging.getLogger("deskhand.readydesk")

BACKEND = wire.BACKEND
Wildcard = Literal["*"]
Direction = Literal["ASC", "DESC"]
ParamValue = str | int | bool | date | datetime | Sequence[str | int] | None
M = TypeVar("M", bound=BaseModel)

# How ReadyDesk's error texts map to our error types (its error replies are undocumented; these
# patterns cover the sandbox's invented texts and the wording the docs use for the same cases).
_ERROR_PATTERNS: tuple[tuple[re.Pattern[str], type[BackendError]], ...] = (
    (re.compile(r"(?i)\b(api )?key\b|\bip\b|not allowed|unauthori[sz]ed|denied"), AuthFailed),
    (re.compile(r"(?i)not found|does not exist|no such"), NotFound),
)


class ReadyDeskClient:
    """One pooled connection to one ReadyDesk API endpoint; every call goes through `_request`."""

    def __init__(
        self,
        endpoint_url: str,
        key: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = 10.0,
        format_param: str | None = None,
        format_value: str | None = None,
        max_url_length: int = 2000,
    ) -> None:
        register_secret(key)
        self._endpoint = endpoint_url
        self._key = key
        self._format = (format_param, format_value) if format_param and format_value else None
        self._max_url_length = max_url_length
        self._retry = retry or RetryPolicy()
        self._http = new_async_client(transport=transport, timeout=timeout)

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    # -- tickets -------------------------------------------------------------------------------

    @overload
    async def get_tickets(
        self, *, count_only: Literal[False] = False, **filters: ParamValue
    ) -> list[Ticket]: ...

    @overload
    async def get_tickets(self, *, count_only: Literal[True], **filters: ParamValue) -> int: ...

    async def get_tickets(
        self,
        *,
        tid: int | Wildcard | None = None,
        keyword: str | None = None,
        status: str | None = None,
        source: str | None = None,
        category: str | None = None,
        sub_category: str | None = None,
        priority: str | None = None,
        escalation: str | None = None,
        due_date: date | datetime | str | None = None,
        uid: str | None = None,
        group: str | None = None,
        cid: str | None = None,
        start_tid: int | None = None,
        end_tid: int | None = None,
        start_cid: str | None = None,
        end_cid: str | None = None,
        start_date: date | datetime | str | None = None,
        end_date: date | datetime | str | None = None,
        count: int | None = None,
        count_only: bool = False,
        page: int | None = None,
        order: str | None = None,
        order_direction: Direction | None = None,
    ) -> list[Ticket] | int:
        """Tickets matching every given filter (all of get_tickets' variables); int if count_only.

        Without `tid` the wildcard `*` is sent, which ReadyDesk needs for paging.
        """
        params = _params(locals(), exclude=("self", "count_only"))
        params.setdefault("tid", "*")
        return await self._list_or_count("get_tickets", params, Ticket, count_only)

    async def get_ticket(self, ticket_id: int) -> Ticket:
        """One ticket by number; NotFound when ReadyDesk has none."""
        tickets = await self.get_tickets(tid=ticket_id)
        for ticket in tickets:
            if ticket.ticket_id == ticket_id:
                return ticket
        raise NotFound(
            f"Ticket {ticket_id} does not exist in ReadyDesk.",
            backend=BACKEND,
            action="get_tickets",
        )

    # -- customers -----------------------------------------------------------------------------

    @overload
    async def get_customers(
        self, *, count_only: Literal[False] = False, **filters: ParamValue
    ) -> list[Customer]: ...

    @overload
    async def get_customers(self, *, count_only: Literal[True], **filters: ParamValue) -> int: ...

    async def get_customers(
        self,
        *,
        id: int | None = None,
        cid: str | Sequence[str] | Wildcard | None = None,
        start_cid: str | None = None,
        end_cid: str | None = None,
        start_date: date | datetime | str | None = None,
        end_date: date | datetime | str | None = None,
        count: int | None = None,
        count_only: bool = False,
        page: int | None = None,
        order: str | None = None,
        order_direction: Direction | None = None,
    ) -> list[Customer] | int:
        """Customers by row id, customer ID(s) (a list is sent comma-separated) or range."""
        params = _params(locals(), exclude=("self", "count_only"))
        if "id" not in params:
            params.setdefault("cid", "*")
        return await self._list_or_count("get_customers", params, Customer, count_only)

    async def get_customer(self, customer_id: str) -> Customer:
        """One customer by customer ID; NotFound when ReadyDesk has none."""
        if "," in customer_id or customer_id.strip() in ("", "*"):
            # A comma would turn the value into a list on the server; `*` into everyone.
            raise InvalidRequest(
                f"{customer_id!r} is not a single customer ID.",
                backend=BACKEND,
                action="get_customers",
            )
        for customer in await self.get_customers(cid=customer_id):
            if customer.customer_id == customer_id:
                return customer
        raise NotFound(
            f"Customer {customer_id} does not exist in ReadyDesk.",
            backend=BACKEND,
            action="get_customers",
        )

    # -- the one choke point -------------------------------------------------------------------

    async def _list_or_count(
        self, action: str, params: dict[str, str], model: type[M], count_only: bool
    ) -> list[M] | int:
        if count_only:
            records = await self._request(action, {**params, "count_only": "Y"})
            return _count(records, action)
        return _build(model, await self._request(action, params), action)

    async def _request(
        self, action: str, params: Mapping[str, str], *, is_read: bool = True
    ) -> list[wire.Record]:
        """Send one action; map every failure to api.errors; return the reply's records."""
        query = {"key": self._key, "action": action, **params}
        if self._format:
            query[self._format[0]] = self._format[1]
        request = self._http.build_request("GET", self._endpoint, params=query)
        url_length = len(str(request.url))
        if url_length > self._max_url_length:
            raise InvalidRequest(
                f"That is too long for ReadyDesk: the request would be {url_length} characters "
                f"and the server accepts {self._max_url_length}. Shorten the text and try again.",
                backend=BACKEND,
                action=action,
            )
        response = await send_with_retries(
            self._http, request, backend=BACKEND, action=action, policy=self._retry, is_read=is_read
        )
        error = error_for_status(response, backend=BACKEND, action=action)
        if error:
            raise error
        records = wire.parse_records(response.text, action=action)
        if len(records) == 1 and wire.ERROR_FIELD in records[0]:
            raise _server_error(str(records[0][wire.ERROR_FIELD]), action)
        logger.debug("readydesk %s: %d records", action, len(records))
        return records


def _params(arguments: Mapping[str, Any], exclude: Sequence[str] = ()) -> dict[str, str]:
    """Keyword arguments -> ReadyDesk variables: None dropped, lists comma-joined, US dates."""
    params: dict[str, str] = {}
    for name, value in arguments.items():
        if name in exclude or value is None:
            continue
        params[name] = to_wire_value(value)
    return params


def to_wire_value(value: ParamValue) -> str:
    """One Python value as ReadyDesk expects it (Y/N, M/D/YYYY dates, comma lists)."""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, datetime):
        return format_readydesk_datetime(value)
    if isinstance(value, date):
        return f"{value.month}/{value.day}/{value.year}"
    if isinstance(value, str | int):
        return str(value)
    if isinstance(value, Sequence):
        return ",".join(str(v) for v in value)
    raise TypeError(f"cannot send {type(value).__name__} to ReadyDesk")


def _build(model: type[M], records: list[wire.Record], action: str) -> list[M]:
    try:
        return [model.model_validate(record) for record in records]
    except ValidationError as err:
        field = ".".join(str(p) for p in err.errors()[0]["loc"])
        raise wire.malformed(action, f"a record with a bad `{field}` value") from err


def _count(records: list[wire.Record], action: str) -> int:
    try:
        return int(records[0][wire.COUNT_FIELD])
    except (IndexError, KeyError, ValueError) as err:
        raise wire.malformed(action, "a count Deskhand could not read") from err


def _server_error(text: str, action: str) -> BackendError:
    kind = next((k for pattern, k in _ERROR_PATTERNS if pattern.search(text)), InvalidRequest)
    if kind is AuthFailed:
        message = (
            f"ReadyDesk refused Deskhand's API key or address ({text}). "
            "Ask an admin to check READYDESK_KEY and the API's allowed IPs."
        )
    else:
        message = f"ReadyDesk: {text}"
    return kind(message, backend=BACKEND, action=action)
