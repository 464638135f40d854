"""Slack's mrkdwn as Slack shows it, in HTML.

What Slack draws: `*bold*`, `_italic_`, `~strike~`, `` `code` ``, fenced blocks, `>` quotes,
`<url|label>` links, `<@U…>` people and `<#C…>` channels by name, `<!here>` and the like, and
the entities `&amp;`, `&lt;`, `&gt;` as the characters they stand for. Everything is escaped
for HTML, so no text from a user or a backend can become markup in the page.
"""

import re
from dataclasses import dataclass, field

from markupsafe import Markup, escape

FENCE = re.compile(r"```(.*?)```", re.S)
TOKEN = re.compile(r"<([^<>\n]+)>")
CODE = re.compile(r"`([^`\n]+)`")
ENTITY = re.compile(r"&(amp|lt|gt);")
QUOTE = re.compile(r"^(?:>|&gt;) ?")
SAFE_SCHEMES = ("http://", "https://", "mailto:")
SPECIAL = {"here": "@here", "channel": "@channel", "everyone": "@everyone"}
# Slack's emphasis: the marks sit against the words they wrap, not inside other words.
STYLES = (
    (re.compile(r"(?<![\w*])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![\w*])"), "b"),
    (re.compile(r"(?<![\w_])_(?!\s)([^_\n]+?)(?<!\s)_(?![\w_])"), "i"),
    (re.compile(r"(?<![\w~])~(?!\s)([^~\n]+?)(?<!\s)~(?![\w~])"), "s"),
)


@dataclass(frozen=True)
class Names:
    """Who and what the ids in a message stand for: people and channels by id."""

    users: dict[str, str] = field(default_factory=dict)
    channels: dict[str, str] = field(default_factory=dict)


def unescape(text: str) -> str:
    """Slack's three entities back to the characters they stand for."""
    return ENTITY.sub(lambda m: {"amp": "&", "lt": "<", "gt": ">"}[m.group(1)], text)


def plain_html(text: str) -> Markup:
    """A plain_text object's text: shown as it is, escaped for HTML."""
    return escape(text)


def mrkdwn_html(text: str, names: Names) -> Markup:
    """A mrkdwn text as the HTML Slack's rendering of it would be."""
    out: list[str] = []
    last = 0
    for fence in FENCE.finditer(text):
        out.append(_lines(text[last : fence.start()], names))
        code = escape(unescape(fence.group(1).strip("\n")))
        out.append(f'<pre class="mrkdwn-pre">{code}</pre>')
        last = fence.end()
    out.append(_lines(text[last:], names))
    return Markup("".join(out))  # noqa: S704 - every piece above was escaped or built here


def _lines(text: str, names: Names) -> str:
    """Runs of quoted lines become blockquotes; the other lines stay as they are."""
    if not text:
        return ""
    out: list[str] = []
    run: list[str] = []
    quoted = False
    for line in text.split("\n"):
        is_quote = bool(QUOTE.match(line))
        if run and is_quote != quoted:
            out.append(_run(run, quoted, names))
            run = []
        quoted = is_quote
        run.append(QUOTE.sub("", line, count=1) if is_quote else line)
    out.append(_run(run, quoted, names))
    return "".join(out)


def _run(lines: list[str], quoted: bool, names: Names) -> str:
    html = _inline("\n".join(lines), names)
    return f"<blockquote>{html}</blockquote>" if quoted else html


def _inline(text: str, names: Names) -> str:
    """Links, mentions and code kept aside; the rest escaped, then emphasis applied."""
    kept: list[str] = []

    def keep(html: str) -> str:
        kept.append(html)
        return f"\x00{len(kept) - 1}\x00"

    text = CODE.sub(lambda m: keep(f"<code>{escape(unescape(m.group(1)))}</code>"), text)
    text = TOKEN.sub(lambda m: keep(_token(m.group(1), names)), text)
    html = str(escape(unescape(text)))
    for pattern, tag in STYLES:
        html = pattern.sub(lambda m, tag=tag: f"<{tag}>{m.group(1)}</{tag}>", html)
    return re.sub("\x00(\\d+)\x00", lambda m: kept[int(m.group(1))], html)


def _token(token: str, names: Names) -> str:
    """One `<…>`: a person, a channel, a special mention, a date or a link."""
    target, _, label = token.partition("|")
    if target.startswith("@"):
        name = names.users.get(target[1:]) or label.lstrip("@") or target[1:]
        return f'<span class="mention">@{escape(unescape(name))}</span>'
    if target.startswith("#"):
        name = names.channels.get(target[1:]) or label or target[1:]
        return f'<span class="mention channel">#{escape(unescape(name))}</span>'
    if target.startswith("!"):
        word = target[1:].split("^")[0]
        shown = SPECIAL.get(word) or label or f"@{word}"
        if word == "date":
            return str(escape(unescape(label)))
        return f'<span class="mention">{escape(unescape(shown))}</span>'
    url = unescape(target)
    if url.lower().startswith(SAFE_SCHEMES):
        shown = unescape(label) if label else url.removeprefix("mailto:")
        return (
            f'<a href="{escape(url)}" target="_blank" rel="noopener noreferrer">{escape(shown)}</a>'
        )
    return str(escape(unescape(f"<{token}>")))
