"""A ticket note longer than one ReadyDesk request holds, written as numbered parts.

ReadyDesk takes a note in the URL and refuses a URL over its limit as received, URL-encoded: an
"é" counts six characters and an emoji twelve, so no form limit in characters can promise a note
fits. A note that does not fit is cut into parts that each do ("[Part 1 of 3] …"), at a space
where one is near, and each part is written once through `add_note` under its own intent key
(the form's key, the part, and a digest of the whole text): submitting the same text again
writes only the parts not yet written. The outcome names every part that went in. No part is
written after one whose outcome is unknown; that part's plan names it and keeps the text after
it, so the sweeper's later word says which part it was and gives back what was never sent.
"""

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import replace

from api.identity import Profile
from api.note_writes import NotedRecord, NotePart
from api.writes import Intent, WriteResult, signature

Fits = Callable[[str], bool]
AddNote = Callable[[Intent, NotedRecord, str, NotePart | None], Awaitable[WriteResult]]

MAX_PARTS = 99
_WIDEST_LABEL = "[Part 99 of 99] "  # room kept for the label before the parts are counted
_MARKER = "ref 00000000"  # as wide as `api.writes.new_marker`'s
_BREAK_WITHIN = 200  # characters back from a part's end where a space may end it instead
_DONE = ("written", "confirmed", "duplicate")


def label(number: int, count: int) -> str:
    """The line a part starts with: `[Part 2 of 3] `."""
    return f"[Part {number} of {count}] "


def split_note(text: str, author: str, fits: Fits) -> list[str]:
    """`text` as the parts that each fit one request once labelled and signed by `author`
    (one part, unlabelled, when the whole fits, or when no room is left for parts or it would
    take more than MAX_PARTS). Joined, the parts are `text` again."""
    sign = f"\n{signature(author, _MARKER)}"
    if fits(text + sign):
        return [text]
    parts: list[str] = []
    start = 0
    while start < len(text):
        if not fits(_WIDEST_LABEL + text[start] + sign) or len(parts) == MAX_PARTS:
            return [text]  # no room for parts: one request, which ReadyDesk's limit refuses
        end = _longest(text, start, lambda piece: fits(_WIDEST_LABEL + piece + sign))
        if end < len(text):  # end at a space near the limit, when there is one
            floor = max(start + 1, end - _BREAK_WITHIN)
            space = max(text.rfind(" ", floor, end), text.rfind("\n", floor, end))
            end = space + 1 if space >= floor else end
        parts.append(text[start:end])
        start = end
    return parts


def _longest(text: str, start: int, fits: Fits) -> int:
    """The furthest end such that text[start:end] fits (at least one character)."""
    low, high = start + 1, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if fits(text[start:middle]):
            low = middle
        else:
            high = middle - 1
    return low


async def add_note_in_parts(
    add_note: AddNote, intent: Intent, record: NotedRecord, text: str, author: Profile, fits: Fits
) -> WriteResult:
    """Write `text` as one note, or as numbered parts when one request cannot hold it; each part
    once. The result is the whole story: every part written (references in order), or how far
    it got and why the next part was not written."""
    parts = split_note(text, author.name, fits)
    if len(parts) == 1:
        return await add_note(intent, record, text, None)
    digest = hashlib.sha256(text.encode()).hexdigest()[:8]
    done: list[WriteResult] = []
    for number, part in enumerate(parts, start=1):
        result = await add_note(
            replace(
                intent,
                key=f"{intent.key}:part{number}:{digest}",
                summary=f"part {number} of {len(parts)}: {part[:200]}",
            ),
            record,
            label(number, len(parts)) + part,
            NotePart(f"part {number} of {len(parts)}", part, "".join(parts[number:])),
        )
        if result.outcome not in _DONE or not result.reference:
            return _stopped(result, done, number, len(parts))
        done.append(result)
    return _all_written(done)


def _all_written(done: list[WriteResult]) -> WriteResult:
    outcomes = {r.outcome for r in done}
    outcome = "duplicate" if outcomes == {"duplicate"} else "written"
    if "confirmed" in outcomes:
        outcome = "confirmed"
    references = ", ".join(r.reference or "" for r in done)
    return WriteResult(outcome, references, earlier=done[-1].earlier)


def _stopped(result: WriteResult, done: list[WriteResult], number: int, count: int) -> WriteResult:
    """The part that did not go in, told with the parts before it that did."""
    if not done or result.error is None:
        return result
    written = ", ".join(r.reference or "" for r in done)
    before = (
        f"part 1 was added (note {written})"
        if len(done) == 1
        else (f"parts 1 to {len(done)} were added (notes {written})")
    )
    how = "was not added" if result.outcome == "failed" else "may not have been added"
    told = f"The note is {count} parts long: {before}; part {number} {how}: {result.error.message}"
    if result.outcome == "failed":
        told += " Try again adds the rest, each part once."
    result.error.message, result.error.args = told, (told,)  # this attempt's own error
    # An unknown part is worded from its reason (api/writes.py): the same whole story.
    return replace(result, reason=told) if result.reason else result
