"""What a card's buttons remember, serialized into the button value (never process memory).

Each reference names its kind, so one button (Share in channel) can rebuild any card from it.
The references themselves are api/refs.py (what `desk.read` takes); this module is their
encoding, and re-exports them for the modules that build buttons.
"""

import json
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from api.refs import AnyRef, CustomerRef, JobRef, TicketQuery, TicketRef

__all__ = ["AnyRef", "CustomerRef", "JobRef", "NoteTarget", "TicketQuery", "TicketRef"]

BUTTON_VALUE_MAX = 2000


def ref_value(ref: AnyRef) -> str:
    """The compact JSON that goes into a button value (within Slack's 2000 characters)."""
    data = {"kind": ref.kind, **ref.model_dump(mode="json", exclude_defaults=True)}
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    if len(text) > BUTTON_VALUE_MAX:
        raise ValueError(f"{type(ref).__name__} is over Slack's button value limit")
    return text


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


def parse_ref(value: str) -> AnyRef:
    """The reference a button value holds.

    Ticket cards posted before references named their kind hold `{"ticket_id": …}`; their
    buttons keep working.
    """
    data = json.loads(value)
    if isinstance(data, dict) and "kind" not in data and "ticket_id" in data:
        return TicketRef.model_validate(data)
    return CARD_REF.validate_python(data)
