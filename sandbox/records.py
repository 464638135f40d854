"""What both fakes read of their stored records, which are flat dataclasses."""

from dataclasses import fields
from functools import cache
from typing import Any


@cache
def field_names(cls: type) -> tuple[str, ...]:
    """The dataclass `cls`'s field names in order, read once per class."""
    return tuple(f.name for f in fields(cls))


def fields_of(record: Any) -> dict[str, Any]:
    """A record's fields by name, as `asdict` gives them for these flat records, without its deep
    copy of every value: a row is only read, while it is written out, so it may share them."""
    return {name: getattr(record, name) for name in field_names(type(record))}
