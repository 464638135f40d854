"""Making text safe and short for Slack's mrkdwn, and Slack's message text readable elsewhere."""

import re
from collections.abc import Mapping

ELLIPSIS = "…"
# Slack's entities in message text: <@U1|pat>, <#C1|ops>, <!here>, <https://x|label>, <https://x>
_ENTITY = re.compile(r"<([@#!])?([^>|]*)(?:\|([^>]*))?>")


def escape_mrkdwn(text: str) -> str:
    """Escape `&`, `<`, `>` so user or backend text cannot form links, mentions or `<!channel>`."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def as_read(text: str, names: Mapping[str, str] | None = None) -> str:
    """A Slack message's text as people read it, for a note in ReadyDesk or Kickserv: `@Pat Lee`
    (`names`: user ID -> name, for mentions Slack sends as an ID alone), `#ops`, `@here`,
    `the KB article (https://…)`, and `&`, `<`, `>` as themselves."""

    def readable(entity: re.Match[str]) -> str:
        sigil, target, label = entity.group(1) or "", entity.group(2), entity.group(3)
        if sigil == "@":
            return f"@{label or (names or {}).get(target, target)}"
        if sigil == "#":
            return f"#{label or target}"
        if sigil == "!" and target in ("here", "channel", "everyone"):
            return f"@{target}"
        if sigil == "!":  # <!subteam^S1|@team>, <!date^…|fallback>
            return label or ("@group" if target.startswith("subteam") else target)
        plain = target.removeprefix("mailto:")
        same = label in ("", plain, target, plain.split("://", 1)[-1])  # an autolinked address
        return (label or plain) if same else f"{label} ({target})"

    readable_text = _ENTITY.sub(readable, text)
    return readable_text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def truncate(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, ending with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS
