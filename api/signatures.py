"""Who wrote what Deskhand wrote: the signature `api.writes.signature` ends it with, read back.

A note written from Slack is stored by the backend under Deskhand's own account (Kickserv names
the API user as its creator); its real author is the Slack person the signature names.
"""

import re
from dataclasses import dataclass

# "— Alice Moreno via Slack · ref 1A2B3C4D", the last line of what Deskhand wrote.
_SIGNED = re.compile(r"(?:\A|\n)— (?P<name>[^\n]+?) via Slack · (?P<marker>ref [0-9A-F]{8})\s*\Z")


@dataclass(frozen=True)
class Signed:
    """A text as people wrote it, and who signed it from Slack (None: not written by Deskhand)."""

    text: str
    slack_author: str | None = None
    marker: str = ""


def read_signature(text: str) -> Signed:
    """`text` without Deskhand's signature line, and the Slack person and marker it names."""
    found = _SIGNED.search(text)
    if found is None:
        return Signed(text)
    return Signed(text[: found.start()], found["name"].strip(), found["marker"])
