"""ReadyDesk's writes, as methods of the client (`ReadyDeskClient` inherits them): each checks
its input with the seed's own rules, sends one action through the client's choke point, and is
never retried blindly (api/writes.py decides an outcome that was not proven)."""

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

import httpx

from api.errors import InvalidRequest
from api.readydesk import wire
from api.readydesk.codec import input_variables, int_result, validate_input
from api.readydesk.inputs import CustomerInput, TicketInput

BACKEND = wire.BACKEND


class ReadyDeskWrites:
    """Tickets opened and changed, history notes added, customers added and changed."""

    # The client's: its wire names, and its one choke point (see ReadyDeskClient._request).
    names: wire.WireNames
    _request: Callable[..., Awaitable[list[wire.Record]]]
    _url: Callable[[str, Mapping[str, str]], httpx.URL]
    _max_url_length: int
    forget_lookups: Callable[[], None]

    def ticket_overflow(self, **fields: Any) -> int:
        """How many characters past ReadyDesk's limit adding this ticket would be, as sent
        (URL-encoded: é and emoji count several times); 0 when it fits."""
        params = self._ticket_params(validate_input(TicketInput, fields, "add_ticket"))
        return max(0, len(str(self._url("add_ticket", params))) - self._max_url_length)

    async def add_ticket(self, **fields: Any) -> int:
        """Open a ticket (`cid` required); returns the new ticket number."""
        ticket = validate_input(TicketInput, fields, "add_ticket")
        if not ticket.cid:
            raise InvalidRequest(
                "A ticket needs a customer.",
                backend=BACKEND,
                action="add_ticket",
                field_errors={"cid": "Choose the customer this ticket is for."},
            )
        result = await self._write("add_ticket", self._ticket_params(ticket))
        return int_result(result, "add_ticket")

    async def update_ticket(self, ticket_id: int, **fields: Any) -> int:
        """Change only the given fields of a ticket; returns its number."""
        ticket = validate_input(TicketInput, fields, "update_ticket")
        params = {self.names.update_ticket_target: str(ticket_id), **self._ticket_params(ticket)}
        return int_result(await self._write("update_ticket", params), "update_ticket")

    async def close_ticket(self, ticket_id: int, *, at: datetime, status: str = "Closed") -> int:
        """Close a ticket, dated `at`: the business's wall-clock time, as ReadyDesk writes its
        dates (not this server's clock, whose zone may be another)."""
        return await self.update_ticket(ticket_id, status=status, close_date=at)

    async def add_history_note(self, ticket_id: int, note: str, *, uid: str | None = None) -> int:
        """Add a note to a ticket's history; returns the history entry's id."""
        if not note.strip():
            raise InvalidRequest(
                "The note is empty.",
                backend=BACKEND,
                action=self.names.history_action,
                field_errors={"note": "Write something to add."},
            )
        params = {"tid": str(ticket_id), self.names.history_note: note}
        if uid:
            params["uid"] = uid
        return int_result(await self._write(self.names.history_action, params), "history")

    async def add_customer(self, **fields: Any) -> str:
        """Add a customer (every seed variable; `company="create_new"` with `new_company`)."""
        customer = validate_input(CustomerInput, fields, "add_customer")
        result = await self._write("add_customer", input_variables(customer))
        self.forget_lookups()
        return result

    async def update_customer(self, cid: str, **fields: Any) -> str:
        """Change only the given fields of customer `cid`; returns its customer ID."""
        customer = validate_input(CustomerInput, {"cid": cid, **fields}, "update_customer")
        return await self._write("update_customer", input_variables(customer))

    def _ticket_params(self, ticket: TicketInput) -> dict[str, str]:
        params = input_variables(ticket)
        if "body" in params:
            params[self.names.ticket_body] = params.pop("body")
        if "priority" in params:
            params[self.names.ticket_priority] = params.pop("priority")
        return params

    async def _write(self, action: str, params: dict[str, str]) -> str:
        records = await self._request(action, params, is_read=False)
        values = [v for v in (records[0] if records else {}).values() if isinstance(v, str)]
        if len(records) != 1 or not values:
            raise wire.malformed(action, "a reply without the changed record's ID")
        return values[0]
