"""What every card shares: Slack's limits, escaping and cutting, fields, dates, buttons."""

import functools
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.basic_objects import EMPTY_ALLOWED_TYPE_AND_PROPERTY_LIST, JsonObject
from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    Option,
    PlainTextObject,
    SectionBlock,
)

from api.refs import AnyRef
from cards import ids
from cards.mrkdwn import escape_mrkdwn, truncate
from cards.refs import NoteTarget, ref_value

HEADER_MAX = 150
SECTION_TEXT_MAX = 3000
FIELD_MAX = 2000
FIELDS_MAX = 10
BUTTON_TEXT_MAX = 75
FALLBACK_MAX = 3000
BLOCKS_MAX = 50
CONTEXT_ELEMENTS_MAX = 10

SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,20}")


class CardSettings(Protocol):
    """What a card needs from configuration (handlers' HandlerConfig has it)."""

    @property
    def timezone(self) -> str:
        """The business's time zone, in which times are shown."""
        ...

    @property
    def readydesk_web_url(self) -> str | None:
        """ReadyDesk's web address, for Open in ReadyDesk (None: no link)."""
        ...

    def instant(self) -> datetime:
        """This moment, by the app's clock (what "next" is counted from)."""
        ...


@dataclass
class Card:
    """A message's fallback text and blocks."""

    text: str
    blocks: list[Block] = field(default_factory=list)
    # For a ticket or job card: its record ("ticket:12") and the state it shows, so a card posted
    # in a channel can be kept up to date (live/registry.py).
    live: tuple[str, dict[str, str]] | None = None

    def message(self) -> dict[str, Any]:
        """`text` and `blocks` as respond() and chat.postMessage take them."""
        return {"text": self.text, "blocks": [block_dict(b) for b in self.blocks[:BLOCKS_MAX]]}


@dataclass(frozen=True)
class _Layout:
    """What slack-sdk works out again on every `to_dict()` call, once per class."""

    validators: tuple[str, ...]  # its validators' names, in the order slack-sdk runs them
    keys: tuple[str, ...]  # its attributes, sorted as slack-sdk writes them
    empty_allowed: frozenset[str]  # attributes written even when empty (rich text elements)
    own_to_dict: bool  # the class writes itself (Option, ConfirmObject …): ask it


_PLAIN = (JsonObject.to_dict, JsonObject.get_non_null_attributes, JsonObject.get_object_attribute)


@functools.cache
def _layout(cls: type[JsonObject], kind: str | None) -> _Layout:
    """A pure function of slack-sdk's classes, so one cache serves every app in the process:
    it holds nothing of any app's. slack-sdk's `attributes` read nothing of an object's."""
    allowed = {e["property"] for e in EMPTY_ALLOWED_TYPE_AND_PROPERTY_LIST if e["type"] == kind}
    return _Layout(
        validators=_validators_of(cls),
        keys=tuple(sorted(object.__new__(cls).attributes)),
        empty_allowed=frozenset(allowed),
        own_to_dict=(cls.to_dict, cls.get_non_null_attributes, cls.get_object_attribute) != _PLAIN,
    )


def _validators_of(cls: type) -> tuple[str, ...]:
    """The names of a class's validators, in the order `validate_json()` runs them: slack-sdk's
    @JsonValidator marks each one with a `validator` attribute."""
    names = (name for name in dir(cls) if not name.startswith("__"))
    return tuple(sorted(name for name in names if hasattr(getattr(cls, name, None), "validator")))


_AS_IS = frozenset({str, int, float, bool, type(None), dict})  # written as they are


def block_dict(value: Any) -> Any:
    """A Block Kit object as the dict its `to_dict()` gives, checked against Slack's limits by
    the same slack-sdk validators, without slack-sdk working the class out again on every call
    (a card has dozens of objects, and this runs for every card sent)."""
    cls = type(value)
    if cls in _AS_IS:  # by exact type, the most common case first: most values are text
        return value
    if cls is list or cls is tuple:
        return [v if type(v) in _AS_IS else block_dict(v) for v in value]
    if isinstance(value, list | tuple):
        return [block_dict(v) for v in value]
    if not isinstance(value, JsonObject):
        skip = isinstance(value, str | int | float | dict)
        to_dict = None if skip else getattr(value, "to_dict", None)
        return {k: block_dict(v) for k, v in to_dict().items()} if callable(to_dict) else value
    layout = _layout(cls, getattr(value, "type", None))
    if layout.own_to_dict:
        return {k: block_dict(v) for k, v in value.to_dict().items()}
    for name in layout.validators:
        getattr(value, name)()
    out = {}
    for key in layout.keys:
        item = getattr(value, key, None)
        if item is None:
            continue
        if type(item) in _AS_IS:
            if item or key in layout.empty_allowed or not hasattr(item, "__len__"):
                out[key] = item
            continue
        if not item and hasattr(item, "__len__") and key not in layout.empty_allowed:
            continue
        out[key] = block_dict(item)
    return out


def field_text(label: str, value: str) -> MarkdownTextObject:
    """A `*Label*` over an escaped value, cut to fit a section field."""
    body = truncate(escape_mrkdwn(value), FIELD_MAX - len(label) - 10)
    return MarkdownTextObject(text=f"*{label}*\n{body}")


def plain(text: str, limit: int = SECTION_TEXT_MAX) -> PlainTextObject:
    """Text Slack shows literally, cut to `limit`."""
    return PlainTextObject(text=truncate(text, limit) or " ")


def mrkdwn_section(text: str) -> SectionBlock:
    """A section of already-escaped mrkdwn, cut to Slack's 3000 characters."""
    return SectionBlock(text=MarkdownTextObject(text=truncate(text, SECTION_TEXT_MAX)))


def context(*parts: str) -> ContextBlock:
    """A grey context line of already-escaped mrkdwn parts (at most 10)."""
    elements = [MarkdownTextObject(text=truncate(p, SECTION_TEXT_MAX)) for p in parts if p]
    return ContextBlock(elements=elements[:CONTEXT_ELEMENTS_MAX] or [MarkdownTextObject(text=" ")])


def age(since: datetime | None, now: datetime) -> str:
    """How long ago, shortly: `12m`, `5h`, `3d`, `7w`; a dash when unknown."""
    if since is None:
        return "—"
    seconds = max(0, int((now - since).total_seconds()))
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return "now"


def button(
    text: str, action_id: str, ref: AnyRef | str, *, style: str | None = None
) -> ButtonElement:
    """A button whose value remembers `ref` (or is `ref_value(ref)` already written, for a card
    whose buttons all remember the same record)."""
    value = ref if isinstance(ref, str) else ref_value(ref)
    return ButtonElement(
        text=truncate(text, BUTTON_TEXT_MAX), action_id=action_id, value=value, style=style
    )


class MenuOption(Option):
    """A menu's option with plain text, as Slack shows every option on a card's menus.

    slack-sdk's `Option.to_dict` works out its own and its text's validators and attributes
    anew for every option of every card sent (0.15 of the 0.27 ms a ticket card's dict took,
    with five statuses); this one writes the same dict directly, within the same limits.
    """

    def __init__(self, text: str, value: str) -> None:
        super().__init__(text=truncate(text, Option.label_max_length), value=value)

    def to_dict(self, option_type: str = "block") -> dict[str, Any]:
        """As `Option.to_dict` writes a plain-text option (other kinds: as it does)."""
        if option_type != "block":
            return super().to_dict(option_type)
        if len(self.value) > self.value_max_length:
            raise SlackObjectFormationError(
                f"value attribute cannot exceed {self.value_max_length} characters"
            )
        text = {"emoji": True, "text": self.text, "type": "plain_text"}  # as PlainTextObject writes
        return {"text": text, "value": self.value}


def button_raw(text: str, action_id: str, value: str, *, style: str | None = None) -> ButtonElement:
    """A button with a value of its own (checked against Slack's 2000 characters)."""
    if len(value) > 2000:
        raise ValueError(f"{action_id} button value is over Slack's limit")
    return ButtonElement(
        text=truncate(text, BUTTON_TEXT_MAX), action_id=action_id, value=value, style=style
    )


def note_target(kind: str, number: int | str) -> str:
    """The value of an Add note button: where the note goes."""
    return NoteTarget(kind=kind, number=str(number)).model_dump_json(exclude_defaults=True)


def link_button(text: str, action_id: str, url: str) -> ButtonElement:
    """A button that opens `url` in the browser."""
    return ButtonElement(text=truncate(text, BUTTON_TEXT_MAX), action_id=action_id, url=url)


def share_button(ref: AnyRef | str) -> ButtonElement:
    """Share in channel: posts the same card publicly and removes the ephemeral copy."""
    return button("Share in channel", ids.SHARE_CARD, ref)


def paused_note(reason: str) -> str:
    """How a paused watch or digest says so in a list: ` — *paused* by hand`, ` — *paused*:
    Deskhand is not in the channel` (`reason` as stored; escaped here)."""
    if reason.startswith("paused "):
        return f" — *paused* {escape_mrkdwn(reason.removeprefix('paused '))}"
    return f" — *paused*: {escape_mrkdwn(reason)}" if reason else " — *paused*"


def shared_by(user_id: str) -> ContextBlock:
    """The line under a card someone shared."""
    mention = f"<@{user_id}>" if SLACK_USER_ID.fullmatch(user_id) else escape_mrkdwn(user_id)
    return context(f"Shared by {mention}")


TYPED_PIECE = 2900  # a plain-text section holds 3000 characters; leave room for nothing else


def typed_back(text: str, *, heading: str = "What you wrote:") -> list[Block]:
    """Every character a person typed, as plain-text sections (split to fit Slack's limits),
    so text that could not be written is never lost."""
    if not text.strip():
        return []
    pieces = [text[i : i + TYPED_PIECE] for i in range(0, len(text), TYPED_PIECE)]
    return [context(heading), *(SectionBlock(text=PlainTextObject(text=p)) for p in pieces)]


METADATA_MAX = 3000  # Slack's limit on a view's private_metadata


def fit_metadata(model: BaseModel, field_name: str, limit: int = METADATA_MAX) -> str:
    """`model` as private_metadata JSON, its text `field_name` shortened only as far as Slack's
    3000 characters (or `limit`: a button value's 2000) need (what the view shows keeps the
    whole text, so it can still be copied). A text ending in a link (the message a form was
    made from) is shortened before its link, which is kept."""
    text = getattr(model, field_name)
    head, newline, last = text.rpartition("\n")
    link = newline + last if head and last.startswith("https://") and " " not in last else ""
    text = text.removesuffix(link) if link else text
    while True:
        metadata = model.model_copy(update={field_name: text + link}).model_dump_json()
        if len(metadata) <= limit:
            return metadata
        text = text[: max(0, len(text) - (len(metadata) - limit) - 10)]
