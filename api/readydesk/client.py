"""Async client for the ReadyDesk (rd9) Web Services API: GET `?key=…&action=…&<variables>`."""

import logging
from collections.abc import AsyncIterator, Mapping
from typing import Any, TypeVar, Unpack

import httpx
from pydantic import BaseModel

from api.cache import AsyncTTLCache
from api.errors import InvalidRequest, NotFound
from api.filters import checked
from api.http import (
    DEFAULT_CONNECTIONS,
    RetryPolicy,
    error_for_status,
    new_async_client,
    observed,
    secrets_of,
    send_with_retries,
)
from api.paging import walk_pages
from api.readydesk import wire
from api.readydesk.codec import (
    build_models,
    read_count,
    server_error,
    variables,
)
from api.readydesk.filters import (
    CustomerFilters,
    HistoryFilters,
    NamedFilters,
    ScheduleFilters,
    TechFilters,
    TicketFilters,
)
from api.readydesk.models import (
    Company,
    Customer,
    CustomerListing,
    HistoryEntry,
    Schedule,
    TechGroup,
    Technician,
    Ticket,
)
from api.readydesk.writes import ReadyDeskWrites

logger = logging.getLogger("deskhand.readydesk")

BACKEND = wire.BACKEND
M = TypeVar("M", bound=BaseModel)

_LOOKUP_TTL = 300.0


