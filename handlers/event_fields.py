"""Reading an Events API event's fields as Slack sends them: an event that does not fit (a list
where Slack sends an object, a number where it sends a string) is left alone with one log line,
never a traceback."""

import logging
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

logger = logging.getLogger("deskhand.events")
Fields = TypeVar("Fields", bound="EventFields")


class EventFields(BaseModel):
    """The fields a listener reads, strictly typed (others pass untouched)."""

    model_config = ConfigDict(strict=True)


def read_event(model: type[Fields], event: dict[str, Any]) -> Fields | None:
    """`event` as `model`, or None, logged once naming the fields (never their values)."""
    try:
        return model.model_validate(event)
    except ValidationError as err:
        where = sorted({str(e["loc"][0]) for e in err.errors() if e["loc"]})
        kind = event.get("type") if isinstance(event.get("type"), str) else "event"
        logger.warning("%s ignored: its %s is not what Slack sends", kind, ", ".join(where))
        return None
