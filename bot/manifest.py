"""Deskhand's Slack app manifest as a typed model, and its HTTP-mode variant.

The models follow Slack's published manifest schema (slackapi/manifest-schema, version 1) for the
sections Deskhand uses: the same key names, required keys, length limits, the slash-command
pattern, at most 50 commands and 10 shortcuts. Unknown keys are refused (`extra="forbid"`), as
Slack refuses them, so a manifest that loads here installs there.
"""

from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

MANIFEST_PATH = Path(__file__).resolve().parents[1] / "manifest.yml"
EVENTS_PATH = "/slack/events"

Url = Annotated[str, StringConstraints(pattern=r"^https?://", max_length=3500)]
Scope = Annotated[str, StringConstraints(max_length=50)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Metadata(_Strict):
    """`_metadata`: which manifest schema the file follows."""

    major_version: int | None = None
    minor_version: int | None = None


class DisplayInformation(_Strict):
    """How the app appears in Slack."""

    name: str = Field(min_length=1, max_length=35)
    description: str | None = Field(None, min_length=1, max_length=140)
    background_color: str | None = Field(
        None, min_length=4, max_length=7, pattern=r"^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$"
    )
    long_description: str | None = Field(None, min_length=175, max_length=4000)


class BotUser(_Strict):
    """The bot user's name and presence."""

    display_name: str = Field(min_length=1, max_length=80)
    always_online: bool | None = None


class AppHome(_Strict):
    """Which App Home tabs are shown."""

    home_tab_enabled: bool | None = None
    messages_tab_enabled: bool | None = None
    messages_tab_read_only_enabled: bool | None = None


class SlashCommand(_Strict):
    """One slash command; `url` only in HTTP mode."""

    command: str = Field(min_length=2, max_length=32, pattern=r"^/")
    description: str = Field(min_length=1, max_length=2000)
    url: Annotated[str, StringConstraints(pattern=r"^https?://", max_length=3000)] | None = None
    usage_hint: str | None = Field(None, min_length=1, max_length=1000)
    should_escape: bool | None = None


class Shortcut(_Strict):
    """A global or message shortcut."""

    name: str = Field(min_length=1, max_length=24)
    type: Literal["message", "global"]
    callback_id: str = Field(min_length=1, max_length=255)
    description: str = Field(min_length=1, max_length=150)


class Features(_Strict):
    """The app's bot user, App Home, commands and shortcuts."""

    app_home: AppHome | None = None
    bot_user: BotUser | None = None
    slash_commands: list[SlashCommand] = Field(default_factory=list, max_length=50)
    shortcuts: list[Shortcut] = Field(default_factory=list, max_length=10)
    unfurl_domains: list[str] = Field(default_factory=list, max_length=5)


class Scopes(_Strict):
    """OAuth scopes the app asks for."""

    bot: list[Scope] = Field(default_factory=list, max_length=255)
    user: list[Scope] = Field(default_factory=list, max_length=255)


class OAuthConfig(_Strict):
    """Scopes and redirect URLs."""

    scopes: Scopes | None = None
    redirect_urls: list[Annotated[str, StringConstraints(max_length=2500)]] | None = None


class EventSubscriptions(_Strict):
    """Events API subscriptions; `request_url` only in HTTP mode."""

    request_url: Url | None = None
    bot_events: list[Scope] = Field(default_factory=list, max_length=100)
    user_events: list[Scope] = Field(default_factory=list, max_length=100)


class Interactivity(_Strict):
    """Buttons, modals and shortcuts; URLs only in HTTP mode."""

    is_enabled: bool
    request_url: Url | None = None
    message_menu_options_url: Url | None = None


class AppSettings(_Strict):
    """Transport and delivery settings; custom steps need `org_deploy_enabled` and a
    `function_runtime` of `remote` (the app runs them itself)."""

    event_subscriptions: EventSubscriptions | None = None
    interactivity: Interactivity | None = None
    org_deploy_enabled: bool | None = None
    socket_mode_enabled: bool | None = None
    token_rotation_enabled: bool | None = None
    function_runtime: Literal["remote", "slack"] | None = None


ParameterType = Literal[
    "integer",
    "number",
    "boolean",
    "string",
    "object",
    "array",
    "slack#/types/user_id",
    "slack#/types/channel_id",
    "slack#/types/usergroup_id",
    "slack#/types/timestamp",
    "slack#/types/date",
    "slack#/types/interactivity",
    "slack#/types/rich_text",
    "slack#/types/message_ts",
]


class Parameter(_Strict):
    """One typed input or output of a custom step."""

    type: ParameterType
    title: str | None = None
    description: str | None = None
    is_required: bool | None = None
    hint: str | None = None


class Function(_Strict):
    """A custom step (Workflow Builder) the app runs, by its callback id in `functions`."""

    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    # By name (schema version 1's shape, the one manifest.yml declares).
    input_parameters: dict[str, Parameter] = Field(max_length=50)
    output_parameters: dict[str, Parameter] = Field(max_length=50)


class Manifest(_Strict):
    """A Slack app manifest (the sections Deskhand uses)."""

    metadata: Metadata | None = Field(None, alias="_metadata")
    display_information: DisplayInformation
    features: Features | None = None
    oauth_config: OAuthConfig | None = None
    settings: AppSettings | None = None
    functions: dict[str, Function] | None = Field(None, max_length=50)

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def load_manifest(path: Path = MANIFEST_PATH) -> Manifest:
    """The manifest in `path` (manifest.yml by default), validated."""
    return Manifest.model_validate(yaml.safe_load(path.read_text()))


def base_url_problem(base_url: str) -> str | None:
    """Why `base_url` cannot be the HTTP-mode base (one line), or None when it can: Slack sends
    only to https, and /slack/events is appended, so a query or fragment would swallow it."""
    shown, example = repr(base_url), "e.g. https://desk.example.com"
    try:
        parts = urlsplit(base_url)
        _ = parts.port  # raises ValueError on a port that is not a number
    except ValueError:
        return f"--url is not a URL (got {shown}); use one like https://desk.example.com"
    if not base_url.startswith("https://"):
        return f"--url must start with https:// (got {shown}): Slack sends only to HTTPS"
    if "@" in parts.netloc:  # not echoed: it may hold a password
        return f"--url must not carry a user name or password, {example}"
    if not parts.hostname or any(c.isspace() for c in base_url):
        return f"--url needs a host and no spaces (got {shown}), {example}"
    if "?" in base_url or "#" in base_url:
        return f"--url must have no query or fragment (got {shown}): {EVENTS_PATH} goes after it"
    if parts.path.rstrip("/").endswith(EVENTS_PATH):
        return f"--url is the base without {EVENTS_PATH} (got {shown}), {example}"
    return None


def http_mode(manifest: Manifest, base_url: str) -> Manifest:
    """The same app for HTTP mode: every request URL filled in, Socket Mode off."""
    url = base_url.rstrip("/") + EVENTS_PATH
    data = manifest.model_dump(by_alias=True, exclude_none=True)
    features = data.setdefault("features", {})
    for command in features.get("slash_commands", []):
        command["url"] = url
    settings = data.setdefault("settings", {})
    settings["socket_mode_enabled"] = False
    interactivity = settings.setdefault("interactivity", {"is_enabled": True})
    if interactivity.get("is_enabled"):
        interactivity["request_url"] = url
        interactivity["message_menu_options_url"] = url
    events = settings.get("event_subscriptions")
    if events and (events.get("bot_events") or events.get("user_events")):
        events["request_url"] = url
    return Manifest.model_validate(data)


def with_unfurl_domains(manifest: Manifest, domains: list[str]) -> Manifest:
    """The same app unfurling links on `domains` (the configured web pages' hosts; at most
    five, as Slack allows); none leaves the manifest as it is."""
    if not domains or manifest.features is None:
        return manifest
    features = manifest.features.model_copy(update={"unfurl_domains": domains})
    return Manifest.model_validate(
        manifest.model_copy(update={"features": features}).model_dump(
            by_alias=True, exclude_none=True
        )
    )


def with_workflow_steps(manifest: Manifest, functions: dict[str, object], event: str) -> Manifest:
    """The same app offering `functions` as Workflow Builder steps: org-ready (Slack requires
    it for custom steps), run by the app itself, and subscribed to `event` (function_executed)."""
    data = manifest.model_dump(by_alias=True, exclude_none=True)
    data["functions"] = functions
    settings = data.setdefault("settings", {})
    settings["org_deploy_enabled"] = True
    settings["function_runtime"] = "remote"
    events = settings.setdefault("event_subscriptions", {})
    events["bot_events"] = [*events.get("bot_events", []), event]
    return Manifest.model_validate(data)


def render_manifest(manifest: Manifest) -> str:
    """The manifest as YAML, keys in the order Slack's own examples use."""
    data = manifest.model_dump(by_alias=True, exclude_none=True, exclude_defaults=False)
    return yaml.safe_dump(_drop_empty(data), sort_keys=False, allow_unicode=True, width=100)


def _drop_empty(value: object) -> object:
    """Leave out empty lists and objects the model fills by default (Slack rejects some)."""
    if isinstance(value, dict):
        return {k: _drop_empty(v) for k, v in value.items() if v not in ([], {})}
    return value
