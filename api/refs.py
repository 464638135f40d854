"""What a card stands for: a reference to read it again from (`desk.read(ref)` -> its view).

cards/refs.py turns a reference into a button value and back; these are the models alone.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.readydesk.search import TicketSearch


class _Ref(BaseModel):
    model_config = ConfigDict(frozen=True)


class TicketRef(_Ref):
    """One ReadyDesk ticket."""

    kind: Literal["ticket"] = "ticket"
    ticket_id: int


class TicketQuery(TicketSearch, _Ref):
    """A resolved `/tickets` search (server values only) and the page shown."""

    kind: Literal["tickets"] = "tickets"
    page: int = Field(1, ge=1)


class CustomerRef(_Ref):
    """One business, by its record in either system or both."""

    kind: Literal["customer"] = "customer"
    readydesk_id: str | None = None
    kickserv_number: int | None = None


class JobRef(_Ref):
    """One Kickserv job."""

    kind: Literal["job"] = "job"
    job_number: int


AnyRef = TicketRef | TicketQuery | CustomerRef | JobRef