class ReadyDeskClient(ReadyDeskWrites):
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
        names: wire.WireNames | None = None,
        lookup_ttl: float = _LOOKUP_TTL,
        connections: int = DEFAULT_CONNECTIONS,
    ) -> None:
        self._secrets = secrets_of([key])  # hidden in logs and replies while this client lives
        self.names = names or wire.WireNames()
        self._lookups = AsyncTTLCache(lookup_ttl)
        self._endpoint = httpx.URL(endpoint_url)  # parsed once, not for every request
        self._key = key
        self._format = (format_param, format_value) if format_param and format_value else None
        # An empty body means "no records" only in the delimited format, which has no wrapper
        # (XML and JSON replies always have one, so there it is a fault). Whether the server
        # speaks it is learned from each reply read; until one came, the configuration says.
        self._delimited = bool(format_value) and format_value.lower() not in ("xml", "json")
        self._max_url_length = max_url_length
        self._retry = retry or RetryPolicy()
        self.transport = transport  # what it was given (the sandbox's ASGI transport), or None
        self._http = new_async_client(transport=transport, timeout=timeout, connections=connections)

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    def forget_lookups(self) -> None:
        """Drop the cached techs and groups lists: the next read of them asks ReadyDesk."""
        self._lookups.clear()

    async def call(
        self, action: str, params: Mapping[str, str], *, is_read: bool = True
    ) -> list[wire.Record]:
        """Send any action as given (unchecked) through the one choke point: for what no method
        here covers yet, as slack-sdk's `api_call` is. Returns the reply's records."""
        return await self._request(action, params, is_read=is_read)

    # -- tickets -------------------------------------------------------------------------------

    async def get_tickets(
        self, *, count_only: bool = False, **filters: Unpack[TicketFilters]
    ) -> list[Ticket] | int:
        """Tickets matching every given filter (all of get_tickets' variables); int if count_only.

        Without `tid` the wildcard `*` is sent, which ReadyDesk needs for paging.
        """
        return await self._list_or_count(
            "get_tickets",
            checked(filters, TicketFilters),
            Ticket,
            count_only=count_only,
            wildcard="tid",
        )

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

    async def get_customers(
        self, *, count_only: bool = False, **filters: Unpack[CustomerFilters]
    ) -> list[Customer] | int:
        """Customers by row id, customer ID(s) (a list is sent comma-separated) or range."""
        return await self._customers(Customer, filters, count_only=count_only)

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

    # -- companies, technicians, groups, history, schedules ------------------------------------

    async def get_companies(
        self, *, count_only: bool = False, **filters: Unpack[NamedFilters]
    ) -> list[Company] | int:
        """Companies by row id, exact name, `*` or name range."""
        return await self._list_or_count(
            "get_companies",
            checked(filters, NamedFilters),
            Company,
            count_only=count_only,
            wildcard="name",
            unless="id",
        )

    async def get_techs(
        self, *, count_only: bool = False, **filters: Unpack[TechFilters]
    ) -> list[Technician] | int:
        """Technicians by row id, technician ID(s) (a list is sent comma-separated) or range."""
        return await self._list_or_count(
            "get_techs",
            checked(filters, TechFilters),
            Technician,
            count_only=count_only,
            wildcard="uid",
            unless="id",
        )

    async def get_tech_groups(
        self, *, count_only: bool = False, **filters: Unpack[NamedFilters]
    ) -> list[TechGroup] | int:
        """Technician groups by id, exact name, `*` or name range (seed 003)."""
        return await self._list_or_count(
            "get_tech_groups",
            checked(filters, NamedFilters),
            TechGroup,
            count_only=count_only,
            wildcard="name",
            unless="id",
        )

    async def get_history(self, **filters: Unpack[HistoryFilters]) -> list[HistoryEntry]:
        """History entries of the tickets the filters select (the filters describe tickets)."""
        params = variables(checked(filters, HistoryFilters))
        params.setdefault("tid", "*")
        return build_models(HistoryEntry, await self._request("get_history", params), "get_history")

    async def get_schedules(
        self, *, count_only: bool = False, **filters: Unpack[ScheduleFilters]
    ) -> list[Schedule] | int:
        """Calendar entries by id(s), ticket(s), customer, technician or group."""
        return await self._list_or_count(
            "get_schedules",
            checked(filters, ScheduleFilters),
            Schedule,
            count_only=count_only,
            wildcard="id",
            unless="tid",
        )

    # -- walking every page ----------------------------------------------------------------

    def iter_tickets(self, *, page_size: int = 100, **filters: Any) -> AsyncIterator[Ticket]:
        """Every ticket matching `filters`, one page at a time (bounded memory)."""
        return walk_pages(
            lambda page: self.get_tickets(count=page_size, page=page, **filters), page_size
        )

    def iter_customers(
        self, *, page_size: int = 100, **filters: Any
    ) -> AsyncIterator[CustomerListing]:
        """Every customer matching `filters` as a listing (what the directory keeps), one page
        at a time."""
        return walk_pages(
            lambda page: self._customers(
                CustomerListing, {**filters, "count": page_size, "page": page}
            ),
            page_size,
        )

    async def _customers(
        self, model: type[M], filters: Mapping[str, Any], *, count_only: bool = False
    ) -> list[M] | int:
        return await self._list_or_count(
            "get_customers",
            checked(filters, CustomerFilters),
            model,
            count_only=count_only,
            wildcard="cid",
            unless="id",
        )

    # -- cached lookups --------------------------------------------------------------------

    async def technicians(self) -> list[Technician]:
        """All technicians, cached for a few minutes."""
        return await self._lookups.get_or_load("techs", lambda: self.get_techs(uid="*"))

    async def technician(self, uid: str) -> Technician:
        """One technician by ID, from the cache; NotFound when there is none."""
        for tech in await self.technicians():
            if tech.uid.lower() == uid.lower():
                return tech
        raise NotFound(f"ReadyDesk has no technician {uid}.", backend=BACKEND, action="get_techs")

    async def tech_groups(self) -> list[TechGroup]:
        """All technician groups, cached for a few minutes."""
        return await self._lookups.get_or_load("groups", lambda: self.get_tech_groups(name="*"))

    async def ticket_statuses(self) -> list[str]:
        """Every ticket status some group may see, in first-seen order (from the cached groups)."""
        return _union(g.statuses for g in await self.tech_groups())

    async def ticket_categories(self) -> list[str]:
        """Every ticket category some group may see."""
        return _union(g.categories for g in await self.tech_groups())

    async def ticket_sources(self) -> list[str]:
        """Every ticket source some group may see."""
        return _union(g.sources for g in await self.tech_groups())

    # -- the one choke point -------------------------------------------------------------------

    def history_note_fits(self, ticket_id: int, note: str, *, uid: str | None = None) -> bool:
        """Whether adding `note` to a ticket's history fits one request: ReadyDesk's limit is on
        the URL as it receives it, URL-encoded (so é and emoji count several times)."""
        params = {"tid": str(ticket_id), self.names.history_note: note}
        if uid:
            params["uid"] = uid
        return len(str(self._url(self.names.history_action, params))) <= self._max_url_length

    def _url(self, action: str, params: Mapping[str, str]) -> httpx.URL:
        """The endpoint with the action's query (in place of any the endpoint has), encoded as
        `params=` is encoded, without httpx parsing the endpoint again for each request."""
        query = {"key": self._key, "action": action, **params}
        if self._format:
            query[self._format[0]] = self._format[1]
        return self._endpoint.copy_with(query=str(httpx.QueryParams(query)).encode("ascii"))

    async def _list_or_count(
        self,
        action: str,
        filters: Mapping[str, Any],
        model: type[M],
        *,
        count_only: bool,
        wildcard: str,
        unless: str | None = None,
    ) -> list[M] | int:
        """Send a get_ action's filters, with `wildcard=*` unless a key was given.

        ReadyDesk pages only when the key variable is `*`; `unless` names the row-id variable
        that selects records by itself.
        """
        params = variables(filters)
        if wildcard not in params and not (unless and unless in params):
            params[wildcard] = "*"
        if count_only:
            records = await self._request(action, {**params, "count_only": "Y"})
            return read_count(records, action)
        return build_models(model, await self._request(action, params), action)

    async def _request(
        self, action: str, params: Mapping[str, str], *, is_read: bool = True
    ) -> list[wire.Record]:
        """Send one action; map every failure to api.errors; return the reply's records."""
        request = self._http.build_request("GET", self._url(action, params))
        url_length = len(str(request.url))
        if url_length > self._max_url_length:
            raise InvalidRequest(
                f"That is too long for ReadyDesk: the request would be {url_length} characters "
                f"and the server accepts {self._max_url_length}. Shorten the text and try again.",
                backend=BACKEND,
                action=action,
            )
        with observed(BACKEND, action):
            response = await send_with_retries(
                self._http,
                request,
                backend=BACKEND,
                action=action,
                policy=self._retry,
                is_read=is_read,
            )
            error = error_for_status(response, backend=BACKEND, action=action)
            if error:
                raise error
            if is_read and self._delimited and not response.text.strip():
                return []  # the delimited format has no wrapper: no records is an empty body
            records = wire.parse_records(response.text, action=action)
            self._delimited = wire.detect_format(response.text) == "delimited"
            if len(records) == 1 and wire.ERROR_FIELD in records[0]:
                raise server_error(str(records[0][wire.ERROR_FIELD]), action)
            logger.debug("readydesk %s: %d records", action, len(records))
            return records


def _union(lists: Any) -> list[str]:
    seen: dict[str, None] = {}
    for values in lists:
        seen.update(dict.fromkeys(values))
    return list(seen)
