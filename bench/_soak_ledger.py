"""The soak's bookkeeping: what became of each intended write, from the backends' own records
(how many times it landed) and from what the Slack fake recorded for the person who made it
(what they were told). Pure: tests/bench feed it a recorded sample.
"""

import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

DONE, NOT_DONE, PENDING, UNCONFIRMED = "done", "not done", "pending", "unconfirmed"
SETTLED = (DONE, NOT_DONE)


def classify(text: str) -> str | None:
    """What one message to a person says about their write: DONE, NOT_DONE, PENDING (more news
    is promised), UNCONFIRMED (told it could not be confirmed, nothing promised) or None (not
    about the outcome). The app's words today (cards/modals.py, cards/outcomes.py,
    handlers/new_*.py, handlers/ticket_actions.py, handlers/forms.py, workers/claims.py,
    bot/app.py's error handler), the same whether they reach the person in place or by DM; the
    one place to change when the words change."""
    words = " ".join(text.replace("*", "").replace("_", " ").lower().split())
    if (
        "could not confirm yet" in words
        or "will tell you" in words
        or "already being" in words
        or words.startswith(("adding the note", "saving", "creating"))
    ):
        return PENDING
    # The sweeper giving up after a day ("could not check for a day whether … was written"):
    # nothing settled, however the sentence ends.
    if any(p in words for p in ("could not confirm", "not confirmed", "no longer tries")):
        return UNCONFIRMED
    refused = ("not added", "not changed", "not created", "not written", "not done")
    if any(p in words for p in refused) or "something went wrong" in words:
        return NOT_DONE
    done = (
        "added the note",
        "already done",
        "done on ticket",
        "was written",
        "created ticket",
        "created job",
        "ticket created",
        "job created",
        "note added",
    )
    # A card redrawn after a change (the Status select) or posted after a create: "Ticket #34: …"
    if any(p in words for p in done) or re.match(r"(ticket )?#\d+[: ]", words):
        return DONE
    return None


def flat_text(payload: Any) -> str:
    """Every `text` string in a Slack payload (message, blocks or view), joined by spaces."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                if key == "text" and isinstance(inner, str):
                    found.append(inner)
                else:
                    walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(payload)
    return " ".join(found)


@dataclass
class Write:
    """One intended write the soak sent, and what happened to the request carrying it."""

    key: str  # the unique text the backends' records are searched for
    kind: str  # note, note form, job note, status, ticket new, job new
    user: str  # the Slack user made for this write alone: their DMs are its news
    surface: str  # its response_url name, or its view id
    status: int = 0  # the HTTP status of the acknowledgement (0: no answer)
    told: list[tuple[float, str]] = field(default_factory=list)  # (when, message text)


@dataclass
class Tally:
    """The table the soak prints, for the writes."""

    tried: int = 0
    once: int = 0
    duplicates: int = 0
    lies: int = 0
    silent: int = 0
    unconfirmed: int = 0  # of the silent: told only "could not confirm"
    told_done_not_there: int = 0
    not_acked: int = 0
    never_landed: int = 0
    lie_keys: list[str] = field(default_factory=list)
    silent_keys: list[str] = field(default_factory=list)
    duplicate_keys: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """True when the soak proved something broken."""
        return bool(self.duplicates or self.lies or self.silent or self.told_done_not_there)


def verdicts(write: Write) -> list[str]:
    """What the person was told, in order, as classify() reads each message."""
    said = (classify(text) for _, text in sorted(write.told, key=lambda t: t[0]))
    return [v for v in said if v]


def tally(writes: Iterable[Write], landed: dict[str, int]) -> Tally:
    """Count writes by how often they landed (`landed[key]`) and what their person was told."""
    out = Tally()
    for write in writes:
        out.tried += 1
        times = landed.get(write.key, 0)
        if times == 1:
            out.once += 1
        elif times > 1:
            out.duplicates += 1
            out.duplicate_keys.append(write.key)
        else:
            out.never_landed += 1
        said = verdicts(write)
        settled = [v for v in said if v in SETTLED]
        if write.status != 200:
            out.not_acked += 1
            # Slack itself shows the person an error ("dispatch_failed", "trouble connecting"):
            # "not done", unless the app's own later word (a reply, the modal updated) settles it.
            settled = settled or [NOT_DONE]
        if not settled:
            out.silent += 1
            out.silent_keys.append(write.key)
            out.unconfirmed += UNCONFIRMED in said
        elif NOT_DONE in settled and times:
            out.lies += 1
            out.lie_keys.append(write.key)
        elif settled[-1] == DONE and not times:
            out.told_done_not_there += 1
            out.lie_keys.append(write.key)
    return out


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of `values` fall (nearest rank); 0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def median(values: list[float]) -> float:
    """The median, 0 when empty."""
    return statistics.median(values) if values else 0.0


def count_keys(texts: Iterable[str], pattern: re.Pattern[str]) -> dict[str, int]:
    """How many times each key matching `pattern` occurs over `texts` (one record each)."""
    counts: dict[str, int] = {}
    for text in texts:
        for key in set(pattern.findall(text or "")):
            counts[key] = counts.get(key, 0) + 1
    return counts
