"""What both fakes read of their stored records, which are flat dataclasses, and the key a memo
of what they write from a record's values is keyed by."""

from dataclasses import fields
from datetime import date, datetime
from decimal import Decimal
from functools import cache, lru_cache
from operator import attrgetter
from typing import Any

# Types whose equal values are written alike by both fakes (a datetime is not: see `memo_key`).
_EXACT = frozenset({str, int, bool, type(None), date})
_DATED = _EXACT | {datetime}


@cache
def field_names(cls: type) -> tuple[str, ...]:
    """The dataclass `cls`'s field names in order, read once per class."""
    return tuple(f.name for f in fields(cls))


def fields_of(record: Any) -> dict[str, Any]:
    """A record's fields by name, as `asdict` gives them for these flat records, without its deep
    copy of every value: a row is only read, while it is written out, so it may share them."""
    return {name: getattr(record, name) for name in field_names(type(record))}


def values_of(record: Any) -> tuple[Any, ...]:
    """A record's field values in field order."""
    return _getter(type(record))(record)


@cache
def _getter(cls: type) -> Any:
    names = field_names(cls)
    get = attrgetter(*names)
    return get if len(names) > 1 else lambda record: (get(record),)


def memo_key(values: tuple[Any, ...]) -> tuple[Any, ...]:
    """`values` as the key of a memo of what a fake writes from them: values with equal keys are
    written alike. Equal is not enough: each value's type is in the key (True == 1, written Y
    and 1), each datetime's UTC offset (equal instants read apart on two clocks), each float's
    and Decimal's text (0.0 == -0.0, 1.0 == 1.00); lists and dicts of such values are keyed by
    their items. TypeError for any other value, which the caller writes without the memo."""
    types = tuple(map(type, values))
    dated = _datetimes_at(types)
    if dated is None:
        return types, tuple(map(_part, values))
    return types, values, tuple([values[at].utcoffset() for at in dated])


@lru_cache(maxsize=1024)
def _datetimes_at(types: tuple[type, ...]) -> tuple[int, ...] | None:
    """Where the datetimes are among values of these types (most records: plain values and a
    few datetimes), or None when some other type is there too."""
    if not _DATED.issuperset(types):
        return None
    return tuple(at for at, kind in enumerate(types) if kind is datetime)


def _part(value: Any) -> Any:
    kind = type(value)
    if kind in _EXACT:
        return value
    if kind is datetime:
        return value, value.utcoffset()
    if kind is float or kind is Decimal:
        return repr(value)
    if kind is list:
        return tuple((type(item), _part(item)) for item in value)
    if kind is dict:
        return tuple(((type(k), _part(k)), (type(v), _part(v))) for k, v in value.items())
    raise TypeError(f"a {kind.__name__} has no memo key")


class Keyed:
    """Values to write, compared and hashed by their `memo_key`: the argument of a memo
    (functools.lru_cache) of their writing, carrying the values for a miss to write."""

    __slots__ = ("_hash", "key", "values")

    def __init__(self, values: tuple[Any, ...]) -> None:
        self.values = values
        self.key = memo_key(values)
        self._hash = hash(self.key)  # TypeError for a value (in a list, say) with no hash

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Keyed) and self.key == other.key
