"""Drawing the app's replies in a terminal: what Slack would show, in plain text and ANSI."""

import html
import re
from collections.abc import Iterable
from typing import Any


class Style:
    """ANSI styling, switched off when stdout is not a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, code: str, text: str) -> str:
        """Wrap `text` in an ANSI style code."""
        return f"\033[{code}m{text}\033[0m" if self.enabled else text


def _mrkdwn_to_terminal(text: str, style: Style) -> str:
    """What Slack would show: entities unescaped, *bold* and `code` styled."""
    text = re.sub(r"(?<!\w)\*([^*\n]+)\*(?!\w)", lambda m: style("1", m.group(1)), text)
    text = re.sub(r"`([^`\n]+)`", lambda m: style("36", m.group(1)), text)
    return html.unescape(text)


def _text(obj: dict[str, Any] | None, style: Style) -> str:
    if not obj:
        return ""
    if obj.get("type") == "mrkdwn":
        return _mrkdwn_to_terminal(obj.get("text", ""), style)
    return obj.get("text", "")


def render_reply(reply: dict[str, Any], style: Style) -> str:
    """One reply as terminal text: blocks when there are some, the fallback text otherwise."""
    lines: list[str] = []
    blocks = reply.get("blocks") or []
    if not blocks:
        return _mrkdwn_to_terminal(reply.get("text", ""), style)
    for block in blocks:
        lines.extend(_render_block(block, style))
    return "\n".join(lines)


def _render_block(block: dict[str, Any], style: Style) -> Iterable[str]:
    kind = block.get("type")
    if kind == "header":
        yield style("1;4", _text(block.get("text"), style))
    elif kind == "section":
        if block.get("text"):
            accessory = block.get("accessory", {}).get("text")
            yield _text(block["text"], style) + (
                f"  [ {_text(accessory, style)} ]" if accessory else ""
            )
        for field in block.get("fields", []):
            label, _, value = _text(field, style).partition("\n")
            yield f"  {label}: {value.replace(chr(10), ' / ')}" if value else f"  {label}"
    elif kind == "context":
        yield style("2", "  ".join(_text(e, style) for e in block.get("elements", [])))
    elif kind == "divider":
        yield style("2", "─" * 40)
    elif kind == "actions":
        yield "Buttons: " + "  ".join(_element(e, style) for e in block.get("elements", []))


def _element(element: dict[str, Any], style: Style) -> str:
    """A button as `[ Label ]`, a select as `[ Current ▾ ]`."""
    if element.get("type", "").endswith("_select"):
        chosen = element.get("initial_option", {}).get("text") or element.get("placeholder")
        return f"[ {_text(chosen, style)} ▾ ]"
    return f"[ {_text(element.get('text'), style)} ]"
