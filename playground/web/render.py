"""Block Kit to HTML, as Slack draws it: messages, modals and the Home tab of the web sandbox.

Pure functions of what Deskhand sent (Block Kit dicts) and who is who (for mentions), through the
Jinja2 templates beside this module; autoescaping is on, and mrkdwn goes through mrkdwn.py.
"""

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from playground.web.mrkdwn import Names, mrkdwn_html, plain_html, unescape
from playground.web.threads import emoji
from sandbox.workspace import Message, Workspace

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class Surface:
    """Where blocks are drawn: names for mentions, a prefix that keeps element ids apart, and
    for a form what was typed (by block id) and the errors under its fields."""

    names: Names = field(default_factory=Names)
    prefix: str = "b"
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def _text(obj: dict[str, Any] | None, ctx: Surface) -> Markup:
    """A text object: mrkdwn rendered, plain text escaped."""
    if not obj:
        return Markup("")
    if obj.get("type") == "mrkdwn":
        return mrkdwn_html(str(obj.get("text", "")), ctx.names)
    return plain_html(str(obj.get("text", "")))


def _mrkdwn(text: str, ctx: Surface) -> Markup:
    return mrkdwn_html(text, ctx.names)


def _current(element: dict[str, Any], block_id: str, ctx: Surface, initial: str) -> str:
    """What an input shows: what was typed into it, else its initial value."""
    if block_id in ctx.values:
        return str(ctx.values[block_id] or "")
    return str(element.get(initial) or "")


def _selected_option(element: dict[str, Any], block_id: str, ctx: Surface) -> dict | None:
    """A select's chosen option: what was picked in the form, else its initial option."""
    if block_id in ctx.values:
        picked = ctx.values[block_id]
        if isinstance(picked, dict) and picked.get("value"):
            value = picked["value"]
            return {"text": {"text": picked.get("text") or value}, "value": value}
        if picked:
            named = _option_named(element, str(picked))
            return named or {"text": {"text": picked}, "value": picked}
        return None
    return element.get("initial_option")


def _option_named(element: dict[str, Any], value: str) -> dict | None:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options += group.get("options") or []
    return next((o for o in options if o.get("value") == value), None)


def _selected_value(element: dict[str, Any], block_id: str, ctx: Surface) -> str:
    chosen = _selected_option(element, block_id, ctx)
    return str(chosen.get("value", "")) if chosen else ""


def _confirm_text(confirm: dict[str, Any]) -> str:
    parts = [(confirm.get(k) or {}).get("text", "") for k in ("title", "text")]
    return unescape(" — ".join(p for p in parts if p))


def _rich_text(block: dict[str, Any]) -> Markup:
    """A rich_text block's words (sections, lists, quotes), without its styling."""
    out: list[str] = []

    def walk(element: dict[str, Any]) -> None:
        kind = element.get("type")
        if kind == "text":
            out.append(str(escape(element.get("text", ""))))
        elif kind == "link":
            out.append(str(escape(element.get("text") or element.get("url", ""))))
        elif kind in ("user", "channel"):
            out.append(f"@{escape(element.get('user_id') or element.get('channel_id', ''))}")
        for child in element.get("elements") or []:
            walk(child)

    walk(block)
    return Markup("".join(out))  # noqa: S704 - each piece was escaped above


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        text=_text,
        mrkdwn=_mrkdwn,
        current=_current,
        selected_option=_selected_option,
        selected_value=_selected_value,
        confirm_text=_confirm_text,
        rich_text=_rich_text,
    )
    return env


ENV = _environment()


def render_blocks(blocks: list[dict[str, Any]], ctx: Surface | None = None) -> Markup:
    """Blocks as HTML."""
    macro = ENV.get_template("blocks.html").module.blocks  # type: ignore[attr-defined]
    return Markup(macro(blocks, ctx or Surface()))  # noqa: S704 - the template escapes


ENV.globals["render_blocks"] = render_blocks


def render_modal(view: dict[str, Any], ctx: Surface) -> Markup:
    """A modal: a dialog named by its title, its blocks, its close and submit buttons."""
    return Markup(ENV.get_template("modal.html").render(view=view, ctx=ctx))  # noqa: S704


