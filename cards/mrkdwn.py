"""Making text safe and short for Slack's mrkdwn."""

ELLIPSIS = "…"


def escape_mrkdwn(text: str) -> str:
    """Escape `&`, `<`, `>` so user or backend text cannot form links, mentions or `<!channel>`."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, ending with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS
