"""Modals in the console: a form prints its fields, asks for each value (selects list their
options, typeahead searches what you type), and submits through the real app."""

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

Read = Callable[[str], Awaitable[str | None]]
Write = Callable[[str], None]
# A field's answer: text, or a select's option as Slack submits it (its value and the text seen).
Answer = str | dict[str, str]


class FormConsole(Protocol):
    """What filling a form needs of the console."""

    async def submit_view(self, view_id: str, values: dict[str, Any]) -> dict[str, Any]:
        """Submit the open form `view_id` with `values`; what the app answered."""

    async def suggest(self, action_id: str, typed: str) -> dict[str, Any]:
        """The options the app offers for `typed` in the menu `action_id`."""


def _plain(obj: dict[str, Any] | None) -> str:
    return (obj or {}).get("text", "")


def _said(view: dict[str, Any]) -> list[str]:
    """What a view says besides its fields: its sections' and contexts' texts."""
    lines = []
    for block in view.get("blocks", []):
        if block.get("type") in ("section", "context"):
            texts = [block.get("text"), *block.get("elements", [])]
            lines.extend(_plain(t) for t in texts if t and _plain(t))
    return lines


def view_text(view: dict[str, Any]) -> str:
    """A non-form view (an outcome) as lines of text."""
    return "\n".join([f"[ {_plain(view.get('title'))} ]", *_said(view)])


async def fill_form(
    console: FormConsole, views: dict[str, dict[str, Any]], view_id: str, read: Read, write: Write
) -> None:
    """Ask for each field of the open form, submit it, show the outcome; re-ask on errors."""
    while True:
        view = views[view_id]
        if not view.get("submit"):
            write(view_text(view))
            return
        write(
            f"{_plain(view.get('title'))} — Enter leaves an optional field empty; Ctrl-D cancels."
        )
        for line in _said(view):  # what the page shows around the fields (a customer not found)
            write(f"  {line}")
        values: dict[str, Answer] = {}
        for block in (b for b in view.get("blocks", []) if b.get("type") == "input"):
            value = await _ask(console, block, read, write)
            if value is None:
                write("Form cancelled: nothing was sent.")
                return
            values[block["block_id"]] = value
        shown = views.get(view_id)
        ack = await console.submit_view(view_id, values)
        if ack.get("response_action") == "errors":
            labels = {b.get("block_id"): _plain(b.get("label")) for b in view.get("blocks", [])}
            for block_id, message in ack.get("errors", {}).items():
                write(f"  ! {labels.get(block_id) or block_id}: {message}")
            continue
        if ack.get("response_action") == "update":
            write(view_text(ack["view"]))
            if views.get(view_id) is not shown:  # the app updated it after the ack ("Saving…")
                write(view_text(views[view_id]))
        return


async def _ask(
    console: FormConsole, block: dict[str, Any], read: Read, write: Write
) -> Answer | None:
    element = block["element"]
    kind = element["type"]
    label = _plain(block.get("label")) + ("" if not block.get("optional") else " (optional)")
    if kind == "static_select":
        return await _choose(label, element.get("options", []), read, write)
    if kind == "external_select":
        return await _search(console, label, element, read, write)
    hint = {"datepicker": " [YYYY-MM-DD]", "timepicker": " [HH:MM]"}.get(kind, "")
    initial = element.get("initial_value") or ""
    shown = f" [{initial[:40]}{'…' if len(initial) > 40 else ''}]" if initial else ""
    answer = await read(f"{label}{hint}{shown}: ")
    return None if answer is None else (answer.strip() or initial)


async def _choose(
    label: str, options: list[dict[str, Any]], read: Read, write: Write
) -> Answer | None:
    for n, option in enumerate(options, start=1):
        write(f"  {n}. {_plain(option.get('text'))}")
    answer = await read(f"{label} (number or name): ")
    if answer is None:
        return None
    answer = answer.strip()
    if answer.isdigit() and 1 <= int(answer) <= len(options):
        return _option(options[int(answer) - 1])
    named = [o for o in options if _plain(o.get("text")).lower() == answer.lower()]
    return _option(named[0]) if named else answer


def _option(option: dict[str, Any]) -> dict[str, str]:
    return {"value": option["value"], "text": _plain(option.get("text"))}


async def _search(
    console: FormConsole, label: str, element: dict[str, Any], read: Read, write: Write
) -> Answer | None:
    initial = element.get("initial_option")
    shown = f" [{_plain(initial.get('text'))}]" if initial else ""
    typed = await read(f"{label}: type to search{shown}: ")
    if typed is None:
        return None
    if not typed.strip():
        return _option(initial) if initial else ""
    answer = await console.suggest(element["action_id"], typed.strip())
    options = [o for g in answer.get("option_groups", []) for o in g["options"]]
    options += answer.get("options", [])
    if not options:
        write("  nothing matches")
        return await _search(console, label, element, read, write)
    return await _choose(label, options, read, write)
