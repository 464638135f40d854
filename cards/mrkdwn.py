"""Making text safe and short for Slack's mrkdwn, and Slack's message text readable elsewhere."""

import re

ELLIPSIS = "…"
# Slack's entities in message text: <@U1|pat>, <#C1|ops>, <!here>, <https://x|label>, <https://x>
_ENTITY = re.compile(r"<([@#!])?([^>|]*)(?:\|([^>]*))?>")


def escape_mrkdwn(text: str) -> str:
    """Escape `&`, `<`, `>` so user or backend text cannot form links, mentions or `<!channel>`."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def as_read(text: str) -> str:
    """A Slack message's text as people read it, for a note in ReadyDesk or Kickserv: `@pat`,
    `#ops`, `@here`, `the KB article (https://…)`, and `&`, `<`, `>` as themselves."""

    def readable(entity: re.Match[str]) -> str:
        sigil, target, label = entity.group(1) or "", entity.group(2), entity.group(3)
        if sigil in ("@", "#"):
            return f"{sigil}{label or target}"
        if sigil == "!":  # <!here>, <!channel>; <!subteam^S1|@team>, <!date^…|fallback>
            return label or f"@{target}"
        shown = label or target.removeprefix("mailto:")
        return shown if shown in (target, target.removeprefix("mailto:")) else f"{shown} ({target})"

    readable_text = _ENTITY.sub(readable, text)
    return readable_text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def truncate(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, ending with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS
