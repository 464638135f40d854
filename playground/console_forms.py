"""Modals in the console: a form prints its fields, asks for each value (selects list their
options, typeahead searches what you type), and submits through the real app."""

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from playground.console_render import plain_text

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
            lines.extend(plain_text(t) for t in texts if t and plain_text(t))
    return lines


def view_text(view: dict[str, Any]) -> str:
    """A non-form view (an outcome) as lines of text."""
    return "\n".join([f"[ {_plain(view.get('title'))} ]", *_said(view)])


async def fill_form(
    console: FormConsole, views: dict[str, dict[str, Any]], view_id: str, read: Read, write: Write
) -> None:
    """Ask for each field of the open form, submit it, show the outcome; on errors, ask again
    with what was typed as each field's answer (Enter keeps it), as Slack keeps a form's values."""
    values: dict[str, Answer] = {}
    while True:
        view = views[view_id]
        if not view.get("submit"):
            write(view_text(view))
            return
        enter = "keeps what you typed" if values else "leaves an optional field empty"
        write(f"{_plain(view.get('title'))} — Enter {enter}; Ctrl-D cancels.")
        for line in _said(view):  # what the page shows around the fields (a customer not found)
            write(f"  {line}")
        for block in (b for b in view.get("blocks", []) if b.get("type") == "input"):
            value = await _ask(console, block, read, write, values.get(block["block_id"]))
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
    console: FormConsole, block: dict[str, Any], read: Read, write: Write, before: Answer | None
) -> Answer | None:
    """One field's answer (None: cancelled); Enter keeps `before`, what was typed last time,
    else the form's own initial value."""
    element = block["element"]
    kind = element["type"]
    label = _plain(block.get("label")) + ("" if not block.get("optional") else " (optional)")
    if kind in ("static_select", "external_select"):
        chosen = element.get("initial_option")
        kept = before or (_option(chosen) if chosen else None)
        if kind == "static_select":
            return await _choose(label, element.get("options", []), read, write, kept)
        return await _search(console, label, element, read, write, kept)
    hint = {"datepicker": " [YYYY-MM-DD]", "timepicker": " [HH:MM]"}.get(kind, "")
    initial = before if isinstance(before, str) else element.get("initial_value") or ""
    answer = await read(f"{label}{hint}{_shown(initial)}: ")
    return None if answer is None else (answer.strip() or initial)


async def _choose(
    label: str,
    options: list[dict[str, Any]],
    read: Read,
    write: Write,
    before: Answer | None = None,
) -> Answer | None:
    for n, option in enumerate(options, start=1):
        write(f"  {n}. {_plain(option.get('text'))}")
    answer = await read(f"{label} (number or name){_shown(before)}: ")
    if answer is None:
        return None
    answer = answer.strip()
    if not answer and before:
        return before
    if answer.isdigit() and 1 <= int(answer) <= len(options):
        return _option(options[int(answer) - 1])
    named = [o for o in options if _plain(o.get("text")).lower() == answer.lower()]
    return _option(named[0]) if named else answer


def _option(option: dict[str, Any]) -> dict[str, str]:
    return {"value": option["value"], "text": _plain(option.get("text"))}


async def _search(
    console: FormConsole,
    label: str,
    element: dict[str, Any],
    read: Read,
    write: Write,
    before: Answer | None,
) -> Answer | None:
    typed = await read(f"{label}: type to search{_shown(before)}: ")
    if typed is None:
        return None
    if not typed.strip():
        return before or ""
    answer = await console.suggest(element["action_id"], typed.strip())
    options = [o for g in answer.get("option_groups", []) for o in g["options"]]
    options += answer.get("options", [])
    if not options:
        write("  nothing matches")
        return await _search(console, label, element, read, write, before)
    return await _choose(label, options, read, write)


def _shown(answer: Answer | None) -> str:
    """The ` [answer]` a prompt offers to keep with Enter (nothing when there is none)."""
    text = answer.get("text", "") if isinstance(answer, dict) else (answer or "")
    return f" [{text[:40]}{'…' if len(text) > 40 else ''}]" if text else ""
