"""The customer as the whole app sees it: one business, its record in each system, and how the
records of the two systems are matched (emails first, then phone digits)."""

import re
from dataclasses import dataclass

from store.directory import KICKSERV, READYDESK, Linked
from store.directory import Record as Entry  # one type: store keeps it, store imports no api

__all__ = ["KICKSERV", "READYDESK", "Business", "Entry", "normalize_email", "phone_digits"]

_NOT_DIGIT = re.compile(r"\D")
PHONE_DIGITS = 10
MIN_PHONE_QUERY = 7


def normalize_email(value: str | None) -> str:
    """Lower-cased and trimmed; blank when there is none."""
    return (value or "").strip().lower()


def phone_digits(value: str | None) -> str:
    """The last ten digits of a phone number (so +1 and punctuation do not matter)."""
    digits = _NOT_DIGIT.sub("", value or "")
    return digits[-PHONE_DIGITS:] if len(digits) >= MIN_PHONE_QUERY else ""


@dataclass(frozen=True)
class Business(Linked):
    """One business: its ReadyDesk record, its Kickserv record, or both, and why they link (the
    directory's Linked fields, with the name the app shows)."""

    @property
    def name(self) -> str:
        """The best name either record has."""
        for entry in (self.readydesk, self.kickserv):
            if entry and (entry.company or entry.name):
                return entry.company or entry.name
        return "(no name)"
