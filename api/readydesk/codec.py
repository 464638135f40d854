"""Between Python and ReadyDesk: keyword arguments to query variables, replies to models,
and ReadyDesk's error texts to api.errors."""

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from api.errors import AuthFailed, BackendError, InvalidRequest, NotFound
from api.readydesk import wire
from api.readydesk.inputs import WriteInput
from api.readydesk.models import format_readydesk_datetime

BACKEND = wire.BACKEND
ParamValue = str | int | bool | date | datetime | Sequence[str | int] | None
M = TypeVar("M", bound=BaseModel)

# How ReadyDesk's error texts map to our error types. Its error replies are undocumented; these
# patterns cover the sandbox's invented texts and the wording the docs use for the same cases.
_AUTH_ERROR = re.compile(r"(?i)api key|\bkey\b|\bip\b|not allowed|unauthori[sz]ed|denied")
_UNKNOWN_ACTION = re.compile(r"(?i)unknown action")
_FIELD_ERROR = re.compile(
    r"(?i)(?:missing required variable|invalid|value too long for|invalid value for)[: ]+`?(\w+)"
)
_NOT_FOUND = re.compile(r"(?i)not found|does not exist|no such")


def variables(filters: Mapping[str, Any]) -> dict[str, str]:
    """Filter values -> ReadyDesk variables: None dropped, lists comma-joined, US dates."""
    return {name: to_wire_value(value) for name, value in filters.items() if value is not None}


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
        return ",".join(to_wire_value(v) for v in value)
    raise TypeError(f"cannot send {type(value).__name__} to ReadyDesk")


def build_models(model: type[M], records: list[wire.Record], action: str) -> list[M]:
    """Each record as `model`; MalformedResponse naming the first field that did not read."""
    try:
        return [model.model_validate(record) for record in records]
    except ValidationError as err:
        field = ".".join(str(p) for p in err.errors()[0]["loc"])
        raise wire.malformed(action, f"a record with a bad `{field}` value") from err


def read_count(records: list[wire.Record], action: str) -> int:
    """The number a `count_only=Y` reply holds; MalformedResponse when there is none."""
    try:
        return int(records[0][wire.COUNT_FIELD])
    except (IndexError, KeyError, ValueError) as err:
        raise wire.malformed(action, "a count Deskhand could not read") from err


def server_error(text: str, action: str) -> BackendError:
    """ReadyDesk's error text -> the matching api.errors type, with a message fit for a user."""
    if _AUTH_ERROR.search(text):
        return AuthFailed(
            f"ReadyDesk refused Deskhand's API key or address ({text}). "
            "Ask an admin to check READYDESK_KEY and the API's allowed IPs.",
            backend=BACKEND,
            action=action,
        )
    if _UNKNOWN_ACTION.search(text):
        return InvalidRequest(
            f"ReadyDesk does not know the action `{action}` ({text}). If your ReadyDesk names it "
            "differently, an admin can set it in Deskhand's configuration (see README).",
            backend=BACKEND,
            action=action,
        )
    field = _FIELD_ERROR.search(text)
    if field:
        return InvalidRequest(
            f"ReadyDesk: {text}",
            backend=BACKEND,
            action=action,
            field_errors={field.group(1): text},
        )
    if _NOT_FOUND.search(text):
        return NotFound(f"ReadyDesk: {text}", backend=BACKEND, action=action)
    return InvalidRequest(f"ReadyDesk: {text}", backend=BACKEND, action=action)


W = TypeVar("W", bound=WriteInput)


def validate_input(model: type[W], fields: Mapping[str, Any], action: str) -> W:
    """Check write input before a round trip; every problem becomes a field error."""
    try:
        return model.model_validate(fields)
    except ValidationError as err:
        errors = {str(e["loc"][0]) if e["loc"] else "input": e["msg"] for e in err.errors()}
        listed = "; ".join(f"{k}: {v}" for k, v in errors.items())
        raise InvalidRequest(
            f"Some values cannot go to ReadyDesk ({listed}).",
            backend=BACKEND,
            action=action,
            field_errors=errors,
        ) from None


def input_variables(data: WriteInput) -> dict[str, str]:
    """A write's fields as ReadyDesk's variables (its names, values as the wire writes them)."""
    values = data.model_dump(exclude_none=True, by_alias=True)
    return {name: to_wire_value(value) for name, value in values.items()}


def int_result(value: str, action: str) -> int:
    """The ID a write answered with; MalformedResponse when it is not a number."""
    try:
        return int(value)
    except ValueError:
        raise wire.malformed(action, f"a non-numeric ID ({value!r})") from None