def render_home(view: dict[str, Any] | None, ctx: Surface) -> Markup:
    """The Home tab Deskhand published (or what Slack shows before it has one)."""
    return Markup(ENV.get_template("home.html").render(view=view, ctx=ctx))  # noqa: S704


def render_template(name: str, **values: Any) -> str:
    """A page or fragment template, with the renderers above at hand."""
    return ENV.get_template(name).render(**values)


@dataclass
class MessageView:
    """A message as the timeline template draws it."""

    ts: str
    channel: str
    author: str
    from_app: bool
    time: str
    iso: str
    ephemeral: bool
    body: Markup
    unfurls: list[Markup]
    replies: int  # how many replies its thread has
    reactions: list[tuple[str, str, int]]  # emoji, name, how many added it


def names_of(workspace: Workspace) -> Names:
    """Who and what the ids in messages stand for, in this workspace."""
    users, channels = workspace.names()
    return Names(users=users, channels=channels)


def message_view(workspace: Workspace, message: Message, names: Names) -> MessageView:
    """A message with its blocks (or its text, when it has none) drawn, its reactions, and how
    many replies its thread has."""
    ctx = Surface(names=names, prefix=f"m{message.ts.replace('.', '-')}")
    if message.blocks:
        body = render_blocks(message.blocks, ctx)
    else:
        body = Markup('<div class="bk-text">') + _mrkdwn(message.text, ctx) + Markup("</div>")
    when = message.at.astimezone() if message.at else datetime.fromtimestamp(float(message.ts))
    return MessageView(
        ts=message.ts,
        channel=message.channel,
        author=workspace.author(message),
        from_app=message.from_app,
        time=when.strftime("%H:%M"),
        iso=when.isoformat(timespec="seconds"),
        ephemeral=message.ephemeral,
        body=body,
        unfurls=[render_attachment(a, ctx) for a in message.unfurls.values()],
        replies=0 if message.thread_ts else len(workspace.replies(message)),
        reactions=[(emoji(n), n, count) for n, count in workspace.reactions_on(message)],
    )


def render_attachment(attachment: dict[str, Any], ctx: Surface) -> Markup:
    """An unfurl (or a legacy attachment): its blocks, else its title and text."""
    if attachment.get("blocks"):
        return render_blocks(attachment["blocks"], ctx)
    title = escape(attachment.get("title") or "")
    body = _mrkdwn(str(attachment.get("text") or ""), ctx)
    return Markup('<div class="bk-text"><b>') + title + Markup("</b>\n") + body + Markup("</div>")


def render_timeline(
    workspace: Workspace,
    channel: str,
    shortcuts: list[tuple[str, str]],
    offered: tuple[str, ...],
) -> Markup:
    """A channel's messages, each with a "More actions" menu of the message shortcuts and the
    `offered` reactions."""
    names = names_of(workspace)
    messages = [message_view(workspace, m, names) for m in workspace.timeline(channel)]
    html = ENV.get_template("timeline.html").render(
        messages=messages, shortcuts=shortcuts, offered=_offered(offered), in_thread=False
    )
    return Markup(html)  # noqa: S704 - the template escapes


def render_thread(
    workspace: Workspace,
    channel: str,
    thread_ts: str,
    shortcuts: list[tuple[str, str]],
    offered: tuple[str, ...],
) -> Markup:
    """A thread pane's messages: the parent, then its replies (ephemeral ones too)."""
    parent = workspace.messages.get((channel, thread_ts))
    if parent is None or parent.thread_ts:
        return Markup('<p class="empty">This thread is no longer there.</p>')
    names = names_of(workspace)
    messages = [message_view(workspace, m, names) for m in (parent, *workspace.replies(parent))]
    html = ENV.get_template("timeline.html").render(
        messages=messages, shortcuts=shortcuts, offered=_offered(offered), in_thread=True
    )
    return Markup(html)  # noqa: S704 - the template escapes


def _offered(names: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(emoji(n), n) for n in names]
