"""What a card's buttons remember, serialized into the button value (never process memory).

Each reference names its kind, so one button (Share in channel) can rebuild any card from it.
"""

import json
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from api.readydesk.search import TicketSearch

BUTTON_VALUE_MAX = 2000


class _Ref(BaseModel):
    model_config = ConfigDict(frozen=True)

    def value(self) -> str:
        """The compact JSON that goes into a button value (within Slack's 2000 characters)."""
        data = {
            "kind": self.kind,
            **self.model_dump(mode="json", exclude_defaults=True),
        }
        text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        if len(text) > BUTTON_VALUE_MAX:
            raise ValueError(f"{type(self).__name__} is over Slack's button value limit")
        return text


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


class NoteTarget(BaseModel):
    """Where a note goes, and (for Try again) the text typed; rides in views and buttons."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["ticket", "customer", "job", "pick"]  # pick: the form asks where it goes
    number: str = ""
    channel_id: str = ""
    text: str = ""

    @property
    def label(self) -> str:
        """`ticket #34`, `customer 380`, `job 86001`."""
        if self.kind == "pick":
            return "the record you choose"
        return f"ticket #{self.number}" if self.kind == "ticket" else f"{self.kind} {self.number}"


CardRef = Annotated[TicketRef | TicketQuery | CustomerRef | JobRef, Field(discriminator="kind")]
CARD_REF = TypeAdapter(CardRef)


def parse_ref(value: str) -> TicketRef | TicketQuery | CustomerRef | JobRef:
    """The reference a button value holds.

    Ticket cards posted before references named their kind hold `{"ticket_id": …}`; their
    buttons keep working.
    """
    data = json.loads(value)
    if isinstance(data, dict) and "kind" not in data and "ticket_id" in data:
        return TicketRef.model_validate(data)
    return CARD_REF.validate_python(data)
