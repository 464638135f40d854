"""What a card's buttons remember, serialized into the button value (never process memory).

Each reference names its kind, so one button (Share in channel) can rebuild any card from it.
The references themselves are api/refs.py (what `desk.read` takes); this module is their
encoding, and re-exports them for the modules that build buttons.
"""

import json
import re
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from api.refs import AnyRef, CustomerRef, JobRef, TicketQuery, TicketRef

__all__ = ["AnyRef", "CustomerRef", "JobRef", "NoteTarget", "TicketQuery", "TicketRef"]

BUTTON_VALUE_MAX = 2000
OPTION_VALUE_MAX = 150  # Slack's limit on an option's value
RECORD_NUMBER = re.compile(r"[1-9][0-9]{0,11}")  # a ticket's or a job's number, as written
RECORD_NUMBER_MAX = 10**12 - 1
TICKET_BLOCK = re.compile(r"ticket_([1-9][0-9]{0,11})")  # a ticket card's actions block
Model = TypeVar("Model", bound=BaseModel)


class DamagedValue(ValueError):
    """A button's value or block id that is not one Deskhand wrote (out of date, or forged)."""


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

    def names_a_record(self) -> bool:
        """False for a ticket or job without a number, a customer without a key."""
        if self.kind in ("ticket", "job"):
            return RECORD_NUMBER.fullmatch(self.number) is not None
        return self.kind == "pick" or bool(self.number.strip())

    @property
    def label(self) -> str:
        """`ticket #34`, `customer 380`, `job 86001`."""
        if self.kind == "pick":
            return "the record you choose"
        return f"ticket #{self.number}" if self.kind == "ticket" else f"{self.kind} {self.number}"


CardRef = Annotated[TicketRef | TicketQuery | CustomerRef | JobRef, Field(discriminator="kind")]
CARD_REF = TypeAdapter(CardRef)


def parse_ref(value: Any) -> AnyRef:
    """The reference a button value holds; DamagedValue for anything Deskhand did not write.

    Ticket cards posted before references named their kind hold `{"ticket_id": …}`; their
    buttons keep working.
    """
    try:
        data = json.loads(value)
        if isinstance(data, dict) and "kind" not in data and "ticket_id" in data:
            return _names_a_record(TicketRef.model_validate(data))
        return _names_a_record(CARD_REF.validate_python(data))
    except (TypeError, ValueError) as err:  # ValidationError and JSONDecodeError are both
        raise DamagedValue(f"a button value that is no card reference: {_kind(err)}") from None


def read_value(model: type[Model], value: Any) -> Model:
    """`model` read from a button value; DamagedValue for anything Deskhand did not write."""
    try:
        return _names_a_record(model.model_validate_json(value))
    except (TypeError, ValueError) as err:
        raise DamagedValue(f"a button value that is no {model.__name__}: {_kind(err)}") from None


def ticket_of_block(block_id: Any) -> TicketRef:
    """The ticket whose card holds the actions block `block_id` (`ticket_34`)."""
    match = TICKET_BLOCK.fullmatch(block_id) if isinstance(block_id, str) else None
    if match is None:
        raise DamagedValue("a block id that names no ticket")
    return TicketRef(ticket_id=int(match.group(1)))


def _names_a_record(value: Model) -> Model:
    """`value` when each record number in it could be one (the models take any int, as records
    read from the backends may hold); else ValueError."""
    numbers = [getattr(value, n, None) for n in ("ticket_id", "job_number", "kickserv_number")]
    if any(n is not None and not 0 < n <= RECORD_NUMBER_MAX for n in numbers):
        raise ValueError("a record number that is no record's")
    if isinstance(value, NoteTarget) and not value.names_a_record():
        raise ValueError(f"a {value.kind} note that names no {value.kind}")
    return value


def _kind(err: Exception) -> str:
    """What was wrong, without the value itself (which may hold anything someone typed)."""
    if isinstance(err, ValidationError):
        return ", ".join(sorted({e["type"] for e in err.errors()}))
    return type(err).__name__


def chosen_option(action: dict[str, Any]) -> str:
    """The value of the option a select's action chose; DamagedValue when there is none."""
    option = action.get("selected_option")
    value = option.get("value") if isinstance(option, dict) else None
    if not isinstance(value, str) or not value.strip() or len(value) > OPTION_VALUE_MAX:
        raise DamagedValue("a select's action that chose no option")
    return value


def typed_number(text: str) -> int | None:
    """A number someone typed (`34`, `#34`): a record's, a watch's or a digest's; None for
    anything else (words, `0`, `²`, more digits than any record has). Leading zeros are
    forgiven (`07`)."""
    text = text.strip().lstrip("#").lstrip("0")
    return int(text) if RECORD_NUMBER.fullmatch(text) else None


def read_number(value: Any) -> int:
    """A button value that is a record's number (`12`); DamagedValue for anything else."""
    if not isinstance(value, str) or not RECORD_NUMBER.fullmatch(value):
        raise DamagedValue("a button value that is no number")
    return int(value)


def view_state(model: type[Model], body: dict[str, Any]) -> Model:
    """`model` read from the private_metadata of the view a button was pressed in;
    DamagedValue when there is no such view (a form's button pressed on a message)."""
    view = body.get("view")
    return read_value(model, view.get("private_metadata") if isinstance(view, dict) else None)
