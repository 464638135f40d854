"""Keyword filters typed as TypedDicts, checked at run time too."""

from collections.abc import Mapping
from typing import Any


def checked(filters: Mapping[str, Any], allowed: type) -> dict[str, Any]:
    """`filters` without None values, after refusing any name the TypedDict `allowed` does not
    describe: a typo raises TypeError instead of reaching a backend that would ignore it."""
    unknown = set(filters) - allowed.__optional_keys__ - allowed.__required_keys__
    if unknown:
        raise TypeError(f"unexpected filter(s): {', '.join(sorted(unknown))}")
    return {name: value for name, value in filters.items() if value is not None}
