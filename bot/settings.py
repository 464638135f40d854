"""Deskhand's configuration: one settings class read from the environment and an optional .env."""

import difflib
import re
from typing import Any, Literal
from zoneinfo import ZoneInfo, available_timezones

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from api.readydesk.wire import WireNames

DEFAULT_KICKSERV_WEB_URL = "https://app.kickserv.com/{account}"


def _env(name: str) -> AliasChoices:
    """Read a field from exactly this environment variable name."""
    return AliasChoices(name)


_USER_ID = re.compile(r"[UW][A-Z0-9]+")
_WRITER_ID = re.compile(r"[UWS][A-Z0-9]+")  # a person, or a user group (S…)


def _only_ids(value: str, pattern: re.Pattern[str], what: str) -> str:
    """`value` when every entry is such an ID; else ValueError naming a few that are not (a
    person's ID: their profile, ⋯, Copy member ID)."""
    odd = sorted(v for v in _ids(value) if not pattern.fullmatch(v))
    if odd:
        raise ValueError(
            f"takes {what} (from a profile: ⋯, Copy member ID), not {', '.join(odd[:3])}"
        )
    return value


def _ids(value: str) -> frozenset[str]:
    return frozenset(v for v in value.replace(",", " ").split() if v)


class Settings(BaseSettings):
    """Everything Deskhand reads from its environment; secrets are SecretStr so they never print."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """pydantic-settings' sources in its order, less a .env that holds no variable (none
        there, or `_env_file=None`): it adds nothing, and asking it field by field cost as much
        as reading the environment."""
        if isinstance(dotenv_settings, DotEnvSettingsSource) and not dotenv_settings.env_vars:
            return init_settings, env_settings, file_secret_settings
        return init_settings, env_settings, dotenv_settings, file_secret_settings

    slack_bot_token: SecretStr | None = Field(None, validation_alias=_env("SLACK_BOT_TOKEN"))
    slack_app_token: SecretStr | None = Field(None, validation_alias=_env("SLACK_APP_TOKEN"))
    slack_signing_secret: SecretStr | None = Field(
        None, validation_alias=_env("SLACK_SIGNING_SECRET")
    )
    slack_api_url: str = Field("https://slack.com/api/", validation_alias=_env("SLACK_API_URL"))

    readydesk_url: str | None = Field(None, validation_alias=_env("READYDESK_URL"))
    readydesk_key: SecretStr | None = Field(None, validation_alias=_env("READYDESK_KEY"))
    readydesk_format_param: str | None = Field(
        None, validation_alias=_env("READYDESK_FORMAT_PARAM")
    )
    readydesk_format_value: str | None = Field(
        None, validation_alias=_env("READYDESK_FORMAT_VALUE")
    )
    # ReadyDesk names the readable API pages do not give (see api/readydesk/wire.py: WireNames).
    readydesk_history_action: str = Field(
        "add_history", validation_alias=_env("READYDESK_HISTORY_ACTION")
    )
    readydesk_history_note_variable: str = Field(
        "note", validation_alias=_env("READYDESK_HISTORY_NOTE_VARIABLE")
    )
    readydesk_update_ticket_variable: str = Field(
        "tid", validation_alias=_env("READYDESK_UPDATE_TICKET_VARIABLE")
    )
    readydesk_ticket_body_variable: str = Field(
        "description", validation_alias=_env("READYDESK_TICKET_BODY_VARIABLE")
    )
    readydesk_ticket_priority_variable: str = Field(
        "priority", validation_alias=_env("READYDESK_TICKET_PRIORITY_VARIABLE")
    )
    readydesk_max_url_length: int = Field(
        2000, validation_alias=_env("READYDESK_MAX_URL_LENGTH"), ge=200
    )
    # ReadyDesk has no action listing priorities; these are its defaults.
    readydesk_priorities: str = Field(
        "Low,Normal,High,Urgent", validation_alias=_env("READYDESK_PRIORITIES")
    )
    readydesk_web_url: str | None = Field(
        None, validation_alias=_env("READYDESK_WEB_URL"), pattern=r"^https?://.*\{tid\}"
    )

    kickserv_url: str = Field("https://app.kickserv.com", validation_alias=_env("KICKSERV_URL"))
    kickserv_account: str | None = Field(None, validation_alias=_env("KICKSERV_ACCOUNT"))
    kickserv_api_key: SecretStr | None = Field(None, validation_alias=_env("KICKSERV_API_KEY"))
    # The Kickserv web app's pages for an account (`/jobs/<n>`, `/customers/<n>` below it).
    kickserv_web_url: str = Field(
        DEFAULT_KICKSERV_WEB_URL, validation_alias=_env("KICKSERV_WEB_URL"), pattern=r"^https?://"
    )
    unfurl_channels: str = Field("", validation_alias=_env("DESKHAND_UNFURL_CHANNELS"))
    # The reaction on a thread reply once it is a note (an emoji name, without colons).
    reaction_synced: str = Field(
        "inbox_tray", validation_alias=_env("DESKHAND_REACTION_SYNCED"), pattern=r"^[a-z0-9_+'-]+$"
    )
    # The emoji (names, with or without colons) whose reaction acts; empty turns one off.
    reaction_ticket: str = Field("ticket", validation_alias=_env("DESKHAND_REACTION_TICKET"))
    reaction_assign: str = Field("eyes", validation_alias=_env("DESKHAND_REACTION_ASSIGN"))
    reaction_close: str = Field(
        "white_check_mark", validation_alias=_env("DESKHAND_REACTION_CLOSE")
    )

    # The web sandbox's page (`deskhand run` without Slack tokens) listens here, on loopback.
    sandbox_port: int = Field(3000, validation_alias=_env("DESKHAND_SANDBOX_PORT"), ge=0, le=65535)

    database_url: str = Field(
        "sqlite:///deskhand.db", validation_alias=_env("DESKHAND_DATABASE_URL")
    )
    timezone: str = Field("UTC", validation_alias=_env("DESKHAND_TIMEZONE"))
    admins: str = Field("", validation_alias=_env("DESKHAND_ADMINS"))
    writers: str = Field("", validation_alias=_env("DESKHAND_WRITERS"))
    write_channels: str = Field("", validation_alias=_env("DESKHAND_WRITE_CHANNELS"))
    # Where a job's On my way / Started / Done is said in one line; unset: nowhere.
    dispatch_channel: str = Field("", validation_alias=_env("DESKHAND_DISPATCH_CHANNEL"))
    # A technician's job-change DM goes this many seconds after the last change of a burst.
    change_quiet: float = Field(60.0, validation_alias=_env("DESKHAND_CHANGE_QUIET"), ge=0)
    directory_refresh: float = Field(
        900.0, validation_alias=_env("DESKHAND_DIRECTORY_REFRESH"), ge=10
    )
    alert_interval: float = Field(60.0, validation_alias=_env("DESKHAND_ALERT_INTERVAL"), ge=5)
    # Off: digests and watches come from `deskhand digest run-due` / `deskhand alerts poll`
    # (cron, a Kubernetes CronJob); the process still sweeps unfinished writes.
    digests_in_process: bool = Field(True, validation_alias=_env("DESKHAND_DIGESTS_IN_PROCESS"))
    alert_burst: int = Field(5, validation_alias=_env("DESKHAND_ALERT_BURST"), ge=1)
    live_card_days: float = Field(7.0, validation_alias=_env("DESKHAND_LIVE_CARD_DAYS"), ge=0)
    # A ticket opened this many days after its business's Kickserv visit was completed is a
    # possible callback (api/callbacks.py).
    callback_days: int = Field(30, validation_alias=_env("DESKHAND_CALLBACK_DAYS"), ge=1, le=365)
    digest_grace: float = Field(3600.0, validation_alias=_env("DESKHAND_DIGEST_GRACE"), ge=0)
    read_deadline: float = Field(8.0, validation_alias=_env("DESKHAND_READ_DEADLINE"), gt=0)
    # Seconds before a backend read's first retry after a transient fault; doubles each time.
    retry_delay: float = Field(0.5, validation_alias=_env("DESKHAND_RETRY_DELAY"), ge=0, le=8)
    # Seconds between two posts to one Slack channel (Slack takes about one a second).
    slack_post_gap: float = Field(1.0, validation_alias=_env("DESKHAND_SLACK_POST_GAP"), ge=0)
    looking_up_after: float = Field(2.0, validation_alias=_env("DESKHAND_LOOKING_UP_AFTER"), ge=0)
    # A stop (SIGTERM) waits this long for writes in flight; a write's claim is its owner's for
    # `claim_lease` seconds, after which another process reads the target back; the sweep for
    # such claims runs at start and every `claim_sweep` seconds.
    drain_seconds: float = Field(25.0, validation_alias=_env("DESKHAND_DRAIN_SECONDS"), ge=0)
    claim_lease: float = Field(60.0, validation_alias=_env("DESKHAND_CLAIM_LEASE"), gt=0)
    claim_sweep: float = Field(5.0, validation_alias=_env("DESKHAND_CLAIM_SWEEP"), gt=0)
    # A write whose reply was lost may still be applied this long after Deskhand gave up on it:
    # until then it is "could not confirm yet", read back on a backoff, never "not added".
    apply_window: float = Field(60.0, validation_alias=_env("DESKHAND_APPLY_WINDOW"), ge=0)
    # Workflow Builder write steps with no interactor (a scheduled workflow): refused unless
    # "unattended", when they write as the workflow (handlers/steps.py).
    workflow_writes: Literal["attended", "unattended"] = Field(
        "attended", validation_alias=_env("DESKHAND_WORKFLOW_WRITES")
    )
    # HTTP mode refuses a bigger request body (413) before reading it; Slack's are a few KB.
    max_body_bytes: int = Field(
        1024 * 1024, validation_alias=_env("DESKHAND_MAX_BODY_BYTES"), ge=1024
    )

    # Listeners past their ack at once (a burst queues the rest's work, never an ack), and
    # connections open to each backend at once.
    max_listeners: int = Field(8, validation_alias=_env("DESKHAND_MAX_LISTENERS"), ge=1)
    backend_connections: int = Field(
        20, validation_alias=_env("DESKHAND_BACKEND_CONNECTIONS"), ge=1
    )

    # Logs as lines of text or one JSON object a line; Socket Mode's probes and /metrics port.
    log_format: Literal["text", "json"] = Field(
        "text", validation_alias=_env("DESKHAND_LOG_FORMAT")
    )
    # uvicorn's line per HTTP request (HTTP mode); off, it costs CPU under a burst.
    access_log: bool = Field(False, validation_alias=_env("DESKHAND_ACCESS_LOG"))
    metrics_port: int | None = Field(
        None, validation_alias=_env("DESKHAND_METRICS_PORT"), ge=1, le=65535
    )
    metrics_host: str = Field("127.0.0.1", validation_alias=_env("DESKHAND_METRICS_HOST"))
    # Socket Mode: /livez fails once no WebSocket has been connected for this long, so an
    # orchestrator restarts a process that no longer hears Slack (/readyz is 503 at once).
    socket_deaf_seconds: float = Field(
        300.0, validation_alias=_env("DESKHAND_SOCKET_DEAF_SECONDS"), gt=0
    )

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("reaction_ticket", "reaction_assign", "reaction_close", mode="before")
    @classmethod
    def _emoji_name(cls, value: Any) -> Any:
        return value.strip().strip(":").strip() if isinstance(value, str) else value

    @field_validator("admins")
    @classmethod
    def _admin_ids(cls, value: str) -> str:
        """Slack user IDs only (U…/W…): a name or an @handle here matches nobody, so nobody
        would be an admin; said at start instead."""
        return _only_ids(value, _USER_ID, "Slack user IDs such as U0123ABCD")

    @field_validator("writers")
    @classmethod
    def _writer_ids(cls, value: str) -> str:
        """Slack user IDs, or user-group IDs (S…), only."""
        return _only_ids(value, _WRITER_ID, "Slack user or user-group IDs such as U0123ABCD")

    @field_validator("timezone", mode="before")
    @classmethod
    def _time_zone(cls, value: Any) -> Any:
        """An IANA time zone, its case forgiven (`utc` is `UTC`); else why not, with the
        closest name: said at start, not a traceback at the first card."""
        if not isinstance(value, str):
            return value
        try:
            ZoneInfo(value.strip())  # the usual case, without listing every zone
            return value.strip()
        except (ValueError, KeyError, OSError):
            pass
        zones = {z.lower(): z for z in available_timezones()}
        name = zones.get(value.strip().lower())
        if name is None:
            close = difflib.get_close_matches(value.strip(), sorted(zones.values()), n=1)
            guess = f" Did you mean {close[0]}?" if close else ""
            raise ValueError(f"{value!r} is not a time zone.{guess} Use a name like Europe/Berlin")
        return name

    @field_validator("metrics_port", mode="before")
    @classmethod
    def _unset_when_empty(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    def readydesk_wire_names(self) -> WireNames:
        """The configured names for ReadyDesk's undocumented actions and variables."""
        return WireNames(
            history_action=self.readydesk_history_action,
            history_note=self.readydesk_history_note_variable,
            update_ticket_target=self.readydesk_update_ticket_variable,
            ticket_body=self.readydesk_ticket_body_variable,
            ticket_priority=self.readydesk_ticket_priority_variable,
        )

    @property
    def admin_ids(self) -> frozenset[str]:
        """Slack user IDs in DESKHAND_ADMINS (comma- or space-separated)."""
        return _ids(self.admins)

    @property
    def writer_ids(self) -> frozenset[str]:
        """User and user-group IDs in DESKHAND_WRITERS; empty means everyone may write."""
        return _ids(self.writers)

    @property
    def write_channel_ids(self) -> frozenset[str]:
        """Channel IDs in DESKHAND_WRITE_CHANNELS; empty means any channel."""
        return _ids(self.write_channels)

    @property
    def unfurl_channel_ids(self) -> frozenset[str]:
        """Channel IDs in DESKHAND_UNFURL_CHANNELS; empty means links unfurl in any channel."""
        return _ids(self.unfurl_channels)

    def kickserv_pages(self, account: str | None = None) -> str:
        """KICKSERV_WEB_URL with the account filled in (`account`, else KICKSERV_ACCOUNT)."""
        return self.kickserv_web_url.replace("{account}", account or self.kickserv_account or "")

    @property
    def priorities(self) -> list[str]:
        """The ticket priorities `/tickets priority:` accepts."""
        return [p.strip() for p in self.readydesk_priorities.split(",") if p.strip()]

    @property
    def readydesk_is_sandbox(self) -> bool:
        """True when no ReadyDesk server is configured, so the built-in fake answers."""
        return not self.readydesk_url

    @property
    def kickserv_is_sandbox(self) -> bool:
        """True when no Kickserv account and key are configured, so the built-in fake answers.

        (KICKSERV_URL has a default, so it cannot be the switch DESIGN.md describes.)
        """
        return not (self.kickserv_account and self.kickserv_api_key)

    @property
    def has_slack_credentials(self) -> bool:
        """True when a bot token is set, i.e. Deskhand should talk to real Slack."""
        return self.slack_bot_token is not None

    def secrets(self) -> list[str]:
        """Every configured secret value, for the log redactor."""
        values = (
            self.slack_bot_token,
            self.slack_app_token,
            self.slack_signing_secret,
            self.readydesk_key,
            self.kickserv_api_key,
        )
        return [v.get_secret_value() for v in values if v and v.get_secret_value()]


class WebPages(BaseSettings):
    """The backends' web pages alone, read exactly as Settings reads them: what `deskhand
    manifest` needs, so a bad setting it does not use cannot stop it from printing."""

    model_config = Settings.model_config

    readydesk_web_url: str | None = Settings.model_fields["readydesk_web_url"]
    kickserv_web_url: str = Settings.model_fields["kickserv_web_url"]
    kickserv_account: str | None = Settings.model_fields["kickserv_account"]

    kickserv_pages = Settings.kickserv_pages
