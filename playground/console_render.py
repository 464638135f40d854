"""Drawing the app's replies in a terminal: what Slack would show, in plain text and ANSI."""

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# Slack's angle-bracket tokens: <@U…> and <@U…|label>, <#C…|name>, <!here>, <https://…|text>.
TOKEN = re.compile(r"<([@#!]?)([^<>|]+)(?:\|([^<>]*))?>")


class Style:
    """ANSI styling, switched off when stdout is not a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, code: str, text: str) -> str:
        """Wrap `text` in an ANSI style code."""
        return f"\033[{code}m{text}\033[0m" if self.enabled else text


@dataclass(frozen=True)
class Names:
    """Who and where the IDs in mentions are: people's names by user ID, channels' by ID."""

    people: dict[str, str] = field(default_factory=dict)
    channels: dict[str, str] = field(default_factory=dict)

    def token(self, match: re.Match[str]) -> str:
        """A Slack token as Slack shows it: `@Pat Lee`, `#support`, `@here`, a link's text."""
        sigil, target, label = match.group(1), match.group(2), match.group(3)
        if sigil == "@":
            return "@" + self.people.get(target, label or target)
        if sigil == "#":
            return "#" + self.channels.get(target, label or target)
        if sigil == "!":  # <!here>, or <!date^…|fallback> and <!subteam^S…|@team> as labelled
            return label or "@" + target
        return f"{label} ({target})" if label and label != target else target


NO_NAMES = Names()
PLAIN = Style(enabled=False)


def _mrkdwn_to_terminal(text: str, style: Style, names: Names = NO_NAMES) -> str:
    """What Slack would show: mentions and links as names, entities unescaped, *bold* and
    `code` styled."""
    text = TOKEN.sub(names.token, text)
    text = re.sub(r"(?<!\w)\*([^*\n]+)\*(?!\w)", lambda m: style("1", m.group(1)), text)
    text = re.sub(r"`([^`\n]+)`", lambda m: style("36", m.group(1)), text)
    return html.unescape(text)


def _text(obj: dict[str, Any] | None, style: Style, names: Names = NO_NAMES) -> str:
    if not obj:
        return ""
    if obj.get("type") == "mrkdwn":
        return _mrkdwn_to_terminal(obj.get("text", ""), style, names)
    return obj.get("text", "")


def plain_text(obj: dict[str, Any] | None) -> str:
    """A text object as Slack would show it, unstyled (mrkdwn's marks and tokens read)."""
    return _text(obj, PLAIN)


def render_reply(reply: dict[str, Any], style: Style, names: Names = NO_NAMES) -> str:
    """One reply as terminal text: blocks when there are some, the fallback text otherwise."""
    lines: list[str] = []
    blocks = reply.get("blocks") or []
    if not blocks:
        return _mrkdwn_to_terminal(reply.get("text", ""), style, names)
    for block in blocks:
        lines.extend(_render_block(block, style, names))
    return "\n".join(lines)


def _render_block(block: dict[str, Any], style: Style, names: Names) -> Iterable[str]:
    kind = block.get("type")
    if kind == "header":
        yield style("1;4", _text(block.get("text"), style))
    elif kind == "section":
        if block.get("text"):
            accessory = block.get("accessory", {}).get("text")
            yield _text(block["text"], style, names) + (
                f"  [ {_text(accessory, style)} ]" if accessory else ""
            )
        for field_ in block.get("fields", []):
            label, _, value = _text(field_, style, names).partition("\n")
            yield f"  {label}: {value.replace(chr(10), ' / ')}" if value else f"  {label}"
    elif kind == "context":
        yield style("2", "  ".join(_text(e, style, names) for e in block.get("elements", [])))
    elif kind == "divider":
        yield style("2", "─" * 40)
    elif kind == "actions":
        elements = block.get("elements", [])
        yield "Buttons: " + "  ".join(_element(e, style) for e in elements)
        for element in elements:
            if element.get("type") == "static_select" and element.get("options"):
                options = " · ".join(_text(o.get("text"), style) for o in element["options"])
                yield style("2", f"  choose one: {options}")


def _element(element: dict[str, Any], style: Style) -> str:
    """A button as `[ Label ]`, a select as `[ Current ▾ ]`."""
    if element.get("type", "").endswith("_select"):
        chosen = element.get("initial_option", {}).get("text") or element.get("placeholder")
        return f"[ {_text(chosen, style)} ▾ ]"
    return f"[ {_text(element.get('text'), style)} ]"
